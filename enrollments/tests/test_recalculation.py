"""Recomputation of the counters: `recalculate_progress`, `recount_course_counters` and their tasks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from accounts.models import User
from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments import services, tasks
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db

COUNTERS = (
    "status",
    "completed_at",
    "completed_lessons_count",
    "total_lessons_count",
    "total_time_spent_seconds",
    "progress_percentage",
)


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


def _record(student: User, enrollment: Enrollment, lesson: Lesson, **data) -> None:
    services.progress_update(user=student, enrollment=enrollment, lesson_id=lesson.pk, data=data)


def _counters(enrollment: Enrollment) -> tuple:
    enrollment.refresh_from_db()
    return tuple(getattr(enrollment, field) for field in COUNTERS)


def _learner(course: Course, lessons: list[Lesson], *, done: int, seconds: int = 0) -> Enrollment:
    """A new student who completed the first `done` lessons and spent `seconds` on the next one."""
    student = StudentFactory()
    enrollment = EnrollmentFactory(student=student, course=course)
    for lesson in lessons[:done]:
        _record(student, enrollment, lesson, status=ProgressStatus.COMPLETED)
    if seconds:
        _record(student, enrollment, lessons[done], time_spent_seconds=seconds)
    return enrollment


def _corrupt(*enrollments: Enrollment) -> None:
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(
        completed_lessons_count=0,
        total_lessons_count=99,
        total_time_spent_seconds=12345,
        progress_percentage=Decimal("99.99"),
    )


# --- recalculate_progress --------------------------------------------------------------------------


def test_the_course_task_restores_corrupted_enrollment_counters(course, lessons):
    halfway = _learner(course, lessons, done=1, seconds=240)
    beginner = _learner(course, lessons, done=0, seconds=30)
    expected = {halfway.pk: _counters(halfway), beginner.pk: _counters(beginner)}
    assert expected[halfway.pk][2:] == (1, 3, 240, Decimal("33.33"))
    _corrupt(halfway, beginner)
    assert _counters(halfway) != expected[halfway.pk]

    updated = tasks.recalculate_course_progress(str(course.pk))

    assert updated == 2
    assert _counters(halfway) == expected[halfway.pk]
    assert _counters(beginner) == expected[beginner.pk]


def test_recalculating_one_course_leaves_other_courses_alone(course, lessons, instructor):
    other_course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory(course=other_course)
    elsewhere = EnrollmentFactory(course=other_course)
    _corrupt(elsewhere)

    tasks.recalculate_course_progress(str(course.pk))

    elsewhere.refresh_from_db()
    assert (elsewhere.total_lessons_count, elsewhere.progress_percentage) == (99, Decimal("99.99"))


def test_recalculation_is_idempotent(course, lessons):
    enrollments = [_learner(course, lessons, done=done, seconds=60) for done in (0, 1, 2)]
    _corrupt(*enrollments)

    services.recalculate_progress(course_id=course.pk)
    once = [_counters(e) for e in enrollments]
    services.recalculate_progress(course_id=course.pk)

    assert [_counters(e) for e in enrollments] == once
    assert [row[2:] for row in once] == [
        (0, 3, 60, Decimal("0.00")),
        (1, 3, 60, Decimal("33.33")),
        (2, 3, 60, Decimal("66.67")),
    ]


PERCENTAGE_CASES = [
    *[(done, total) for total in range(1, 13) for done in range(total + 1)],
    (1, 16),  # 6.25, exact
    (1, 32),  # 3.125: half up to 3.13
    (3, 160),  # 1.875: half up to 1.88
    (1, 4000),  # 0.025: half up to 0.03, not a binary fraction
    (2, 3000),  # 0.0666...: 0.07
    (7, 3),  # more done than exist (a lesson was removed): capped at 100
    (0, 0),  # a course without lessons
]


def test_the_sql_percentage_agrees_with_the_python_one(course):
    enrollment = EnrollmentFactory(course=course)
    rows = Enrollment.objects.filter(pk=enrollment.pk)
    results = {}
    for done, total in PERCENTAGE_CASES:
        rows.update(completed_lessons_count=done, total_lessons_count=total)
        rows.update(progress_percentage=services.PROGRESS_PERCENTAGE_SQL)
        results[(done, total)] = rows.values_list("progress_percentage", flat=True).get()

    assert results == {case: services.percentage(*case) for case in PERCENTAGE_CASES}
    assert (results[(1, 3)], results[(2, 3)], results[(1, 32)]) == (
        Decimal("33.33"),
        Decimal("66.67"),
        Decimal("3.13"),
    )


def test_recalculation_costs_the_same_queries_for_3_and_30_enrollments(
    course, lessons, django_assert_num_queries
):
    # savepoint, SELECT ... FOR NO KEY UPDATE (the enrollments' locks), UPDATE counts and time,
    # UPDATE percentage, SELECT newly finished ids, release
    EnrollmentFactory.create_batch(3, course=course)
    with django_assert_num_queries(6):
        assert services.recalculate_progress(course_id=course.pk) == 3

    EnrollmentFactory.create_batch(27, course=course)
    with django_assert_num_queries(6):
        assert services.recalculate_progress(course_id=course.pk) == 30


def test_completing_many_enrollments_at_once_costs_one_more_query(course, lessons, django_assert_num_queries):
    finished = [_learner(course, lessons, done=2) for _ in range(4)]
    LessonProgress.objects.filter(lesson=lessons[2]).delete()
    Lesson.objects.filter(pk=lessons[2].pk).delete()
    Course.objects.filter(pk=course.pk).update(lessons_count=2)

    # savepoint, SELECT ... FOR NO KEY UPDATE, UPDATE counts, UPDATE percentage, SELECT finished ids,
    # UPDATE their status, release
    with django_assert_num_queries(7):
        services.recalculate_progress(course_id=course.pk)

    assert Enrollment.objects.filter(pk__in=[e.pk for e in finished], status="completed").count() == 4


def test_removing_the_last_unfinished_lesson_completes_the_enrollment_once(
    student, instructor_client, course, lessons, django_capture_on_commit_callbacks
):
    enrollment = EnrollmentFactory(student=student, course=course)
    for lesson in lessons[:2]:
        _record(student, enrollment, lesson, status=ProgressStatus.COMPLETED)
    _record(student, enrollment, lessons[2], time_spent_seconds=50)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.completed_at) == (EnrollmentStatus.ACTIVE, None)

    with django_capture_on_commit_callbacks(execute=True):
        response = instructor_client.delete(f"/api/v1/lessons/{lessons[2].pk}")

    assert response.status_code == 204
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at is not None
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (2, 2)
    assert enrollment.progress_percentage == Decimal("100.00")
    assert enrollment.total_time_spent_seconds == 0  # the time went with the deleted lesson's progress
    assert [message.to for message in mail.outbox] == [[student.email]]

    completed_at = enrollment.completed_at
    with django_capture_on_commit_callbacks(execute=True):
        tasks.recalculate_course_progress(str(course.pk))
    enrollment.refresh_from_db()
    assert enrollment.completed_at == completed_at
    assert len(mail.outbox) == 1


def test_dropped_enrollments_are_recounted_but_not_completed(course, lessons):
    enrollment = _learner(course, lessons, done=3)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=EnrollmentStatus.DROPPED, completed_at=None, completed_lessons_count=0
    )

    services.recalculate_progress(course_id=course.pk)

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.completed_at) == (EnrollmentStatus.DROPPED, None)
    assert enrollment.completed_lessons_count == 3


def test_a_course_without_lessons_gives_zero_progress(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    enrollment = EnrollmentFactory(course=course)
    _corrupt(enrollment)

    services.recalculate_progress(course_id=course.pk)

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.total_lessons_count) == (EnrollmentStatus.ACTIVE, 0)
    assert enrollment.progress_percentage == Decimal("0.00")


# --- recount_course_counters and the nightly task --------------------------------------------------


def test_the_nightly_task_restores_course_and_enrollment_counters(course, lessons, student):
    enrollment = _learner(course, lessons, done=1, seconds=90)
    Enrollment.objects.filter(pk=enrollment.pk).update(rating=4, review="Good so far, thanks a lot.")
    EnrollmentFactory(course=course, status=EnrollmentStatus.DROPPED)
    Course.objects.filter(pk=course.pk).update(rating_count=1, rating_sum=4)
    expected = _counters(enrollment)
    Course.objects.filter(pk=course.pk).update(
        lessons_count=7, enrollments_count=0, rating_count=3, rating_sum=15
    )
    _corrupt(enrollment)

    result = tasks.repair_progress_drift_task()

    assert result == {"courses": Course.objects.count(), "enrollments": 2}
    course.refresh_from_db()
    assert (course.lessons_count, course.enrollments_count) == (3, 2)
    assert (course.rating_count, course.rating_sum, course.average_rating) == (1, 4, Decimal("4.00"))
    assert _counters(enrollment) == expected


def test_recounting_a_course_without_rows_gives_zeros(instructor):
    course = CourseFactory(instructor=instructor)
    Course.objects.filter(pk=course.pk).update(
        lessons_count=2, enrollments_count=5, rating_count=1, rating_sum=5
    )

    services.recount_course_counters()

    course.refresh_from_db()
    assert (course.lessons_count, course.enrollments_count, course.rating_count, course.rating_sum) == (
        0,
        0,
        0,
        0,
    )
    assert course.average_rating is None


def test_the_nightly_repair_is_idempotent(course, lessons):
    enrollment = _learner(course, lessons, done=2, seconds=15)
    _corrupt(enrollment)

    first = tasks.repair_progress_drift_task()
    state = (_counters(enrollment), Course.objects.values().get(pk=course.pk))
    second = tasks.repair_progress_drift_task()

    assert first == second
    assert (_counters(enrollment), Course.objects.values().get(pk=course.pk)) == state


def test_the_nightly_repair_is_scheduled():
    task = PeriodicTask.objects.select_related("crontab").get(
        name="Repair course and enrollment counters (nightly)"
    )

    assert task.task == "enrollments.tasks.repair_progress_drift_task"
    assert task.enabled
    assert task.queue == "progress"
    assert (task.crontab.minute, task.crontab.hour) == ("15", "2")


def test_the_course_completed_email_is_not_sent_for_an_enrollment_that_is_not_completed(course, lessons):
    enrollment = _learner(course, lessons, done=1)

    assert tasks.send_course_completed_email_task(str(enrollment.pk)) is False
    assert mail.outbox == []


def test_the_course_completed_email_is_not_sent_to_a_deactivated_student(course, lessons):
    enrollment = _learner(course, lessons, done=3)
    User.objects.filter(pk=enrollment.student_id).update(is_active=False)

    assert tasks.send_course_completed_email_task(str(enrollment.pk)) is False
    assert mail.outbox == []
    User.objects.filter(pk=enrollment.student_id).update(is_active=True)
    assert tasks.send_course_completed_email_task(str(enrollment.pk)) is True
    assert len(mail.outbox) == 1


def test_a_student_reading_the_api_sees_the_recalculated_figures(course, lessons, student):
    enrollment = _learner(course, lessons, done=0)
    Enrollment.objects.filter(pk=enrollment.pk).update(student=student)
    _record(student, enrollment, lessons[0], status=ProgressStatus.COMPLETED)
    _corrupt(enrollment)

    services.recalculate_progress(course_id=course.pk)

    body = client_for(student).get(f"/api/v1/enrollments/{enrollment.pk}").json()
    assert (body["completed_lessons_count"], body["total_lessons_count"]) == (1, 3)
    assert body["progress_percentage"] == "33.33"
