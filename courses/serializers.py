"""Shapes of the courses and lessons API (contract section 4)."""

from __future__ import annotations

from typing import Any

from django.core.validators import URLValidator
from django.utils import timezone
from rest_framework import serializers

from lms_project.serializers import InputSerializer

from .models import Difficulty, LessonType, average_rating
from .selectors import COURSE_ROW_FIELDS, ORDERING_CHOICES


class InstructorBrief(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class CourseOut(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    instructor_id = serializers.UUIDField()
    instructor = InstructorBrief()
    category = serializers.CharField(allow_null=True)
    difficulty_level = serializers.ChoiceField(choices=Difficulty.choices, allow_null=True)
    is_published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    thumbnail_url = serializers.CharField(allow_null=True)
    estimated_duration_minutes = serializers.IntegerField(allow_null=True)
    metadata = serializers.JSONField()
    lessons_count = serializers.IntegerField()
    enrollments_count = serializers.IntegerField()
    average_rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def _http_url() -> serializers.CharField:
    """An absolute http(s) URL (DRF's URLField would also take ftp://)."""
    return serializers.CharField(
        max_length=1024,
        required=False,
        allow_null=True,
        validators=[URLValidator(schemes=["http", "https"], message="Enter a valid http(s) URL.")],
    )


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _reject_nul(value: Any) -> None:
    # PostgreSQL's jsonb cannot hold \u0000 (the INSERT failed: a 500). DRF's CharField already
    # refuses it; a free-form object needs the same check, keys included. Found by schema fuzzing.
    if _has_nul(value):
        raise serializers.ValidationError("Null characters are not allowed.")


def _metadata() -> serializers.DictField:
    return serializers.DictField(
        required=False,
        allow_null=True,
        validators=[_reject_nul],
        help_text="A JSON object of your own. No key or string in it may contain U+0000.",
    )


class _CourseFields(InputSerializer):
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=20_000)
    category = serializers.CharField(required=False, allow_null=True, max_length=100)
    difficulty_level = serializers.ChoiceField(choices=Difficulty.choices, required=False, allow_null=True)
    thumbnail_url = _http_url()
    estimated_duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1_000_000
    )
    metadata = _metadata()


class CourseCreateIn(_CourseFields):
    title = serializers.CharField(min_length=3, max_length=255)
    slug = serializers.SlugField(required=False, max_length=255)

    def validate_slug(self, value: str) -> str:
        return value.lower()


class CourseUpdateIn(_CourseFields):
    title = serializers.CharField(min_length=3, max_length=255, required=False)


class CourseListQuery(InputSerializer):
    mine = serializers.BooleanField(required=False, default=False)
    category = serializers.CharField(required=False, max_length=100)
    difficulty_level = serializers.ChoiceField(choices=Difficulty.choices, required=False)
    instructor_id = serializers.UUIDField(required=False)
    search = serializers.CharField(required=False, max_length=255, allow_blank=True)
    ordering = serializers.ChoiceField(choices=ORDERING_CHOICES, required=False)
    updated_since = serializers.DateTimeField(required=False)


class LessonOut(serializers.Serializer):
    id = serializers.UUIDField()
    course_id = serializers.UUIDField()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    content = serializers.CharField(allow_null=True)
    lesson_type = serializers.ChoiceField(choices=LessonType.choices)
    order_index = serializers.IntegerField()
    parent_lesson_id = serializers.UUIDField(allow_null=True)
    duration_minutes = serializers.IntegerField(allow_null=True)
    video_url = serializers.CharField(allow_null=True)
    is_preview = serializers.BooleanField()
    metadata = serializers.JSONField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class LessonListItemOut(LessonOut):
    """A lesson in a list: everything but `content`."""

    content = None


class _LessonFields(InputSerializer):
    slug = serializers.SlugField(required=False, max_length=255)
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=20_000)
    content = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=1_000_000)
    parent_lesson_id = serializers.UUIDField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100_000
    )
    video_url = _http_url()
    is_preview = serializers.BooleanField(required=False)
    metadata = _metadata()


