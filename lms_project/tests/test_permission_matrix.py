"""Every route x every kind of caller, with the status the contract gives each (issue 8).

One row per route of the URL conf (and a few extra rows, marked with a variant, where the object's
state changes the answer: a draft course, a public file). Columns, in order:

    anonymous, student (enrolled, owns the records), other_student (enrolled nowhere),
    instructor (owns the courses), other_instructor (owns nothing), admin

Reading of the contract (API.md section 0, docs/api.md): 401 for an anonymous caller on a protected
route; 403 when the caller may see the object (or use the route at all) but not do this; 404 when
they may not even see the object, exactly as if it did not exist; 2xx when allowed. Each cell gets a
fresh scene (matrix_data.build_scenario) and a VALID body, so a 400 never hides a missing check; a
refused cell must leave every row of the scene unchanged.

A route with no row here, or a row for a route that does not exist, fails the matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from courses.models import Lesson
from lms_project.tests.matrix_data import (
    MULTIPART,
    ROLES,
    Scenario,
    body_for,
    is_error_shape,
    resolve,
    send,
    shared_scene,
    snapshot,
)
from lms_project.tests.routes import urlconf_routes


@dataclass(frozen=True)
class Row:
    route: str
    expect: tuple[int, int, int, int, int, int]  # in the order of ROLES
    variant: str = ""
    params: Callable[[Scenario], dict[str, Any]] | None = None  # objects other than the defaults

    @property
    def name(self) -> str:
        return f"{self.route} [{self.variant}]" if self.variant else self.route


def _draft_course(s: Scenario) -> dict[str, Any]:
    return {"course_id": s.draft_course.pk, "quiz_id": s.draft_quiz.pk, "lesson_id": s.draft_lesson.pk}


def _published_course(s: Scenario) -> dict[str, Any]:
    return {"course_id": s.course.pk}


def _spare_quiz(s: Scenario) -> dict[str, Any]:
    return {"quiz_id": s.spare_quiz.pk, "question_id": s.spare_question.pk}


def _second_lesson(s: Scenario) -> dict[str, Any]:
    return {"lesson_id": s.second_lesson.pk}


def _preview_lesson(s: Scenario) -> dict[str, Any]:
    Lesson.objects.filter(pk=s.second_lesson.pk).update(is_preview=True)  # the scene's object stays as is
    return {"lesson_id": s.second_lesson.pk}


def _open_attempt(s: Scenario) -> dict[str, Any]:
    return {"attempt_id": s.open_attempt.pk}


def _public_file(s: Scenario) -> dict[str, Any]:
    return {"file_id": s.public_file.pk}


A = "/api/v1"
EVERYONE_200 = (200, 200, 200, 200, 200, 200)
SIGNED_IN_200 = (401, 200, 200, 200, 200, 200)
MANAGERS = (401, 403, 403, 200, 403, 200)  # the course's instructor and admins; others may see it
MANAGERS_OF_DRAFT = (401, 404, 404, 200, 404, 200)  # ... and others may not even see it
ADMINS = (401, 403, 403, 403, 403, 200)

#     anonymous, student, other_student, instructor, other_instructor, admin
TABLE: tuple[Row, ...] = (
    # system and docs (public)
    Row("GET /", EVERYONE_200),
    Row(f"GET {A}", EVERYONE_200),
    Row(f"GET {A}/health", EVERYONE_200),
    Row("GET /docs", EVERYONE_200),
    Row("GET /redoc", EVERYONE_200),
    Row("GET /openapi.json", EVERYONE_200),
    # auth: register, login and refresh ignore any bearer token
    Row(f"POST {A}/auth/register", (201, 201, 201, 201, 201, 201)),
    Row(f"POST {A}/auth/login", EVERYONE_200),
    Row(f"POST {A}/auth/refresh", EVERYONE_200),
    Row(f"POST {A}/auth/logout", (401, 204, 204, 204, 204, 204)),
    Row(f"GET {A}/auth/me", SIGNED_IN_200),
    # users
    Row(f"GET {A}/users/me", SIGNED_IN_200),
    Row(f"PATCH {A}/users/me", SIGNED_IN_200),
    Row(f"GET {A}/users", ADMINS),
    Row(f"POST {A}/users", (401, 403, 403, 403, 403, 201)),
    Row(f"GET {A}/users/{{user_id}}", ADMINS),
    Row(f"PATCH {A}/users/{{user_id}}", ADMINS),
    # courses
    Row(f"GET {A}/courses", EVERYONE_200),
    Row(f"POST {A}/courses", (401, 403, 403, 201, 201, 201)),
    Row(f"GET {A}/courses/{{course_id}}", EVERYONE_200),
    Row(f"GET {A}/courses/{{course_id}}", (404, 404, 404, 200, 404, 200), "draft course", _draft_course),
    Row(f"PATCH {A}/courses/{{course_id}}", MANAGERS),
    Row(f"PATCH {A}/courses/{{course_id}}", MANAGERS_OF_DRAFT, "draft course", _draft_course),
    Row(f"DELETE {A}/courses/{{course_id}}", (401, 404, 404, 204, 404, 204), "draft course", _draft_course),
    Row(
        f"DELETE {A}/courses/{{course_id}}",
        (401, 403, 403, 409, 403, 409),  # managers pass the check, then: course_has_enrollments
        "published, with enrollments",
        _published_course,
    ),
    Row(f"POST {A}/courses/{{course_id}}/publish", MANAGERS),
    Row(f"POST {A}/courses/{{course_id}}/publish", MANAGERS_OF_DRAFT, "draft course", _draft_course),
    Row(f"POST {A}/courses/{{course_id}}/unpublish", MANAGERS),
    # lessons
    Row(f"GET {A}/courses/{{course_id}}/lessons", EVERYONE_200),
    Row(
        f"GET {A}/courses/{{course_id}}/lessons",
        (404, 404, 404, 200, 404, 200),
        "draft course",
        _draft_course,
    ),
    Row(f"POST {A}/courses/{{course_id}}/lessons", (401, 403, 403, 201, 403, 201)),
    Row(f"POST {A}/courses/{{course_id}}/lessons/reorder", MANAGERS),
    # Content: managers and enrolled students; others 403 enrollment_required (the course is
    # published, so the lesson's existence is no secret); a draft's lessons are 404.
    Row(f"GET {A}/lessons/{{lesson_id}}", (403, 200, 403, 200, 403, 200)),
    Row(f"GET {A}/lessons/{{lesson_id}}", EVERYONE_200, "preview lesson", _preview_lesson),
    Row(f"GET {A}/lessons/{{lesson_id}}", (404, 404, 404, 200, 404, 200), "draft course", _draft_course),
    Row(f"PATCH {A}/lessons/{{lesson_id}}", MANAGERS),
    Row(f"PATCH {A}/lessons/{{lesson_id}}", MANAGERS_OF_DRAFT, "draft course", _draft_course),
    Row(f"DELETE {A}/lessons/{{lesson_id}}", (401, 403, 403, 204, 403, 204), params=_second_lesson),
    # enrollments and progress
    Row(f"POST {A}/enrollments", (401, 200, 201, 403, 403, 403)),  # 200: already enrolled
    Row(f"GET {A}/enrollments/my-courses", SIGNED_IN_200),
    Row(f"GET {A}/enrollments/{{enrollment_id}}", (401, 200, 404, 200, 404, 200)),
    Row(f"POST {A}/enrollments/{{enrollment_id}}/drop", (401, 200, 404, 403, 404, 200)),
    Row(f"GET {A}/enrollments/courses/{{course_id}}", MANAGERS),
    Row(f"GET {A}/enrollments/courses/{{course_id}}", MANAGERS_OF_DRAFT, "draft course", _draft_course),
    Row(f"GET {A}/enrollments/courses/{{course_id}}/stats", MANAGERS),
    # Only the enrolled student writes progress and reviews; the managers (who may read the
    # enrollment) get 403, everyone else 404 (docs/api.md "Progress writes by someone else").
    Row(
        f"PUT {A}/enrollments/{{enrollment_id}}/lessons/{{lesson_id}}/progress",
        (401, 200, 404, 403, 404, 403),
    ),
    Row(
        f"POST {A}/enrollments/{{enrollment_id}}/lessons/{{lesson_id}}/complete",
        (401, 200, 404, 403, 404, 403),
    ),
    Row(f"POST {A}/enrollments/{{enrollment_id}}/review", (401, 200, 404, 403, 404, 403)),
    # quizzes: authoring
    Row(f"GET {A}/courses/{{course_id}}/quizzes", EVERYONE_200),
    Row(
        f"GET {A}/courses/{{course_id}}/quizzes",
        (404, 404, 404, 200, 404, 200),
        "draft course",
        _draft_course,
    ),
    Row(f"POST {A}/courses/{{course_id}}/quizzes", (401, 403, 403, 201, 403, 201)),
    Row(f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}", EVERYONE_200),
    Row(
        f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}",
        (404, 404, 404, 200, 404, 200),
        "draft course",
        _draft_course,
    ),
    Row(f"PATCH {A}/courses/{{course_id}}/quizzes/{{quiz_id}}", MANAGERS),
    Row(
        f"DELETE {A}/courses/{{course_id}}/quizzes/{{quiz_id}}",
        (401, 403, 403, 204, 403, 204),
        params=_spare_quiz,
    ),
    Row(f"POST {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/publish", MANAGERS),
    Row(f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions", EVERYONE_200),
    Row(f"POST {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions", (401, 403, 403, 201, 403, 201)),
    Row(f"PATCH {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions/{{question_id}}", MANAGERS),
    Row(
        f"DELETE {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/questions/{{question_id}}",
        (401, 403, 403, 204, 403, 204),
        params=_spare_quiz,
    ),
    Row(f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/attempts", MANAGERS),
    Row(f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/stats", MANAGERS),
    Row(
        f"GET {A}/courses/{{course_id}}/quizzes/{{quiz_id}}/stats",
        MANAGERS_OF_DRAFT,
        "draft course",
        _draft_course,
    ),
    # quizzes: taking (students enrolled in the course; 200 = the attempt in progress is resumed)
    Row(f"POST {A}/quizzes/{{quiz_id}}/attempts", (401, 200, 403, 403, 403, 403)),
    Row(
        f"POST {A}/quizzes/{{quiz_id}}/attempts",
        (401, 404, 404, 403, 404, 403),
        "draft course",
        _draft_course,
    ),
    Row(f"GET {A}/quizzes/{{quiz_id}}/attempts/start", (401, 200, 403, 200, 403, 200)),  # managers: preview
    Row(f"GET {A}/quizzes/{{quiz_id}}/attempts/my-attempts", SIGNED_IN_200),
    Row(f"GET {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}", (401, 200, 404, 200, 404, 200)),
    Row(
        f"POST {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}/submit",
        (401, 200, 404, 403, 404, 403),
        params=_open_attempt,
    ),
    Row(f"POST {A}/quizzes/{{quiz_id}}/attempts/{{attempt_id}}/grade", (401, 403, 404, 200, 404, 200)),
    # analytics
    Row(f"GET {A}/analytics/my-progress", SIGNED_IN_200),
    Row(f"GET {A}/analytics/my-dashboard", SIGNED_IN_200),
    Row(f"GET {A}/analytics/courses/{{course_id}}", MANAGERS),
    Row(f"GET {A}/analytics/courses/{{course_id}}", MANAGERS_OF_DRAFT, "draft course", _draft_course),
    Row(f"GET {A}/analytics/instructors/{{instructor_id}}/overview", MANAGERS),
    Row(f"GET {A}/analytics/system/overview", ADMINS),
    # files (the student's private file unless stated)
    Row(f"POST {A}/files/upload", (401, 201, 201, 201, 201, 201)),
    Row(f"GET {A}/files/my-files", SIGNED_IN_200),
    Row(f"GET {A}/files/download/{{file_id}}", (404, 200, 404, 404, 404, 200)),
    Row(f"GET {A}/files/download/{{file_id}}", EVERYONE_200, "public file", _public_file),
    Row(f"DELETE {A}/files/{{file_id}}", (401, 204, 404, 404, 404, 204)),
    Row(f"DELETE {A}/files/{{file_id}}", (401, 204, 403, 403, 403, 204), "public file", _public_file),
    Row(f"GET {A}/files/{{file_id}}/download-url", (401, 200, 404, 404, 404, 200)),
    Row(f"GET {A}/files/{{file_id}}/download-url", SIGNED_IN_200, "public file", _public_file),
    # certificates
    Row(f"POST {A}/certificates/enrollments/{{enrollment_id}}/generate", (401, 200, 404, 200, 404, 200)),
    Row(f"GET {A}/certificates/my-certificates", SIGNED_IN_200),
    Row(f"GET {A}/certificates/{{certificate_id}}/download", (401, 200, 404, 200, 404, 200)),
    Row(f"POST {A}/certificates/{{certificate_id}}/revoke", (401, 403, 404, 200, 404, 200)),
    Row(f"GET {A}/certificates/verify/{{certificate_number}}", EVERYONE_200),
    Row("GET /verify/{certificate_number}", EVERYONE_200),
)

ROWS = {row.name: row for row in TABLE}
assert len(ROWS) == len(TABLE), "two rows with the same route and variant"


def _cells() -> list[Any]:
    """Every (row, role), plus one failing cell per route the table misses or invents."""
    served = urlconf_routes()
    tabled = {row.route for row in TABLE}
    cells = [pytest.param(row.name, role, id=f"{row.name} | {role}") for row in TABLE for role in ROLES]
    cells += [
        pytest.param(route, None, id=f"{route} | not in the table") for route in sorted(served - tabled)
    ]
    cells += [pytest.param(route, None, id=f"{route} | not served") for route in sorted(tabled - served)]
    return cells


@pytest.fixture(scope="module")
def module_scene(django_db_setup, django_db_blocker):
    with shared_scene(django_db_blocker) as scene:
        yield scene


@pytest.fixture
def scene(module_scene, db) -> Scenario:
    """The module's scene, seen from this test's savepoint (rolled back after it): fresh per cell."""
    return module_scene


@pytest.mark.matrix
@pytest.mark.parametrize(("name", "role"), _cells())
def test_route_answers_each_caller_as_the_contract_says(scene: Scenario, name: str, role: str | None):
    if role is None:
        served = name in urlconf_routes()
        pytest.fail(
            f"{name}: served but the permission matrix has no row for it"
            if served
            else f"{name}: the permission matrix has a row for a route the URL conf does not serve"
        )
    row = ROWS[name]
    expected = row.expect[ROLES.index(role)]
    values = {**scene.params(), **(row.params(scene) if row.params else {})}
    method, template = row.route.split(" ", 1)
    body = body_for(row.route, scene, role)
    before = snapshot()

    response = send(
        scene.clients[role], method, resolve(template, values), body, multipart=row.route in MULTIPART
    )

    assert response.status_code == expected, (
        f"{row.name} as {role}: expected {expected}, got {response.status_code}: {response.content[:300]!r}"
    )
    if expected >= 400 and not template.startswith("/verify/"):
        assert is_error_shape(response), response.content[:300]
        code = response.json()["code"]
        if expected == 401:
            assert code in {"not_authenticated", "token_not_valid"}
            assert response["WWW-Authenticate"].startswith("Bearer")
        if expected == 404:
            assert code == "not_found"
    if expected >= 400:
        # A refused request changes nothing, not even a timestamp.
        assert snapshot() == before
    elif method in {"GET", "PATCH"} and response.get("Content-Type", "").startswith("application/json"):
        # An allowed read or edit of one object answers with that object, not some other one.
        # (The last segment names it: `{id}` of the object itself, or `{course_id}` of a report.)
        last = template.rsplit("/", 1)[-1].strip("{}")
        data = response.json()
        if last.endswith("_id") and "items" not in data:
            assert str(data.get("id", data.get(last))) == str(values[last])


def test_the_table_has_exactly_one_route_set_with_the_url_conf():
    """The same guarantee as the failing cells above, as one readable diff."""
    tabled = {row.route for row in TABLE}
    served = urlconf_routes()
    assert sorted(served - tabled) == [], "routes without a row in the permission matrix"
    assert sorted(tabled - served) == [], "rows for routes the URL conf does not serve"
    assert len(served) >= 72
