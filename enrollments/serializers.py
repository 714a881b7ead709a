"""Shapes of the enrollments and progress API (contract section 5)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from courses.serializers import datetime_out
from lms_project.serializers import InputSerializer

from .models import EnrollmentStatus, ProgressStatus


class CourseBrief(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    slug = serializers.CharField()


class EnrollmentOut(serializers.Serializer):
    id = serializers.UUIDField()
    student_id = serializers.UUIDField()
    course_id = serializers.UUIDField()
    course = CourseBrief()
    status = serializers.ChoiceField(choices=EnrollmentStatus.choices)
    enrolled_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    progress_percentage = serializers.DecimalField(max_digits=5, decimal_places=2)
    completed_lessons_count = serializers.IntegerField()
    total_lessons_count = serializers.IntegerField()
    total_time_spent_seconds = serializers.IntegerField()
    last_accessed_at = serializers.DateTimeField(allow_null=True)
    certificate_issued_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
    review = serializers.CharField(allow_null=True)


class EnrollmentStatsOut(serializers.Serializer):
    course_id = serializers.UUIDField()
    total_enrollments = serializers.IntegerField()
    active_enrollments = serializers.IntegerField()
    completed_enrollments = serializers.IntegerField()
    dropped_enrollments = serializers.IntegerField()
    average_progress = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ProgressOut(serializers.Serializer):
    id = serializers.UUIDField()
    enrollment_id = serializers.UUIDField()
    lesson_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ProgressStatus.choices)
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    time_spent_seconds = serializers.IntegerField()
    last_position_seconds = serializers.IntegerField()
    completion_percentage = serializers.DecimalField(max_digits=5, decimal_places=2)
    notes = serializers.CharField(allow_null=True)


class EnrollIn(InputSerializer):
    course_id = serializers.UUIDField()
    student_id = serializers.UUIDField(required=False, help_text="Admins only: enroll this student.")


class EnrollmentListQuery(InputSerializer):
    status = serializers.ChoiceField(choices=EnrollmentStatus.choices, required=False)
    updated_since = serializers.DateTimeField(required=False)


class ProgressIn(InputSerializer):
    status = serializers.ChoiceField(choices=ProgressStatus.choices, required=False)
    completion_percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    time_spent_seconds = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)
    last_position_seconds = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)
    notes = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=10_000)


class ReviewIn(InputSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    review = serializers.CharField(min_length=10, max_length=2000)


# Lean output for my-courses (issue 7): the same dict as `EnrollmentOut(enrollment).data` (tests
# assert it) without DRF's per-field machinery; EnrollmentOut stays the contract and the schema.

_PROGRESS = serializers.DecimalField(max_digits=5, decimal_places=2)


def enrollment_to_dict(enrollment: Any) -> dict[str, Any]:
    """`EnrollmentOut(enrollment).data` as a plain dict (the enrollment with its course loaded)."""
    course = enrollment.course
    progress = enrollment.progress_percentage
    rating = enrollment.rating
    review = enrollment.review
    tz = timezone.get_current_timezone()
    return {
        "id": str(enrollment.id),
        "student_id": str(enrollment.student_id),
        "course_id": str(enrollment.course_id),
        "course": None
        if course is None
        else {"id": str(course.id), "title": str(course.title), "slug": str(course.slug)},
        "status": None if enrollment.status is None else str(enrollment.status),
        "enrolled_at": datetime_out(enrollment.enrolled_at, tz),
        "started_at": datetime_out(enrollment.started_at, tz),
        "completed_at": datetime_out(enrollment.completed_at, tz),
        "progress_percentage": None if progress is None else _PROGRESS.to_representation(progress),
        "completed_lessons_count": int(enrollment.completed_lessons_count),
        "total_lessons_count": int(enrollment.total_lessons_count),
        "total_time_spent_seconds": int(enrollment.total_time_spent_seconds),
        "last_accessed_at": datetime_out(enrollment.last_accessed_at, tz),
        "certificate_issued_at": datetime_out(enrollment.certificate_issued_at, tz),
        "rating": None if rating is None else int(rating),
        "review": None if review is None else str(review),
    }
