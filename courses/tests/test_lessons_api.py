"""Lessons API (contract section 4): list, create, read with content gating, edit, delete, reorder."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import issue_token_pair
from conftest import client_for
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, LessonProgress
from enrollments.tests.factories import EnrollmentFactory, LessonProgressFactory
from lms_project.testing import run_concurrently
from quizzes.models import Attempt, Quiz
from quizzes.tests.factories import AttemptFactory, QuizFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: it checks the unique (course, order_index) index row by row, and SQLite "
    "serialises writers, so there is no race to prove",
)


def _lessons_url(course: Course, action: str = "") -> str:
    return f"/api/v1/courses/{course.id}/lessons{'/' + action if action else ''}"


def _lesson_url(lesson: Lesson) -> str:
    return f"/api/v1/lessons/{lesson.id}"


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _lesson_json(lesson: Lesson, *, content: bool = True) -> dict[str, Any]:
    """The contract's Lesson shape for the row as it is now (list items have no `content`)."""
    lesson = Lesson.objects.get(pk=lesson.pk)
    body = {
        "id": str(lesson.id),
        "course_id": str(lesson.course_id),
        "title": lesson.title,
        "slug": lesson.slug,
        "description": lesson.description,
        "content": lesson.content,
        "lesson_type": lesson.lesson_type,
        "order_index": lesson.order_index,
        "parent_lesson_id": str(lesson.parent_lesson_id) if lesson.parent_lesson_id else None,
        "duration_minutes": lesson.duration_minutes,
        "video_url": lesson.video_url,
        "is_preview": lesson.is_preview,
        "metadata": lesson.metadata,
        "created_at": _iso(lesson.created_at),
        "updated_at": _iso(lesson.updated_at),
    }
    if not content:
        del body["content"]
    return body


def _order(course: Course) -> list[uuid.UUID]:
    """The course's lesson ids by order_index."""
    return list(Lesson.objects.filter(course=course).order_by("order_index").values_list("pk", flat=True))


def _indexes(course: Course) -> list[int]:
    return list(
        Lesson.objects.filter(course=course).order_by("order_index").values_list("order_index", flat=True)
    )


def _lessons_count(course: Course) -> int:
    return Course.objects.values_list("lessons_count", flat=True).get(pk=course.pk)


def _as(request, persona: str) -> APIClient:
    """A client for a persona fixture by name, or an anonymous one."""
    return APIClient() if persona == "anonymous" else client_for(request.getfixturevalue(persona))


@pytest.fixture
def published(instructor) -> Course:
    """A published course of `instructor` with three lessons (order 1, 2, 3)."""
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory.create_batch(3, course=course)
    return course


@pytest.fixture
def draft(instructor) -> Course:
    """A draft of `instructor` with two lessons, one of them a preview."""
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course)
    LessonFactory(course=course, is_preview=True)
    return course


# --- list -----------------------------------------------------------------------------------------


def test_the_lessons_of_a_published_course_are_public_in_order_without_content(api_client, instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    third = LessonFactory(course=course, order_index=7, title="Third")
    first = LessonFactory(
        course=course,
        order_index=1,
        title="First",
        description="Intro",
        lesson_type="video",
        video_url="https://videos.example.com/1.mp4",
        duration_minutes=12,
        is_preview=True,
        metadata={"level": 1},
    )
    second = LessonFactory(course=course, order_index=4, title="Second", parent_lesson=first)

    response = api_client.get(_lessons_url(course))

    assert response.status_code == 200
    assert response.json() == {
        "items": [_lesson_json(lesson, content=False) for lesson in (first, second, third)],
        "total": 3,
    }
    assert response.json()["items"][0] == {
        "id": str(first.id),
        "course_id": str(course.id),
        "title": "First",
        "slug": first.slug,
        "description": "Intro",
        "lesson_type": "video",
        "order_index": 1,
        "parent_lesson_id": None,
        "duration_minutes": 12,
        "video_url": "https://videos.example.com/1.mp4",
        "is_preview": True,
        "metadata": {"level": 1},
        "created_at": _iso(first.created_at),
        "updated_at": _iso(first.updated_at),
    }
    assert response.json()["items"][1]["parent_lesson_id"] == str(first.id)


def test_a_course_without_lessons_has_an_empty_lesson_list(api_client):
    course = CourseFactory(is_published=True)

    response = api_client.get(_lessons_url(course))

    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0}


@pytest.mark.parametrize("persona", ["anonymous", "student", "other_instructor"])
def test_the_lessons_of_a_draft_are_a_404_for_non_managers(request, persona, draft, instructor_client):
    response = _as(request, persona).get(_lessons_url(draft))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert instructor_client.get(_lessons_url(draft)).json()["total"] == 2


