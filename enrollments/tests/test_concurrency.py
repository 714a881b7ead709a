"""Races on real PostgreSQL connections: duplicate enrolls and progress writes count once, no 500s."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import InstructorFactory, StudentFactory
from accounts.tokens import issue_token_pair
from courses.models import Course
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress
from enrollments.tests.factories import EnrollmentFactory
from lms_project.testing import postgres_only, run_concurrently

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

THREADS = 20


def _bearer(user: User) -> str:
    return f"Bearer {issue_token_pair(user).access_token}"


def _post(token: str, url: str, body: dict | None = None) -> Callable[[], int]:
    def request() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        return client.post(url, body or {}, format="json").status_code

    return request


def _course(lessons: int) -> Course:
    course = CourseFactory(instructor=InstructorFactory(), is_published=True)
    LessonFactory.create_batch(lessons, course=course)
    course.refresh_from_db()
    return course


def test_concurrent_enrolls_of_one_student_create_one_enrollment():
    student = StudentFactory()
    course = _course(lessons=2)
    token = _bearer(student)

    statuses = run_concurrently(
        [_post(token, "/api/v1/enrollments", {"course_id": str(course.id)})] * THREADS
    )

    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert Enrollment.objects.filter(student=student, course=course).count() == 1
    course.refresh_from_db()
    assert course.enrollments_count == 1


def test_concurrent_enrolls_of_different_students_count_each_once():
    students = StudentFactory.create_batch(10)
    course = _course(lessons=1)

    statuses = run_concurrently(
        [
            _post(_bearer(student), "/api/v1/enrollments", {"course_id": str(course.id)})
            for student in students
        ]
    )

    assert statuses == [201] * 10
    course.refresh_from_db()
    assert course.enrollments_count == 10 == Enrollment.objects.filter(course=course).count()


def test_concurrent_completes_of_one_lesson_count_it_once():
    student = StudentFactory()
    course = _course(lessons=3)
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson = course.lessons.first()
    url = f"/api/v1/enrollments/{enrollment.pk}/lessons/{lesson.pk}/complete"

    statuses = run_concurrently([_post(_bearer(student), url, {"time_spent_seconds": 120})] * THREADS)

    assert statuses == [200] * THREADS
    assert LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).count() == 1
    enrollment.refresh_from_db()
    assert enrollment.completed_lessons_count == 1
    assert enrollment.progress_percentage == Decimal("33.33")
    assert enrollment.total_time_spent_seconds == 120
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_concurrent_progress_on_different_lessons_keeps_the_counters_right():
    student = StudentFactory()
    course = _course(lessons=8)
    enrollment = EnrollmentFactory(student=student, course=course)
    token = _bearer(student)
    lessons = list(course.lessons.order_by("order_index"))
    prefix = f"/api/v1/enrollments/{enrollment.pk}/lessons"

    statuses = run_concurrently(
        [_post(token, f"{prefix}/{lesson.pk}/complete", {"time_spent_seconds": 60}) for lesson in lessons]
        # the same lessons again, as a client retrying: must change nothing
        + [_post(token, f"{prefix}/{lesson.pk}/complete", {"time_spent_seconds": 60}) for lesson in lessons]
    )

    assert statuses == [200] * 16
    enrollment.refresh_from_db()
    assert LessonProgress.objects.filter(enrollment=enrollment, status="completed").count() == 8
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (8, 8)
    assert enrollment.total_time_spent_seconds == 8 * 60
    assert enrollment.progress_percentage == Decimal("100.00")
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at is not None
    assert [message.to for message in mail.outbox] == [[student.email]]  # congratulated once
