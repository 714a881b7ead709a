"""Insecure direct object references (issue 8): ids that do not exist, and ids of someone else's
objects, on every id-bearing GET/PATCH/PUT/DELETE route of the URL conf (unknown ids on the
id-bearing POST actions too).

Contract section 0: "when the caller may not even read it (...), 404, exactly as if it did not
exist". So for each route:
- the owner with a random UUID, or with something that is not a UUID, in any one path parameter
  gets 404 `not_found` in the error shape, and the same request with the real ids then succeeds;
- a stranger asking for the owner's private object gets the very answer (status and body) a random
  id in its place gets (404; or, on the routes closed to the stranger's role whatever the id, the
  same 403), so nothing tells an existing object from a missing one;
- an object under the wrong parent (a quiz of another course, a lesson of another course...) is 404.
Nothing changes in the database on any of these refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from lms_project.tests.matrix_data import (
    ADMIN,
    ANONYMOUS,
    INSTRUCTOR,
    OTHER_INSTRUCTOR,
    OTHER_STUDENT,
    PARAM,
    STUDENT,
    Scenario,
    body_for,
    is_error_shape,
    random_id,
    resolve,
    send,
    shared_scene,
    snapshot,
)
from lms_project.tests.routes import urlconf_routes

pytestmark = pytest.mark.security

A = "/api/v1"
Params = Callable[[Scenario], dict[str, Any]] | None


@dataclass(frozen=True)
class Target:
    owner: str  # who gets a 2xx with the real ids
    stranger: str  # who must not learn that the owner's object exists
    owner_params: Params = None  # objects other than the scene's defaults (e.g. one that may be deleted)
    stranger_params: Params = None  # the owner's private object the stranger asks for
    gated: bool = False  # closed to the stranger's role whatever the id: 403 for real and random ids


def _draft(s: Scenario) -> dict[str, Any]:
    return {"course_id": s.draft_course.pk, "lesson_id": s.draft_lesson.pk, "quiz_id": s.draft_quiz.pk}


def _draft_question(s: Scenario) -> dict[str, Any]:
    return {**_draft(s), "question_id": s.draft_question.pk}


def _draft_course_only(s: Scenario) -> dict[str, Any]:
    return {"course_id": s.draft_course.pk}


def _spare(s: Scenario) -> dict[str, Any]:
    return {"quiz_id": s.spare_quiz.pk, "question_id": s.spare_question.pk}


# The verification routes take a certificate number, are public by contract and are checked on
# their own below; every other id-bearing GET/PATCH/PUT/DELETE route needs an entry here.
VERIFY_API = f"GET {A}/certificates/verify/{{certificate_number}}"
VERIFY_PAGE = "GET /verify/{certificate_number}"

TARGETS: dict[str, Target] = {
    f"GET {A}/users/{{user_id}}": Target(ADMIN, STUDENT, gated=True),
    f"PATCH {A}/users/{{user_id}}": Target(ADMIN, INSTRUCTOR, gated=True),
    f"GET {A}/courses/{{course_id}}": Target(INSTRUCTOR, OTHER_INSTRUCTOR, _draft, _draft),
    f"PATCH {A}/courses/{{course_id}}": Target(INSTRUCTOR, OTHER_INSTRUCTOR, _draft, _draft),
    f"DELETE {A}/courses/{{course_id}}": Target(INSTRUCTOR, OTHER_INSTRUCTOR, _draft, _draft),
    f"GET {A}/courses/{{course_id}}/lessons": Target(INSTRUCTOR, OTHER_STUDENT, _draft, _draft),
    f"GET {A}/lessons/{{lesson_id}}": Target(STUDENT, OTHER_INSTRUCTOR, None, _draft),
    f"PATCH {A}/lessons/{{lesson_id}}": Target(INSTRUCTOR, OTHER_INSTRUCTOR, None, _draft),
    f"DELETE {A}/lessons/{{lesson_id}}": Target(INSTRUCTOR, OTHER_STUDENT, None, _draft),
    f"GET {A}/enrollments/{{enrollment_id}}": Target(STUDENT, OTHER_STUDENT),
    f"GET {A}/enrollments/courses/{{course_id}}": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, None, _draft_course_only
    ),
    f"GET {A}/enrollments/courses/{{course_id}}/stats": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, None, _draft_course_only
    ),
    f"PUT {A}/enrollments/{{enrollment_id}}/lessons/{{lesson_id}}/progress": Target(STUDENT, OTHER_STUDENT),
    f"GET {A}/courses/{{course_id}}/quizzes": Target(STUDENT, OTHER_STUDENT, None, _draft),
    f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}": Target(STUDENT, OTHER_INSTRUCTOR, None, _draft),
    f"PATCH {A}/courses/{{course_id}}/quizzes/{{quiz_id}}": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, None, _draft
    ),
    f"DELETE {A}/courses/{{course_id}}/quizzes/{{quiz_id}}": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, _spare, _draft
    ),
    f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions": Target(
        STUDENT, OTHER_STUDENT, None, _draft
    ),
    f"PATCH {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions/{{question_id}}": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, None, _draft_question
    ),
    f"DELETE {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions/{{question_id}}": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, _spare, _draft_question
    ),
    f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/attempts": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, None, _draft
    ),
    f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/stats": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, None, _draft
    ),
    f"GET {A}/quizzes/{{quiz_id}}/attempts/start": Target(STUDENT, OTHER_STUDENT, None, _draft),
    f"GET {A}/quizzes/{{quiz_id}}/attempts/my-attempts": Target(STUDENT, OTHER_STUDENT, None, _draft),
    f"GET {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}": Target(STUDENT, OTHER_STUDENT),
    f"GET {A}/analytics/courses/{{course_id}}": Target(
        INSTRUCTOR, OTHER_INSTRUCTOR, None, _draft_course_only
    ),
    f"GET {A}/analytics/instructors/{{instructor_id}}/overview": Target(ADMIN, OTHER_INSTRUCTOR, gated=True),
    f"GET {A}/files/download/{{file_id}}": Target(STUDENT, ANONYMOUS),
    f"DELETE {A}/files/{{file_id}}": Target(STUDENT, OTHER_STUDENT),
    f"GET {A}/files/{{file_id}}/download-url": Target(STUDENT, OTHER_INSTRUCTOR),
    f"GET {A}/certificates/{{certificate_id}}/download": Target(STUDENT, OTHER_STUDENT),
}


def _open_attempt(s: Scenario) -> dict[str, Any]:
    return {"attempt_id": s.open_attempt.pk}


# Actions on one object (POST): the stranger's view of them is in the permission matrix; here, the
# owner who may do each, for the unknown-id checks.
ACTION_OWNERS: dict[str, tuple[str, Params]] = {
    f"POST {A}/courses/{{course_id}}/publish": (INSTRUCTOR, None),
    f"POST {A}/courses/{{course_id}}/unpublish": (INSTRUCTOR, None),
    f"POST {A}/courses/{{course_id}}/lessons": (INSTRUCTOR, None),
    f"POST {A}/courses/{{course_id}}/lessons/reorder": (INSTRUCTOR, None),
    f"POST {A}/enrollments/{{enrollment_id}}/drop": (STUDENT, None),
    f"POST {A}/enrollments/{{enrollment_id}}/lessons/{{lesson_id}}/complete": (STUDENT, None),
    f"POST {A}/enrollments/{{enrollment_id}}/review": (STUDENT, None),
    f"POST {A}/courses/{{course_id}}/quizzes": (INSTRUCTOR, None),
    f"POST {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/publish": (INSTRUCTOR, None),
    f"POST {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions": (INSTRUCTOR, None),
    f"POST {A}/quizzes/{{quiz_id}}/attempts": (STUDENT, None),
    f"POST {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}/submit": (STUDENT, _open_attempt),
    f"POST {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}/grade": (INSTRUCTOR, None),
    f"POST {A}/certificates/enrollments/{{enrollment_id}}/generate": (STUDENT, None),
    f"POST {A}/certificates/{{certificate_id}}/revoke": (INSTRUCTOR, None),
}
OWNERS: dict[str, tuple[str, Params]] = {
    **{route: (target.owner, target.owner_params) for route, target in TARGETS.items()},
    **ACTION_OWNERS,
}
ACTION_ROUTES = sorted(route for route in urlconf_routes() if "{" in route and route.startswith("POST "))

ID_ROUTES = sorted(
    route
    for route in urlconf_routes()
    if "{" in route and route.split()[0] in {"GET", "PATCH", "PUT", "DELETE"}
)


@pytest.fixture(scope="module")
def module_scene(django_db_setup, django_db_blocker):
    with shared_scene(django_db_blocker) as scene:
        yield scene


@pytest.fixture
def scene(module_scene, db) -> Scenario:
    """The module's scene, seen from this test's savepoint (rolled back after it)."""
    return module_scene


def _request(scene: Scenario, role: str, route: str, values: dict[str, Any]):
    method, template = route.split(" ", 1)
    return send(scene.clients[role], method, resolve(template, values), body_for(route, scene, role))


def _values(scene: Scenario, params: Params) -> dict[str, Any]:
    return {**scene.params(), **(params(scene) if params else {})}


def test_every_id_bearing_route_has_an_idor_target():
    assert sorted(set(ID_ROUTES) - set(TARGETS) - {VERIFY_API, VERIFY_PAGE}) == []
    assert sorted(set(TARGETS) - set(ID_ROUTES)) == []
    assert {VERIFY_API, VERIFY_PAGE} <= set(ID_ROUTES)
    assert sorted(set(ACTION_ROUTES) ^ set(ACTION_OWNERS)) == []


def _unknown_id_cases() -> list[Any]:
    cases = []
    for route in sorted({*ID_ROUTES, *ACTION_ROUTES}):
        if route in (VERIFY_API, VERIFY_PAGE):
            continue
        for param in PARAM.findall(route):
            for kind in ("random-uuid", "not-a-uuid"):
                cases.append(pytest.param(route, param, kind, id=f"{route} | {param}={kind}"))
    return cases


@pytest.mark.parametrize(("route", "param", "kind"), _unknown_id_cases())
def test_an_id_that_does_not_exist_is_404(scene: Scenario, route: str, param: str, kind: str):
    owner, params = OWNERS[route]
    values = _values(scene, params)
    before = snapshot()

    wrong = random_id() if kind == "random-uuid" else "12345"
    response = _request(scene, owner, route, {**values, param: wrong})

    assert response.status_code == 404, response.content[:300]
    assert is_error_shape(response)
    assert response.json()["code"] == "not_found"
    assert snapshot() == before
    # The same request with the real id works: the 404 came from the id, not from anything else.
    assert 200 <= _request(scene, owner, route, values).status_code < 300


@pytest.mark.parametrize("route", sorted(TARGETS))
def test_someone_elses_object_answers_like_one_that_does_not_exist(scene: Scenario, route: str):
    target = TARGETS[route]
    values = _values(scene, target.stranger_params)
    before = snapshot()

    response = _request(scene, target.stranger, route, values)
    leaf = PARAM.findall(route)[-1]  # the object itself (its parents may well be public)
    missing = _request(scene, target.stranger, route, {**values, leaf: random_id()})

    expected = 403 if target.gated else 404
    assert response.status_code == expected, response.content[:300]
    assert is_error_shape(response)
    assert (missing.status_code, missing.json()) == (response.status_code, response.json())
    assert snapshot() == before
    # ... while its owner does reach it (the draft course's objects: their instructor).
    keeper = (
        INSTRUCTOR
        if target.stranger_params in (_draft, _draft_question, _draft_course_only)
        else target.owner
    )
    assert 200 <= _request(scene, keeper, route, values).status_code < 300


# An object addressed under the wrong parent, by a caller who may see both: still 404.
WRONG_PARENT = [
    pytest.param(
        f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}",
        INSTRUCTOR,
        lambda s: {"quiz_id": s.draft_quiz.pk},
        id="quiz of the instructor's other course",
    ),
    pytest.param(
        f"PATCH {A}/courses/{{course_id}}/quizzes/{{quiz_id}}",
        INSTRUCTOR,
        lambda s: {"quiz_id": s.draft_quiz.pk},
        id="quiz edit under the instructor's other course",
    ),
    pytest.param(
        f"PATCH {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions/{{question_id}}",
        INSTRUCTOR,
        lambda s: {"question_id": s.spare_question.pk},
        id="question of another quiz of the course",
    ),
    pytest.param(
        f"DELETE {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions/{{question_id}}",
        ADMIN,
        lambda s: {"question_id": s.draft_question.pk},
        id="question of a quiz of another course",
    ),
    pytest.param(
        f"PUT {A}/enrollments/{{enrollment_id}}/lessons/{{lesson_id}}/progress",
        STUDENT,
        lambda s: {"lesson_id": s.draft_lesson.pk},
        id="progress on a lesson of another course",
    ),
    pytest.param(
        f"POST {A}/enrollments/{{enrollment_id}}/lessons/{{lesson_id}}/complete",
        STUDENT,
        lambda s: {"lesson_id": s.draft_lesson.pk},
        id="completing a lesson of another course",
    ),
    pytest.param(
        f"GET {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}",
        STUDENT,
        lambda s: {"quiz_id": s.spare_quiz.pk},
        id="attempt under another quiz",
    ),
    pytest.param(
        f"POST {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}/submit",
        STUDENT,
        lambda s: {"quiz_id": s.spare_quiz.pk, "attempt_id": s.open_attempt.pk},
        id="submit under another quiz",
    ),
    pytest.param(
        f"POST {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}/grade",
        INSTRUCTOR,
        lambda s: {"quiz_id": s.spare_quiz.pk},
        id="grade under another quiz",
    ),
]


@pytest.mark.parametrize(("route", "role", "params"), WRONG_PARENT)
def test_an_object_under_the_wrong_parent_is_404(scene: Scenario, route: str, role: str, params):
    before = snapshot()
    response = _request(scene, role, route, _values(scene, params))
    assert response.status_code == 404, response.content[:300]
    assert is_error_shape(response)
    assert response.json()["code"] == "not_found"
    assert snapshot() == before


@pytest.mark.parametrize("role", [ANONYMOUS, OTHER_STUDENT])
@pytest.mark.parametrize("number", ["random", "CERT-20261125-0000000000", "not-a-number"])
def test_verification_of_an_unknown_number_says_not_found_and_leaks_nothing(scene, role, number):
    """Verification is public by contract (always 200 on the API, 404 on the page for people)."""
    if number == "random":  # the real number with its last character changed
        real = scene.certificate.certificate_number
        number = real[:-1] + ("Y" if real.endswith("Z") else "Z")
    api = scene.clients[role].get(f"{A}/certificates/verify/{number}")
    assert api.status_code == 200
    assert api.json() == {
        "valid": False,
        "status": "not_found",
        "certificate": None,
        "message": "No certificate with this number was issued here.",
    }
    page = scene.clients[role].get(f"/verify/{number}")
    assert page.status_code == 404
    assert scene.certificate.student_name not in page.content.decode()
