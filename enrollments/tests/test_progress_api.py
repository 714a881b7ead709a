"""Lesson progress API (contract section 5): PUT progress, POST complete, and the enrollment counters."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from accounts.models import User
from conftest import client_for
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.services import progress_update
from enrollments.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor) -> Course:
    """A published course of `instructor` with three lessons."""
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory.create_batch(3, course=course)
    course.refresh_from_db()
    return course


@pytest.fixture
def lessons(course) -> list[Lesson]:
    return list(course.lessons.order_by("order_index"))


@pytest.fixture
def enrollment(student, course) -> Enrollment:
    return EnrollmentFactory(student=student, course=course)


def _url(enrollment: Enrollment, lesson: Lesson | uuid.UUID, action: str = "progress") -> str:
    lesson_id = getattr(lesson, "pk", lesson)
    return f"/api/v1/enrollments/{enrollment.pk}/lessons/{lesson_id}/{action}"


def _put(client, enrollment: Enrollment, lesson, body: dict | None = None):
    return client.put(_url(enrollment, lesson), body or {})


def _complete(client, enrollment: Enrollment, lesson, body: dict | None = None):
    return client.post(_url(enrollment, lesson, "complete"), body or {})


def _progress(enrollment: Enrollment, lesson: Lesson) -> LessonProgress:
    return LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)


def _completion_mails(student: User) -> list:
    return [message for message in mail.outbox if message.to == [student.email]]


# --- the progress record ---------------------------------------------------------------------------


def test_the_first_write_creates_an_in_progress_record(student_client, enrollment, lessons):
    response = _put(
        student_client,
        enrollment,
        lessons[0],
        {"completion_percentage": "40.00", "time_spent_seconds": 120, "last_position_seconds": 90},
    )

    assert response.status_code == 200
    progress = _progress(enrollment, lessons[0])
    body = response.json()
    assert parse_datetime(body.pop("started_at")) == progress.started_at
    assert body == {
        "id": str(progress.id),
        "enrollment_id": str(enrollment.id),
        "lesson_id": str(lessons[0].id),
        "status": "in_progress",
        "completed_at": None,
        "time_spent_seconds": 120,
        "last_position_seconds": 90,
        "completion_percentage": "40.00",
        "notes": None,
    }
    assert progress.status == ProgressStatus.IN_PROGRESS
    assert progress.completed_at is None


def test_an_empty_first_write_still_starts_the_lesson(student_client, enrollment, lessons):
    response = _put(student_client, enrollment, lessons[0])

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert response.json()["started_at"] is not None
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 1


def test_a_100_percent_write_completes_the_lesson(student_client, enrollment, lessons):
    response = _put(student_client, enrollment, lessons[0], {"completion_percentage": 100})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["completion_percentage"]) == ("completed", "100.00")
    progress = _progress(enrollment, lessons[0])
    assert progress.status == ProgressStatus.COMPLETED
    assert parse_datetime(response.json()["completed_at"]) == progress.completed_at


def test_status_completed_completes_the_lesson_at_100_percent(student_client, enrollment, lessons):
    response = _put(student_client, enrollment, lessons[0], {"status": "completed"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["completion_percentage"]) == ("completed", "100.00")
    assert _progress(enrollment, lessons[0]).completed_at is not None


def test_completing_a_lesson_twice_keeps_the_first_completion_time(student_client, enrollment, lessons):
    first = _complete(student_client, enrollment, lessons[0])
    completed_at = _progress(enrollment, lessons[0]).completed_at

    second = _complete(student_client, enrollment, lessons[0])

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["completed_at"] == first.json()["completed_at"]
    assert _progress(enrollment, lessons[0]).completed_at == completed_at
    enrollment.refresh_from_db()
    assert enrollment.completed_lessons_count == 1


def test_the_complete_endpoint_also_records_the_time_sent(student_client, enrollment, lessons):
    response = _complete(student_client, enrollment, lessons[0], {"time_spent_seconds": 600})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["time_spent_seconds"]) == ("completed", 600)
    enrollment.refresh_from_db()
    assert enrollment.total_time_spent_seconds == 600


@pytest.mark.parametrize("status", ["in_progress", "not_started"])
def test_a_completed_lesson_cannot_go_back(student_client, enrollment, lessons, status):
    _complete(student_client, enrollment, lessons[0])

    response = _put(student_client, enrollment, lessons[0], {"status": status})

    assert response.status_code == 400
    assert response.json()["code"] == "progress_downgrade"
    assert _progress(enrollment, lessons[0]).status == ProgressStatus.COMPLETED
    enrollment.refresh_from_db()
    assert enrollment.completed_lessons_count == 1
    valid = _put(student_client, enrollment, lessons[0], {"status": "completed", "notes": "Revisited."})
    assert valid.status_code == 200
    assert valid.json()["notes"] == "Revisited."


def test_a_lower_completion_percentage_does_not_undo_progress(student_client, enrollment, lessons):
    _put(student_client, enrollment, lessons[0], {"completion_percentage": "60.00"})

    response = _put(student_client, enrollment, lessons[0], {"completion_percentage": "20.00"})

    assert response.status_code == 200
    assert response.json()["completion_percentage"] == "60.00"
    assert _progress(enrollment, lessons[0]).completion_percentage == 60


def test_time_spent_never_decreases_and_the_enrollment_adds_only_the_difference(
    student_client, enrollment, lessons
):
    assert _put(student_client, enrollment, lessons[0], {"time_spent_seconds": 300}).status_code == 200

    replay = _put(student_client, enrollment, lessons[0], {"time_spent_seconds": 100})

    assert replay.status_code == 200
    assert replay.json()["time_spent_seconds"] == 300
    enrollment.refresh_from_db()
    assert enrollment.total_time_spent_seconds == 300

    _put(student_client, enrollment, lessons[0], {"time_spent_seconds": 450})
    _put(student_client, enrollment, lessons[1], {"time_spent_seconds": 60})
    enrollment.refresh_from_db()
    assert enrollment.total_time_spent_seconds == 450 + 60
    assert _progress(enrollment, lessons[0]).time_spent_seconds == 450


def test_the_last_position_can_go_back(student_client, enrollment, lessons):
    _put(student_client, enrollment, lessons[0], {"last_position_seconds": 500})

    response = _put(student_client, enrollment, lessons[0], {"last_position_seconds": 120})

    assert response.status_code == 200
    assert response.json()["last_position_seconds"] == 120
    assert _progress(enrollment, lessons[0]).last_position_seconds == 120


def test_notes_are_kept_until_changed_or_cleared(student_client, enrollment, lessons):
    _put(student_client, enrollment, lessons[0], {"notes": "Re-watch the part on closures."})

    untouched = _put(student_client, enrollment, lessons[0], {"time_spent_seconds": 30})
    cleared = _put(student_client, enrollment, lessons[0], {"notes": None})

    assert untouched.json()["notes"] == "Re-watch the part on closures."
    assert cleared.status_code == 200
    assert cleared.json()["notes"] is None
    assert _progress(enrollment, lessons[0]).notes is None


@pytest.mark.parametrize(
    "body",
    [
        {"completion_percentage": -1},
        {"completion_percentage": 101},
        {"completion_percentage": "abc"},
        {"time_spent_seconds": -1},
        {"time_spent_seconds": "abc"},
        {"last_position_seconds": -1},
        {"status": "finished"},
    ],
)
def test_out_of_range_values_are_400(student_client, enrollment, lessons, body):
    response = _put(student_client, enrollment, lessons[0], body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["errors"]) == set(body)
    assert not LessonProgress.objects.exists()
    assert _put(student_client, enrollment, lessons[0], {"completion_percentage": 50}).status_code == 200


# --- who may write, and where ----------------------------------------------------------------------


def test_a_lesson_of_another_course_is_404(student_client, instructor, enrollment, lessons):
    elsewhere = LessonFactory(course=CourseFactory(instructor=instructor, is_published=True))

    response = _put(student_client, enrollment, elsewhere, {"status": "completed"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not LessonProgress.objects.exists()
    enrollment.refresh_from_db()
    assert (enrollment.completed_lessons_count, enrollment.last_accessed_at) == (0, None)
    assert _put(student_client, enrollment, lessons[0], {"status": "completed"}).status_code == 200


def test_an_unknown_lesson_is_404(student_client, enrollment, lessons):
    response = _complete(student_client, enrollment, uuid.uuid4())

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not LessonProgress.objects.exists()
    assert _complete(student_client, enrollment, lessons[0]).status_code == 200


@pytest.mark.parametrize("manager", ["instructor", "admin"])
def test_course_managers_cannot_record_a_students_progress(
    request, manager, student_client, enrollment, lessons
):
    response = _complete(client_for(request.getfixturevalue(manager)), enrollment, lessons[0])

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not LessonProgress.objects.exists()
    assert _complete(student_client, enrollment, lessons[0]).status_code == 200


def test_another_student_cannot_record_progress_on_my_enrollment(
    other_student, student_client, enrollment, lessons
):
    # 404, not the contract's generic 403: they may not even read the enrollment (section 0 rule).
    response = _put(client_for(other_student), enrollment, lessons[0], {"status": "completed"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not LessonProgress.objects.exists()
    assert _put(student_client, enrollment, lessons[0], {"status": "completed"}).status_code == 200


def test_a_dropped_enrollment_takes_no_progress_until_re_enrolled(
    student_client, enrollment, course, lessons
):
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.DROPPED)

    response = _complete(student_client, enrollment, lessons[0])

    assert response.status_code == 403
    assert response.json()["code"] == "enrollment_dropped"
    assert not LessonProgress.objects.exists()
    assert student_client.post("/api/v1/enrollments", {"course_id": str(course.id)}).status_code == 200
    assert _complete(student_client, enrollment, lessons[0]).status_code == 200


# --- the enrollment counters -----------------------------------------------------------------------


def test_a_write_updates_the_enrollment_counters(student_client, enrollment, lessons):
    assert enrollment.started_at is None

    _put(student_client, enrollment, lessons[0], {"time_spent_seconds": 200})
    enrollment.refresh_from_db()
    started_at = enrollment.started_at
    first_access = enrollment.last_accessed_at
    assert started_at is not None
    assert first_access is not None
    assert (enrollment.completed_lessons_count, enrollment.progress_percentage) == (0, 0)

    response = _complete(student_client, enrollment, lessons[1])

    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.started_at == started_at  # the first write started the course, once
    assert enrollment.last_accessed_at > first_access
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (1, 3)
    assert str(enrollment.progress_percentage) == "33.33"
    assert enrollment.status == EnrollmentStatus.ACTIVE
    detail = student_client.get(f"/api/v1/enrollments/{enrollment.pk}").json()
    assert (detail["progress_percentage"], detail["completed_lessons_count"]) == ("33.33", 1)
    assert detail["total_time_spent_seconds"] == 200


def test_completing_every_lesson_completes_the_enrollment_and_congratulates_once(
    student_client, student, enrollment, lessons, django_capture_on_commit_callbacks
):
    for lesson in lessons[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            _complete(student_client, enrollment, lesson)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert _completion_mails(student) == []

    with django_capture_on_commit_callbacks() as callbacks:
        response = _complete(student_client, enrollment, lessons[2])
    assert _completion_mails(student) == []  # nothing is sent before the commit
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at is not None
    assert (enrollment.completed_lessons_count, str(enrollment.progress_percentage)) == (3, "100.00")
    [congratulation] = _completion_mails(student)
    assert congratulation.subject == f"You completed {enrollment.course.title}"
    assert student.full_name in congratulation.body

    completed_at = enrollment.completed_at
    with django_capture_on_commit_callbacks(execute=True):
        assert _complete(student_client, enrollment, lessons[2]).status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.completed_at == completed_at
    assert len(_completion_mails(student)) == 1


def test_a_completed_enrollment_stays_completed_when_a_lesson_is_added(
    student_client,
    student,
    instructor_client,
    enrollment,
    course,
    lessons,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons:
            _complete(student_client, enrollment, lesson)
    enrollment.refresh_from_db()
    completed_at = enrollment.completed_at
    assert enrollment.status == EnrollmentStatus.COMPLETED

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        added = instructor_client.post(
            f"/api/v1/courses/{course.id}/lessons", {"title": "Bonus: what next", "lesson_type": "text"}
        )

    assert added.status_code == 201
    assert callbacks  # the recalculation ran after the commit
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at == completed_at
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (3, 4)
    assert str(enrollment.progress_percentage) == "75.00"

    with django_capture_on_commit_callbacks(execute=True):
        response = _complete(student_client, enrollment, added.json()["id"])

    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert (enrollment.status, str(enrollment.progress_percentage)) == ("completed", "100.00")
    assert enrollment.completed_at == completed_at
    assert len(_completion_mails(student)) == 1


def test_a_repeat_progress_write_takes_four_statements():
    """Issue 7's budget: lock the enrollment, lock the progress row, update it, update the counters."""
    course = CourseFactory(is_published=True)
    lesson = LessonFactory(course=course)
    LessonFactory(course=course)
    enrollment = EnrollmentFactory(course=course)

    def write(seconds: int) -> None:
        data = {"time_spent_seconds": seconds}
        progress_update(user=enrollment.student, enrollment=enrollment, lesson_id=lesson.id, data=data)

    write(5)
    with CaptureQueriesContext(connection) as captured:
        write(9)

    savepoints = ("SAVEPOINT", "RELEASE")
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(savepoints)]
    assert len(statements) == 4, statements
    locks = "FOR UPDATE" if connection.vendor == "postgresql" else ""  # SQLite has no row locks
    assert statements[0].startswith("SELECT") and locks in statements[0]  # the enrollment
    assert statements[1].startswith("SELECT") and locks in statements[1]  # its progress row
    assert statements[2].startswith("UPDATE") and "lessonprogress" in statements[2]
    assert statements[3].startswith("UPDATE") and "enrollment" in statements[3]
    assert LessonProgress.objects.get(enrollment=enrollment, lesson=lesson).time_spent_seconds == 9
