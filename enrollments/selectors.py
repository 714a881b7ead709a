"""Reads of enrollments, scoped to the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from courses.models import Course
from courses.selectors import is_manager
from lms_project.exceptions import NotFound

from .models import Enrollment, EnrollmentStatus

_COURSE_BRIEF = ("course__id", "course__title", "course__slug")


def _with_course() -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related("course").only(
        *[f.name for f in Enrollment._meta.concrete_fields], *_COURSE_BRIEF
    )


def enrollment_get(*, enrollment_id: Any, user: Any) -> Enrollment:
    """An enrollment the caller may read: its student, or a manager of its course (404 otherwise)."""
    enrollment = (
        Enrollment.objects.select_related("course").filter(pk=enrollment_id).first()
        if user and user.is_authenticated
        else None
    )
    if enrollment is None or not (enrollment.student_id == user.pk or is_manager(user, enrollment.course)):
        raise NotFound("Enrollment not found.")
    return enrollment


def is_enrolled(*, user: Any, course: Course) -> bool:
    """The user has an active or completed enrollment in the course (dropped and expired do not count)."""
    return bool(
        user
        and user.is_authenticated
        and Enrollment.objects.filter(
            student_id=user.pk,
            course_id=course.pk,
            status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED],
        ).exists()
    )


def enrollment_list_for_student(
    *, student: Any, status: str | None = None, updated_since: datetime | None = None
) -> QuerySet[Enrollment]:
    """my-courses: the caller's enrollments, newest first."""
    qs = _with_course().filter(student_id=student.pk)
    if status:
        qs = qs.filter(status=status)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs.order_by("-enrolled_at", "-id")


def enrollment_list_for_course(
    *, course: Course, status: str | None = None, updated_since: datetime | None = None
) -> QuerySet[Enrollment]:
    """The roster of a course, newest first (managers only; the view checks)."""
    qs = _with_course().filter(course_id=course.pk)
    if status:
        qs = qs.filter(status=status)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs.order_by("-enrolled_at", "-id")


def enrollment_stats(*, course: Course) -> dict[str, Any]:
    """Counts by status and the mean progress over every enrollment, in one aggregate query."""
    figures = Enrollment.objects.filter(course_id=course.pk).aggregate(
        total_enrollments=Count("pk"),
        active_enrollments=Count("pk", filter=Q(status=EnrollmentStatus.ACTIVE)),
        completed_enrollments=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
        dropped_enrollments=Count("pk", filter=Q(status=EnrollmentStatus.DROPPED)),
        average_progress=Avg("progress_percentage"),
    )
    return {"course_id": course.pk, **figures}
