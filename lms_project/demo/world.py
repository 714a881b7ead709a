"""The small, hand-written demo world, created through the apps' services so every counter is right.

Each step creates what is missing and leaves existing rows alone (it does not repair or update
them), so running the command again changes nothing.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role, User
from accounts.services import user_create
from courses.models import Course, Lesson
from courses.services import course_create, course_publish, lesson_create
from enrollments.models import Enrollment, LessonProgress
from enrollments.services import enrollment_enroll, progress_update
from lms_project.exceptions import Conflict

from . import content
from .base import DEMO_ACCOUNTS, DEMO_INSTRUCTOR, DEMO_STUDENT, SeedReport


def seed_accounts(report: SeedReport) -> None:
    """The three demo logins. An existing account keeps its password, name and role."""
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(email=account.email).exists():
            report.count("demo users", existing=1)
            continue
        try:
            user_create(
                email=account.email, password=account.password, full_name=account.full_name, role=account.role
            )
        except Conflict:  # created by a concurrent run between the check and the insert
            report.count("demo users", existing=1)
        else:
            report.count("demo users", created=1)


def _seed_course(
    report: SeedReport,
    instructor: User,
    fields: dict[str, Any],
    lessons: tuple[dict[str, Any], ...],
    *,
    publish: bool,
) -> None:
    existing = Course.objects.filter(slug=fields["slug"]).first()
    if existing is not None:
        report.count("demo courses", existing=1)
        report.count("demo lessons", existing=Lesson.objects.filter(course=existing).count())
        return
    course = course_create(instructor=instructor, **fields)
    for lesson in lessons:
        lesson_create(course=course, data=lesson)
    if publish:
        course_publish(course=course)
    report.count("demo courses", created=1)
    report.count("demo lessons", created=len(lessons))


def seed_courses(report: SeedReport) -> None:
    """ "Python from Zero" (published, six lessons of every kind) and a draft, both owned by the demo
    instructor. A course whose slug exists is left as it is, whoever owns it."""
    instructor = User.objects.filter(email=DEMO_INSTRUCTOR.email).first()
    if instructor is None or instructor.role not in (Role.INSTRUCTOR, Role.ADMIN):
        report.note(f"demo courses skipped: {DEMO_INSTRUCTOR.email} is not an instructor account")
        return
    _seed_course(report, instructor, content.PYTHON_COURSE, content.PYTHON_LESSONS, publish=True)
    _seed_course(report, instructor, content.DRAFT_COURSE, content.DRAFT_LESSONS, publish=False)


def seed_enrollments(report: SeedReport) -> None:
    """The demo student in "Python from Zero": two lessons completed, the third under way.

    Through `progress_update`, so the enrollment's counters and percentage come from the same rules
    as the API's. An existing enrollment is left as it is (the student may have moved on since).
    """
    student = User.objects.filter(email=DEMO_STUDENT.email, role=Role.STUDENT).first()
    course = Course.objects.filter(slug=content.PYTHON_COURSE_SLUG, is_published=True).first()
    if student is None or course is None:
        report.note(
            f"demo enrollment skipped: needs the student {DEMO_STUDENT.email} and the published course "
            f"{content.PYTHON_COURSE_SLUG!r}"
        )
        return
    if Enrollment.objects.filter(student=student, course=course).exists():
        report.count("demo enrollments", existing=1)
        report.count(
            "demo lesson progress",
            existing=LessonProgress.objects.filter(
                enrollment__student=student, enrollment__course=course
            ).count(),
        )
        return
    enrollment, _ = enrollment_enroll(actor=student, course_id=course.pk)
    lessons = Lesson.objects.filter(course=course).order_by("order_index")[: len(content.DEMO_PROGRESS)]
    for lesson, data in zip(lessons, content.DEMO_PROGRESS, strict=False):
        progress_update(user=student, enrollment=enrollment, lesson_id=lesson.pk, data=dict(data))
    report.count("demo enrollments", created=1)
    report.count("demo lesson progress", created=len(lessons))