@pytest.mark.parametrize("persona", ["instructor", "admin"])
def test_managers_list_the_lessons_of_a_draft(request, persona, draft):
    response = _as(request, persona).get(_lessons_url(draft))

    assert response.status_code == 200
    assert response.json() == {
        "items": [_lesson_json(lesson, content=False) for lesson in draft.lessons.order_by("order_index")],
        "total": 2,
    }


def test_the_lessons_of_an_unknown_course_are_a_404(api_client):
    assert api_client.get(f"/api/v1/courses/{uuid.uuid4()}/lessons").status_code == 404


def test_the_lesson_list_costs_two_queries_whatever_the_number_of_lessons(
    api_client, django_assert_num_queries
):
    course = CourseFactory(is_published=True)
    LessonFactory.create_batch(3, course=course)
    with django_assert_num_queries(2):  # the course (with its instructor), the lessons in order
        assert api_client.get(_lessons_url(course)).json()["total"] == 3

    LessonFactory.create_batch(12, course=course)
    with django_assert_num_queries(2):
        assert api_client.get(_lessons_url(course)).json()["total"] == 15


def test_the_lesson_list_of_a_manager_costs_three_queries(
    instructor_client, draft, django_assert_num_queries
):
    with django_assert_num_queries(3):  # the caller (+ deny-list EXISTS), the course, the lessons
        assert instructor_client.get(_lessons_url(draft)).json()["total"] == 2

    LessonFactory.create_batch(10, course=draft)
    with django_assert_num_queries(3):
        assert instructor_client.get(_lessons_url(draft)).json()["total"] == 12


# --- create ---------------------------------------------------------------------------------------


