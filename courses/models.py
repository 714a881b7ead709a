from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from lms_project.constraints import value_in


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class LessonType(models.TextChoices):
    VIDEO = "video", "Video"
    TEXT = "text", "Text"
    QUIZ = "quiz", "Quiz"
    ASSIGNMENT = "assignment", "Assignment"


def average_rating(rating_sum: int, rating_count: int) -> Decimal | None:
    """Mean of the ratings to two decimals, None before the first rating (from the stored counters)."""
    if not rating_count:
        return None
    return (Decimal(rating_sum) / Decimal(rating_count)).quantize(Decimal("0.01"))


class Course(models.Model):
    """A course owned by one instructor.

    `lessons_count`, `enrollments_count`, `rating_count` and `rating_sum` are counters kept by the
    services in the same transaction as the rows they count (and re-counted nightly by the drift
    repair job), so the course list never aggregates enrollment rows per request: a course with
    10,000 enrollments costs the same to list as one with none.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    description = models.TextField(null=True, blank=True)
    # PROTECT: a user who taught courses is deactivated, never deleted with their courses.
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses")
    category = models.CharField(max_length=100, null=True, blank=True)
    difficulty_level = models.CharField(max_length=20, choices=Difficulty.choices, null=True, blank=True)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    thumbnail_url = models.URLField(max_length=1024, null=True, blank=True)
    estimated_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    lessons_count = models.PositiveIntegerField(default=0, editable=False)
    enrollments_count = models.PositiveIntegerField(default=0, editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    rating_sum = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=value_in("difficulty_level", Difficulty, nullable=True),
                name="course_difficulty_valid",
            ),
            models.CheckConstraint(
                condition=Q(estimated_duration_minutes__isnull=True) | Q(estimated_duration_minutes__gte=1),
                name="course_duration_positive",
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="course_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(rating_sum__lte=5 * models.F("rating_count")), name="course_rating_sum_valid"
            ),
        ]
        indexes = [
            # Public list: published courses newest first (the default page).
            models.Index(fields=["is_published", "-created_at"], name="course_published_newest_idx"),
            # "mine=true" and the instructor filter.
            models.Index(fields=["instructor", "-created_at"], name="course_instructor_newest_idx"),
            models.Index(fields=["category"], name="course_category_idx"),
            models.Index(fields=["difficulty_level"], name="course_difficulty_idx"),
            models.Index(fields=["-enrollments_count", "-created_at"], name="course_popular_idx"),
            models.Index(fields=["title"], name="course_title_idx"),
            models.Index(fields=["updated_at"], name="course_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def average_rating(self) -> Decimal | None:
        return average_rating(self.rating_sum, self.rating_count)


class Lesson(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255)
    description = models.TextField(null=True, blank=True)
    content = models.TextField(null=True, blank=True)
    lesson_type = models.CharField(max_length=20, choices=LessonType.choices)
    order_index = models.PositiveIntegerField()
    parent_lesson = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    video_url = models.URLField(max_length=1024, null=True, blank=True)
    is_preview = models.BooleanField(default=False)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "order_index"]
        constraints = [
            # Also the index behind "lessons of a course in order".
            models.UniqueConstraint(fields=["course", "order_index"], name="lesson_unique_order_in_course"),
            models.CheckConstraint(condition=value_in("lesson_type", LessonType), name="lesson_type_valid"),
            models.CheckConstraint(condition=Q(order_index__gte=1), name="lesson_order_positive"),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gte=1),
                name="lesson_duration_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_index}. {self.title}"
