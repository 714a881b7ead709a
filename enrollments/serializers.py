"""Shapes of the enrollments and progress API (contract section 5)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from courses.serializers import datetime_out
from lms_project.serializers import DecimalIn, InputSerializer

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
    completion_percentage = DecimalIn(
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


# The columns my-courses reads with `values()` (no model instances on the hot read path).
ENROLLMENT_ROW_FIELDS = (
    "id",
    "student_id",
    "course_id",
    "course__title",
    "course__slug",
    "status",
    "enrolled_at",
    "started_at",
    "completed_at",
    "progress_percentage",
    "completed_lessons_count",
    "total_lessons_count",
    "total_time_spent_seconds",
    "last_accessed_at",
    "certificate_issued_at",
    "rating",
    "review",
)


def enrollment_to_dict(enrollment: Any) -> dict[str, Any]:
    """`EnrollmentOut(enrollment).data` as a plain dict (the enrollment with its course loaded)."""
    row = {field: getattr(enrollment, field) for field in ENROLLMENT_ROW_FIELDS if "__" not in field}
    row["course__title"] = enrollment.course.title
    row["course__slug"] = enrollment.course.slug
    return enrollment_row_to_dict(row)


def enrollment_row_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """`EnrollmentOut(enrollment).data` from a row of ENROLLMENT_ROW_FIELDS."""
    progress = row["progress_percentage"]
    rating = row["rating"]
    review = row["review"]
    status = row["status"]
    tz = timezone.get_current_timezone()
    return {
        "id": str(row["id"]),
        "student_id": str(row["student_id"]),
        "course_id": str(row["course_id"]),
        "course": {
            "id": str(row["course_id"]),
            "title": str(row["course__title"]),
            "slug": str(row["course__slug"]),
        },
        "status": None if status is None else str(status),
        "enrolled_at": datetime_out(row["enrolled_at"], tz),
        "started_at": datetime_out(row["started_at"], tz),
        "completed_at": datetime_out(row["completed_at"], tz),
        "progress_percentage": None if progress is None else _PROGRESS.to_representation(progress),
        "completed_lessons_count": int(row["completed_lessons_count"]),
        "total_lessons_count": int(row["total_lessons_count"]),
        "total_time_spent_seconds": int(row["total_time_spent_seconds"]),
        "last_accessed_at": datetime_out(row["last_accessed_at"], tz),
        "certificate_issued_at": datetime_out(row["certificate_issued_at"], tz),
        "rating": None if rating is None else int(rating),
        "review": None if review is None else str(review),
    }