class LessonCreateIn(_LessonFields):
    title = serializers.CharField(min_length=3, max_length=255)
    lesson_type = serializers.ChoiceField(choices=LessonType.choices)
    order_index = serializers.IntegerField(required=False, min_value=1, max_value=100_000)


class LessonUpdateIn(_LessonFields):
    title = serializers.CharField(min_length=3, max_length=255, required=False)
    lesson_type = serializers.ChoiceField(choices=LessonType.choices, required=False)
    order_index = serializers.IntegerField(required=False, min_value=1, max_value=100_000)


class LessonReorderIn(InputSerializer):
    lesson_ids = serializers.ListField(child=serializers.UUIDField(), max_length=5000)


# Lean output for the hot read paths (issue 7). The DRF serializers above stay the contract and the
# OpenAPI schema; these functions build the same dicts (same keys, order and formats: tests assert
# `course_to_dict(c) == CourseOut(c).data`) without DRF's per-field machinery.

_DATETIME = serializers.DateTimeField()
_AVERAGE_RATING = serializers.DecimalField(max_digits=3, decimal_places=2)


def datetime_out(value: Any, tz: Any = None) -> str | None:
    """`serializers.DateTimeField().to_representation` (ISO 8601 in the current time zone, `Z` for
    UTC) with a fast path for the aware datetimes the ORM returns. The dict builders pass `tz`, read
    once per row: the current time zone lives in an asgiref Local, slow to read 60 times a page."""
    if not value:
        return None
    if isinstance(value, str) or value.tzinfo is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def course_to_dict(course: Any) -> dict[str, Any]:
    """`CourseOut(course).data` as a plain dict (the course with its instructor loaded)."""
    row = {field: getattr(course, field) for field in COURSE_ROW_FIELDS if "__" not in field}
    row["instructor__full_name"] = None if course.instructor_id is None else course.instructor.full_name
    return course_row_to_dict(row)


def course_row_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """`CourseOut(course).data` from a row of `selectors.COURSE_ROW_FIELDS`."""
    instructor_id = row["instructor_id"]
    rating = average_rating(row["rating_sum"], row["rating_count"])
    tz = timezone.get_current_timezone()
    return {
        "id": str(row["id"]),
        "title": str(row["title"]),
        "slug": str(row["slug"]),
        "description": _str(row["description"]),
        "instructor_id": _str(instructor_id),
        "instructor": None
        if instructor_id is None
        else {"id": str(instructor_id), "full_name": str(row["instructor__full_name"])},
        "category": _str(row["category"]),
        "difficulty_level": _str(row["difficulty_level"]),
        "is_published": bool(row["is_published"]),
        "published_at": datetime_out(row["published_at"], tz),
        "thumbnail_url": _str(row["thumbnail_url"]),
        "estimated_duration_minutes": _int(row["estimated_duration_minutes"]),
        "metadata": row["metadata"],
        "lessons_count": _int(row["lessons_count"]),
        "enrollments_count": _int(row["enrollments_count"]),
        "average_rating": None if rating is None else _AVERAGE_RATING.to_representation(rating),
        "created_at": datetime_out(row["created_at"], tz),
        "updated_at": datetime_out(row["updated_at"], tz),
    }


def lesson_list_item_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """`LessonListItemOut(lesson).data` from a row of `selectors.LESSON_ROW_FIELDS` (no `content`)."""
    tz = timezone.get_current_timezone()
    return {
        "id": str(row["id"]),
        "course_id": str(row["course_id"]),
        "title": str(row["title"]),
        "slug": str(row["slug"]),
        "description": _str(row["description"]),
        "lesson_type": _str(row["lesson_type"]),
        "order_index": _int(row["order_index"]),
        "parent_lesson_id": _str(row["parent_lesson_id"]),
        "duration_minutes": _int(row["duration_minutes"]),
        "video_url": _str(row["video_url"]),
        "is_preview": bool(row["is_preview"]),
        "metadata": row["metadata"],
        "created_at": datetime_out(row["created_at"], tz),
        "updated_at": datetime_out(row["updated_at"], tz),
    }