def test_a_new_lesson_without_order_index_goes_after_the_last_one(instructor_client, instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    for index in (1, 2, 5):
        LessonFactory(course=course, order_index=index)

    response = instructor_client.post(_lessons_url(course), {"title": "Variables", "lesson_type": "text"})

    assert response.status_code == 201
    lesson = Lesson.objects.get(pk=response.json()["id"])
    assert response.json() == _lesson_json(lesson)
    assert response.json() == {
        "id": str(lesson.id),
        "course_id": str(course.id),
        "title": "Variables",
        "slug": "variables",
        "description": None,
        "content": None,
        "lesson_type": "text",
        "order_index": 6,
        "parent_lesson_id": None,
        "duration_minutes": None,
        "video_url": None,
        "is_preview": False,
        "metadata": {},
        "created_at": _iso(lesson.created_at),
        "updated_at": _iso(lesson.updated_at),
    }
    assert _lessons_count(course) == 4


def test_the_first_lesson_of_a_course_gets_order_index_1(instructor_client, instructor):
    course = CourseFactory(instructor=instructor)

    response = instructor_client.post(_lessons_url(course), {"title": "Welcome", "lesson_type": "video"})

    assert response.status_code == 201
    assert response.json()["order_index"] == 1
    assert _lessons_count(course) == 1


def test_a_lesson_is_created_with_every_field(instructor_client, published):
    parent = published.lessons.get(order_index=1)
    body = {
        "title": "Loops in depth",
        "slug": "loops-deep",
        "description": "For and while.",
        "content": "# Loops\nRepeat things.",
        "lesson_type": "video",
        "order_index": 10,
        "parent_lesson_id": str(parent.id),
        "duration_minutes": 25,
        "video_url": "https://videos.example.com/loops.mp4",
        "is_preview": True,
        "metadata": {"captions": ["en", "de"]},
    }

    response = instructor_client.post(_lessons_url(published), body)

    assert response.status_code == 201
    lesson = Lesson.objects.get(pk=response.json()["id"])
    assert response.json() == _lesson_json(lesson)
    assert {key: response.json()[key] for key in body} == body
    assert (lesson.course_id, lesson.parent_lesson_id, lesson.order_index) == (published.id, parent.id, 10)


def test_an_explicit_free_order_index_is_kept(instructor_client, published):
    Lesson.objects.filter(course=published, order_index=2).delete()

    response = instructor_client.post(
        _lessons_url(published), {"title": "Fills the gap", "lesson_type": "text", "order_index": 2}
    )

    assert response.status_code == 201
    assert _indexes(published) == [1, 2, 3]


def test_a_duplicate_order_index_is_a_conflict(instructor_client, published):
    response = instructor_client.post(
        _lessons_url(published), {"title": "Clash", "lesson_type": "text", "order_index": 2}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "order_conflict"
    assert not Lesson.objects.filter(title="Clash").exists()
    assert _lessons_count(published) == 3

    ok = instructor_client.post(
        _lessons_url(published), {"title": "Clash", "lesson_type": "text", "order_index": 4}
    )
    assert ok.status_code == 201
    assert _lessons_count(published) == 4


def test_the_same_order_index_in_another_course_is_fine(instructor_client, published, instructor):
    other = CourseFactory(instructor=instructor)
    LessonFactory(course=other, order_index=9)

    response = instructor_client.post(
        _lessons_url(published), {"title": "Nine", "lesson_type": "text", "order_index": 9}
    )

    assert response.status_code == 201


def test_a_parent_lesson_from_another_course_is_refused(instructor_client, published, instructor):
    foreign = LessonFactory(course=CourseFactory(instructor=instructor))

    response = instructor_client.post(
        _lessons_url(published),
        {"title": "Child", "lesson_type": "text", "parent_lesson_id": str(foreign.id)},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["parent_lesson_id"]
    assert not Lesson.objects.filter(title="Child").exists()
    assert _lessons_count(published) == 3

    own = published.lessons.first()
    ok = instructor_client.post(
        _lessons_url(published), {"title": "Child", "lesson_type": "text", "parent_lesson_id": str(own.id)}
    )
    assert ok.status_code == 201
    assert ok.json()["parent_lesson_id"] == str(own.id)


def test_an_unknown_parent_lesson_is_refused(instructor_client, published):
    response = instructor_client.post(
        _lessons_url(published),
        {"title": "Orphan", "lesson_type": "text", "parent_lesson_id": str(uuid.uuid4())},
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["parent_lesson_id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "ab"),
        ("title", "x" * 256),
        ("title", None),
        ("lesson_type", "podcast"),
        ("lesson_type", None),
        ("slug", "not a slug"),
        ("order_index", 0),
        ("order_index", "first"),
        ("duration_minutes", 0),
        ("video_url", "ftp://videos.example.com/a.mp4"),
        ("video_url", "javascript:alert(1)"),
        ("video_url", "videos.example.com/a.mp4"),
        ("parent_lesson_id", "not-a-uuid"),
        ("is_preview", "sometimes"),
        ("metadata", ["a", "list"]),
    ],
)
def test_bad_lesson_input_is_a_400_naming_the_field(instructor_client, published, field, value):
    response = instructor_client.post(
        _lessons_url(published), {"title": "Valid title", "lesson_type": "text", field: value}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    assert Lesson.objects.filter(course=published).count() == 3
    assert _lessons_count(published) == 3


@pytest.mark.parametrize("missing", ["title", "lesson_type"])
def test_title_and_lesson_type_are_required(instructor_client, published, missing):
    body = {"title": "Valid title", "lesson_type": "text"}
    del body[missing]

    response = instructor_client.post(_lessons_url(published), body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [missing]


@pytest.mark.parametrize("video_url", ["http://videos.example.com/a.mp4", "https://videos.example.com/a.mp4"])
def test_http_and_https_video_urls_are_accepted(instructor_client, published, video_url):
    response = instructor_client.post(
        _lessons_url(published), {"title": "Video", "lesson_type": "video", "video_url": video_url}
    )

    assert response.status_code == 201
    assert Lesson.objects.get(pk=response.json()["id"]).video_url == video_url


def test_an_admin_adds_a_lesson_to_anyones_course(admin_client, published):
    response = admin_client.post(_lessons_url(published), {"title": "By admin", "lesson_type": "quiz"})

    assert response.status_code == 201
    assert _lessons_count(published) == 4


def test_other_callers_cannot_add_lessons(api_client, student_client, other_instructor, published, draft):
    body = {"title": "Intruder", "lesson_type": "text"}
    other = client_for(other_instructor)

    response = other.post(_lessons_url(published), body)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert other.post(_lessons_url(draft), body).status_code == 404
    assert student_client.post(_lessons_url(published), body).status_code == 403
    assert api_client.post(_lessons_url(published), body).status_code == 401
    assert not Lesson.objects.filter(title="Intruder").exists()
    assert (_lessons_count(published), _lessons_count(draft)) == (3, 2)


def test_adding_a_lesson_recomputes_enrollments_after_commit(
    instructor_client, published, django_capture_on_commit_callbacks
):
    first = published.lessons.get(order_index=1)
    enrollment = EnrollmentFactory(course=published)
    LessonProgressFactory(
        enrollment=enrollment, lesson=first, status="completed", completed_at=timezone.now()
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(
        completed_lessons_count=1, progress_percentage=Decimal("33.33")
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = instructor_client.post(
            _lessons_url(published), {"title": "One more", "lesson_type": "text"}
        )
    assert response.status_code == 201
    enrollment.refresh_from_db()
    assert enrollment.total_lessons_count == 3  # nothing is recomputed before the commit
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    enrollment.refresh_from_db()
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (1, 4)
    assert enrollment.progress_percentage == Decimal("25.00")


def test_the_recomputation_runs_when_the_request_commits(
    instructor_client, published, django_capture_on_commit_callbacks
):
    enrollment = EnrollmentFactory(course=published)

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            instructor_client.post(
                _lessons_url(published), {"title": "Fourth", "lesson_type": "text"}
            ).status_code
            == 201
        )

    enrollment.refresh_from_db()
    assert enrollment.total_lessons_count == 4


# --- detail: content gating -----------------------------------------------------------------------


@pytest.fixture
def locked(published) -> Lesson:
    """A non-preview lesson of a published course."""
    return published.lessons.get(order_index=2)


@pytest.fixture
def preview(published) -> Lesson:
    lesson = published.lessons.get(order_index=1)
    Lesson.objects.filter(pk=lesson.pk).update(is_preview=True)
    lesson.refresh_from_db()
    return lesson


@pytest.mark.parametrize("persona", ["instructor", "admin"])
def test_managers_read_any_lesson_with_its_content(request, persona, locked, draft):
    client = _as(request, persona)

    response = client.get(_lesson_url(locked))

    assert response.status_code == 200
    assert response.json() == _lesson_json(locked)
    assert response.json()["content"] == "Lesson content."
    draft_lesson = draft.lessons.first()
    assert client.get(_lesson_url(draft_lesson)).json() == _lesson_json(draft_lesson)


@pytest.mark.parametrize("status", ["active", "completed"])
def test_an_enrolled_student_reads_the_lesson(student, student_client, locked, status):
    EnrollmentFactory(student=student, course=locked.course, status=status)

    response = student_client.get(_lesson_url(locked))

    assert response.status_code == 200
    assert response.json() == _lesson_json(locked)


@pytest.mark.parametrize("persona", ["anonymous", "student", "other_student"])
def test_anyone_reads_a_preview_lesson_of_a_published_course(request, persona, preview):
    response = _as(request, persona).get(_lesson_url(preview))

    assert response.status_code == 200
    assert response.json() == _lesson_json(preview)


@pytest.mark.parametrize("persona", ["anonymous", "student", "other_instructor"])
def test_a_non_preview_lesson_needs_an_enrollment(request, persona, locked):
    response = _as(request, persona).get(_lesson_url(locked))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Enroll in the course to read this lesson.",
        "code": "enrollment_required",
    }


def test_a_student_reads_the_lesson_once_enrolled(student_client, locked):
    assert student_client.get(_lesson_url(locked)).status_code == 403

    assert student_client.post("/api/v1/enrollments", {"course_id": str(locked.course_id)}).status_code == 201

    assert student_client.get(_lesson_url(locked)).json() == _lesson_json(locked)


@pytest.mark.parametrize("status", ["dropped", "expired"])
def test_a_dropped_or_expired_enrollment_does_not_open_the_lesson(student, student_client, locked, status):
    enrollment = EnrollmentFactory(student=student, course=locked.course, status=status)

    response = student_client.get(_lesson_url(locked))

    assert response.status_code == 403
    assert response.json()["code"] == "enrollment_required"

    Enrollment.objects.filter(pk=enrollment.pk).update(status="active")
    assert student_client.get(_lesson_url(locked)).status_code == 200


def test_another_students_enrollment_does_not_open_the_lesson(other_student, student_client, locked):
    EnrollmentFactory(student=other_student, course=locked.course)

    assert student_client.get(_lesson_url(locked)).json()["code"] == "enrollment_required"


@pytest.mark.parametrize("persona", ["anonymous", "student", "other_instructor"])
def test_a_lesson_of_a_draft_is_a_404_for_non_managers_even_as_a_preview(request, persona, draft):
    preview_lesson = draft.lessons.get(is_preview=True)
    other_lesson = draft.lessons.get(is_preview=False)
    client = _as(request, persona)

    for lesson in (preview_lesson, other_lesson):
        response = client.get(_lesson_url(lesson))
        assert response.status_code == 404
        assert response.json() == {"detail": "Lesson not found.", "code": "not_found"}


def test_students_enrolled_before_an_unpublish_keep_reading_the_lessons(
    student, student_client, other_student, locked, instructor_client
):
    EnrollmentFactory(student=student, course=locked.course)
    assert instructor_client.post(f"/api/v1/courses/{locked.course_id}/unpublish").status_code == 200

    assert student_client.get(_lesson_url(locked)).json() == _lesson_json(locked)
    # They may read it but not edit it: 403, not 404.
    assert student_client.patch(_lesson_url(locked), {"title": "Student edit"}).status_code == 403
    # Everybody else now sees a draft: 404, not 403.
    assert client_for(other_student).get(_lesson_url(locked)).status_code == 404
    assert APIClient().get(_lesson_url(locked)).status_code == 404


def test_an_unknown_lesson_is_a_404(api_client, admin_client):
    assert api_client.get(f"/api/v1/lessons/{uuid.uuid4()}").json()["code"] == "not_found"
    assert admin_client.get(f"/api/v1/lessons/{uuid.uuid4()}").status_code == 404


# --- PATCH ----------------------------------------------------------------------------------------


def test_the_owner_edits_a_lesson(instructor_client, locked):
    before = locked.updated_at

    response = instructor_client.patch(
        _lesson_url(locked),
        {
            "title": "Renamed lesson",
            "slug": "renamed",
            "content": "New content",
            "lesson_type": "assignment",
            "is_preview": True,
            "duration_minutes": 40,
            "metadata": {"rubric": True},
        },
    )

    assert response.status_code == 200
    assert response.json() == _lesson_json(locked)
    locked.refresh_from_db()
    assert (locked.title, locked.slug, locked.content, locked.lesson_type) == (
        "Renamed lesson",
        "renamed",
        "New content",
        "assignment",
    )
    assert (locked.is_preview, locked.duration_minutes, locked.metadata) == (True, 40, {"rubric": True})
    assert locked.order_index == 2
    assert locked.updated_at > before


def test_an_admin_edits_anyones_lesson(admin_client, locked):
    assert admin_client.patch(_lesson_url(locked), {"title": "Admin title"}).status_code == 200
    locked.refresh_from_db()
    assert locked.title == "Admin title"


def test_moving_a_lesson_onto_a_taken_order_index_is_a_conflict(instructor_client, locked):
    title = locked.title

    response = instructor_client.patch(_lesson_url(locked), {"order_index": 3, "title": "Not applied"})

    assert response.status_code == 409
    assert response.json()["code"] == "order_conflict"
    locked.refresh_from_db()
    assert (locked.order_index, locked.title) == (2, title)
    assert _indexes(locked.course) == [1, 2, 3]

    assert instructor_client.patch(_lesson_url(locked), {"order_index": 8}).json()["order_index"] == 8
    assert _indexes(locked.course) == [1, 3, 8]


def test_keeping_the_own_order_index_is_not_a_conflict(instructor_client, locked):
    response = instructor_client.patch(_lesson_url(locked), {"order_index": 2, "title": "Same place"})

    assert response.status_code == 200
    assert response.json()["order_index"] == 2


def test_a_lesson_gets_a_parent_from_its_own_course_and_loses_it_with_null(instructor_client, locked):
    parent = locked.course.lessons.get(order_index=1)

    response = instructor_client.patch(_lesson_url(locked), {"parent_lesson_id": str(parent.id)})
    assert response.status_code == 200
    assert response.json()["parent_lesson_id"] == str(parent.id)
    locked.refresh_from_db()
    assert locked.parent_lesson_id == parent.id

    cleared = instructor_client.patch(_lesson_url(locked), {"parent_lesson_id": None})
    assert cleared.status_code == 200
    assert cleared.json()["parent_lesson_id"] is None
    locked.refresh_from_db()
    assert locked.parent_lesson_id is None


def test_a_parent_from_another_course_is_refused_on_patch(instructor_client, locked, instructor):
    foreign = LessonFactory(course=CourseFactory(instructor=instructor))

    response = instructor_client.patch(_lesson_url(locked), {"parent_lesson_id": str(foreign.id)})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["parent_lesson_id"]
    locked.refresh_from_db()
    assert locked.parent_lesson_id is None


def test_a_lesson_cannot_be_its_own_parent(instructor_client, locked):
    response = instructor_client.patch(_lesson_url(locked), {"parent_lesson_id": str(locked.id)})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["parent_lesson_id"]
    locked.refresh_from_db()
    assert locked.parent_lesson_id is None


def test_a_lesson_cannot_be_moved_under_its_own_descendant(instructor_client, published):
    top, middle, bottom = published.lessons.order_by("order_index")
    Lesson.objects.filter(pk=middle.pk).update(parent_lesson=top)
    Lesson.objects.filter(pk=bottom.pk).update(parent_lesson=middle)

    response = instructor_client.patch(_lesson_url(top), {"parent_lesson_id": str(bottom.id)})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["parent_lesson_id"]
    top.refresh_from_db()
    assert top.parent_lesson_id is None

    # Moving the bottom lesson up under the top one is fine.
    assert instructor_client.patch(_lesson_url(bottom), {"parent_lesson_id": str(top.id)}).status_code == 200


def test_null_clears_every_nullable_lesson_field(instructor_client, published):
    lesson = LessonFactory(
        course=published,
        description="Described",
        content="Content",
        duration_minutes=5,
        video_url="https://videos.example.com/a.mp4",
        metadata={"x": 1},
    )

    response = instructor_client.patch(
        _lesson_url(lesson),
        {"description": None, "content": None, "duration_minutes": None, "video_url": None, "metadata": None},
    )

    assert response.status_code == 200
    body = response.json()
    assert [body[key] for key in ("description", "content", "duration_minutes", "video_url")] == [None] * 4
    assert body["metadata"] == {}
    lesson.refresh_from_db()
    assert (lesson.description, lesson.content, lesson.duration_minutes, lesson.video_url) == (None,) * 4
    assert lesson.metadata == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", None),
        ("title", "ab"),
        ("lesson_type", None),
        ("lesson_type", "podcast"),
        ("order_index", None),
        ("order_index", 0),
        ("slug", None),
        ("is_preview", None),
        ("duration_minutes", 0),
        ("video_url", "ftp://videos.example.com/a.mp4"),
        ("video_url", "javascript:alert(1)"),
        ("metadata", "text"),
    ],
)
def test_bad_lesson_patch_input_is_a_400_and_changes_nothing(instructor_client, locked, field, value):
    before = _lesson_json(locked)

    response = instructor_client.patch(_lesson_url(locked), {field: value})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    assert _lesson_json(locked) == before


def test_other_callers_cannot_edit_a_lesson(
    api_client, student, student_client, other_instructor, locked, draft
):
    EnrollmentFactory(student=student, course=locked.course)
    other = client_for(other_instructor)

    response = other.patch(_lesson_url(locked), {"title": "Hijacked"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert other.patch(_lesson_url(draft.lessons.first()), {"title": "Hijacked"}).status_code == 404
    assert student_client.patch(_lesson_url(locked), {"title": "Hijacked"}).status_code == 403
    assert api_client.patch(_lesson_url(locked), {"title": "Hijacked"}).status_code == 401
    assert not Lesson.objects.filter(title="Hijacked").exists()


def test_the_course_cannot_be_changed_by_patching_a_lesson(instructor_client, locked, instructor):
    other_course = CourseFactory(instructor=instructor)

    response = instructor_client.patch(_lesson_url(locked), {"course_id": str(other_course.id)})

    assert response.status_code == 200
    locked.refresh_from_db()
    assert locked.course_id != other_course.id


# --- DELETE ---------------------------------------------------------------------------------------


def test_the_owner_deletes_a_lesson_with_its_progress_and_enrollments_are_recomputed(
    instructor_client, published, django_capture_on_commit_callbacks
):
    first, second, _third = published.lessons.order_by("order_index")
    enrollment = EnrollmentFactory(course=published)
    now = timezone.now()
    LessonProgressFactory(enrollment=enrollment, lesson=first, status="completed", completed_at=now)
    LessonProgressFactory(enrollment=enrollment, lesson=second, status="completed", completed_at=now)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        completed_lessons_count=2, progress_percentage=Decimal("66.67")
    )
    child = LessonFactory(course=published, parent_lesson=second)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = instructor_client.delete(_lesson_url(second))

    assert response.status_code == 204
    assert not response.content
    assert not Lesson.objects.filter(pk=second.pk).exists()
    assert _lessons_count(published) == 3
    assert list(LessonProgress.objects.values_list("lesson_id", flat=True)) == [first.id]
    child.refresh_from_db()
    assert child.parent_lesson_id is None
    assert len(callbacks) == 1
    enrollment.refresh_from_db()
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (1, 3)
    assert enrollment.progress_percentage == Decimal("33.33")
    assert instructor_client.get(_lesson_url(second)).status_code == 404


def test_a_lesson_whose_quiz_has_attempts_cannot_be_deleted(instructor_client, published):
    lesson = published.lessons.get(order_index=1)
    quiz = QuizFactory(course=published, lesson=lesson)
    attempt = AttemptFactory(quiz=quiz)

    response = instructor_client.delete(_lesson_url(lesson))

    assert response.status_code == 409
    assert response.json()["code"] == "lesson_has_attempts"
    assert Lesson.objects.filter(pk=lesson.pk).exists()
    assert Quiz.objects.filter(pk=quiz.pk).exists() and Attempt.objects.filter(pk=attempt.pk).exists()
    assert _lessons_count(published) == 3

    # A lesson whose quiz nobody attempted goes, and its quiz with it.
    other = published.lessons.get(order_index=2)
    unattempted = QuizFactory(course=published, lesson=other)
    assert instructor_client.delete(_lesson_url(other)).status_code == 204
    assert not Quiz.objects.filter(pk=unattempted.pk).exists()
    assert _lessons_count(published) == 2


def test_deleting_a_lesson_twice_is_a_404(instructor_client, locked):
    assert instructor_client.delete(_lesson_url(locked)).status_code == 204

    response = instructor_client.delete(_lesson_url(locked))

    assert response.status_code == 404
    assert _lessons_count(locked.course) == 2


def test_an_admin_deletes_anyones_lesson(admin_client, locked):
    assert admin_client.delete(_lesson_url(locked)).status_code == 204
    assert _lessons_count(locked.course) == 2


def test_other_callers_cannot_delete_a_lesson(
    api_client, student_client, other_instructor, locked, draft, instructor_client
):
    other = client_for(other_instructor)

    assert other.delete(_lesson_url(locked)).json()["code"] == "permission_denied"
    assert other.delete(_lesson_url(draft.lessons.first())).status_code == 404
    assert student_client.delete(_lesson_url(locked)).status_code == 403
    assert api_client.delete(_lesson_url(locked)).status_code == 401
    assert Lesson.objects.filter(pk=locked.pk).exists()
    assert _lessons_count(locked.course) == 3

    assert instructor_client.delete(_lesson_url(locked)).status_code == 204


# --- reorder --------------------------------------------------------------------------------------


def test_reorder_returns_the_lessons_in_the_new_order_numbered_from_1(instructor_client, published):
    first, second, third = _order(published)

    response = instructor_client.post(
        _lessons_url(published, "reorder"), {"lesson_ids": [str(third), str(first), str(second)]}
    )

    assert response.status_code == 200
    assert _order(published) == [third, first, second]
    assert _indexes(published) == [1, 2, 3]
    lessons = [Lesson.objects.get(pk=pk) for pk in (third, first, second)]
    assert response.json() == {
        "items": [_lesson_json(lesson, content=False) for lesson in lessons],
        "total": 3,
    }
    assert [item["order_index"] for item in response.json()["items"]] == [1, 2, 3]


def test_reorder_closes_gaps_in_the_numbering(instructor_client, instructor):
    course = CourseFactory(instructor=instructor)
    lessons = [LessonFactory(course=course, order_index=index) for index in (3, 10, 40)]

    response = instructor_client.post(
        _lessons_url(course, "reorder"), {"lesson_ids": [str(lesson.id) for lesson in lessons]}
    )

    assert response.status_code == 200
    assert _indexes(course) == [1, 2, 3]
    assert _order(course) == [lesson.id for lesson in lessons]


def test_reorder_of_a_course_without_lessons_is_an_empty_list(instructor_client, instructor):
    course = CourseFactory(instructor=instructor)

    response = instructor_client.post(_lessons_url(course, "reorder"), {"lesson_ids": []})

    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0}


@pytest.mark.parametrize("mistake", ["missing", "extra", "duplicate", "unknown", "foreign"])
def test_reorder_needs_every_lesson_exactly_once(instructor_client, published, instructor, mistake):
    first, second, third = (str(pk) for pk in _order(published))
    foreign = LessonFactory(course=CourseFactory(instructor=instructor))
    lesson_ids = {
        "missing": [third, first],
        "extra": [third, first, second, str(uuid.uuid4())],
        "duplicate": [third, first, first],
        "unknown": [third, first, str(uuid.uuid4())],
        "foreign": [third, first, second, str(foreign.id)],
    }[mistake]

    response = instructor_client.post(_lessons_url(published, "reorder"), {"lesson_ids": lesson_ids})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["lesson_ids"]
    assert [str(pk) for pk in _order(published)] == [first, second, third]
    assert _indexes(published) == [1, 2, 3]

    valid = instructor_client.post(_lessons_url(published, "reorder"), {"lesson_ids": [third, first, second]})
    assert valid.status_code == 200


@pytest.mark.parametrize("body", [{}, {"lesson_ids": "all"}, {"lesson_ids": ["not-a-uuid"]}])
def test_a_malformed_reorder_body_is_a_400(instructor_client, published, body):
    response = instructor_client.post(_lessons_url(published, "reorder"), body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert next(iter(response.json()["errors"])).startswith("lesson_ids")
    assert _indexes(published) == [1, 2, 3]


def test_other_callers_cannot_reorder(api_client, student_client, other_instructor, published, draft):
    ids = [str(pk) for pk in reversed(_order(published))]
    other = client_for(other_instructor)

    response = other.post(_lessons_url(published, "reorder"), {"lesson_ids": ids})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    draft_ids = [str(pk) for pk in reversed(_order(draft))]
    assert other.post(_lessons_url(draft, "reorder"), {"lesson_ids": draft_ids}).status_code == 404
    assert student_client.post(_lessons_url(published, "reorder"), {"lesson_ids": ids}).status_code == 403
    assert api_client.post(_lessons_url(published, "reorder"), {"lesson_ids": ids}).status_code == 401
    assert [str(pk) for pk in _order(published)] == list(reversed(ids))

    assert (
        client_for(published.instructor)
        .post(_lessons_url(published, "reorder"), {"lesson_ids": ids})
        .status_code
        == 200
    )
    assert [str(pk) for pk in _order(published)] == ids


@postgres_only
def test_swapping_two_lessons_does_not_trip_the_unique_order_index(instructor_client, published):
    first, second, third = _order(published)

    response = instructor_client.post(
        _lessons_url(published, "reorder"), {"lesson_ids": [str(second), str(first), str(third)]}
    )

    assert response.status_code == 200
    assert _order(published) == [second, first, third]
    assert _indexes(published) == [1, 2, 3]
    # And straight back, then reversed: every lesson moves onto a number another lesson held.
    back = instructor_client.post(
        _lessons_url(published, "reorder"), {"lesson_ids": [str(first), str(second), str(third)]}
    )
    assert back.status_code == 200
    reverse = instructor_client.post(
        _lessons_url(published, "reorder"), {"lesson_ids": [str(third), str(second), str(first)]}
    )
    assert reverse.status_code == 200
    assert _order(published) == [third, second, first]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_reorders_of_one_course_all_succeed_and_leave_one_of_the_orders():
    course = CourseFactory(is_published=True)
    lessons = [str(lesson.id) for lesson in LessonFactory.create_batch(6, course=course)]
    forward, backward = [*lessons[3:], *lessons[:3]], list(reversed(lessons))
    token = f"Bearer {issue_token_pair(course.instructor).access_token}"

    def reorder(lesson_ids: list[str]) -> Callable[[], int]:
        def send() -> int:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=token)
            return client.post(_lessons_url(course, "reorder"), {"lesson_ids": lesson_ids}).status_code

        return send

    statuses = run_concurrently([reorder(forward), reorder(backward)] * 3)

    assert statuses == [200] * 6
    assert [str(pk) for pk in _order(course)] in (forward, backward)
    assert _indexes(course) == [1, 2, 3, 4, 5, 6]


def test_a_lesson_deleted_while_its_edit_is_in_flight_is_a_404(instructor_client, locked, monkeypatch):
    # Found by schema fuzzing (two workers): the view looked the lesson up, a concurrent DELETE removed
    # it, and the service's locking re-read (`.get(pk=...)`) raised DoesNotExist: a 500.
    from courses import selectors

    looked_up = selectors.lesson_get_managed

    def look_up_then_lose_the_race(**kwargs: Any) -> Lesson:
        lesson = looked_up(**kwargs)
        Lesson.objects.filter(pk=lesson.pk).delete()
        return lesson

    monkeypatch.setattr(selectors, "lesson_get_managed", look_up_then_lose_the_race)

    response = instructor_client.patch(_lesson_url(locked), {"title": "Too late"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert not Lesson.objects.filter(pk=locked.pk).exists()


@pytest.mark.parametrize("metadata", [{"note": "a\x00b"}, {"a\x00": 1}, {"list": [["ok", "\x00"]]}])
def test_a_nul_character_anywhere_in_metadata_is_a_400(instructor_client, published, metadata):
    # Found by schema fuzzing: PostgreSQL's jsonb cannot store \u0000, so the INSERT failed (a 500).
    response = instructor_client.post(
        _lessons_url(published), {"title": "Nul", "lesson_type": "text", "metadata": metadata}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == {"metadata": ["Null characters are not allowed."]}
    assert not Lesson.objects.filter(course=published, title="Nul").exists()

    course_response = instructor_client.patch(
        f"/api/v1/courses/{published.id}", {"metadata": metadata}, format="json"
    )
    assert course_response.status_code == 400
    assert course_response.json()["errors"] == {"metadata": ["Null characters are not allowed."]}
    published.refresh_from_db()
    assert published.metadata != metadata
