from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from courses.models import Course, Lesson
from lms_project.constraints import value_in


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DROPPED = "dropped", "Dropped"
    EXPIRED = "expired", "Expired"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class Enrollment(models.Model):
    """One student in one course. The counters are kept by the progress service in the same
    transaction as the progress row they summarise, and re-computed in bulk by the background job.

    PROTECT on both sides: an enrollment is history (progress, quiz attempts, certificates); deleting
    the user or the course must be refused, not cascade silently.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No single-column indexes: (student, course) and (course, status) below lead with these columns.
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments", db_index=False
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments", db_index=False)
    status = models.CharField(
        max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    progress_percentage = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    completed_lessons_count = models.PositiveIntegerField(default=0)
    total_lessons_count = models.PositiveIntegerField(default=0)
    total_time_spent_seconds = models.PositiveBigIntegerField(default=0)
    last_accessed_at = models.DateTimeField(null=True, blank=True)
    certificate_issued_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    review = models.TextField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "course"], name="enrollment_unique_student_course"),
            models.CheckConstraint(
                condition=value_in("status", EnrollmentStatus), name="enrollment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="enrollment_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(progress_percentage__gte=0, progress_percentage__lte=100),
                name="enrollment_progress_0_to_100",
            ),
        ]
        indexes = [
            # my-courses: a student's enrollments newest first.
            models.Index(fields=["student", "-enrolled_at"], name="enrollment_student_newest_idx"),
            # Roster and stats of a course (filter by status), enrollments per day.
            models.Index(fields=["course", "status"], name="enrollment_course_status_idx"),
            models.Index(fields=["course", "-enrolled_at"], name="enrollment_course_newest_idx"),
            models.Index(fields=["updated_at"], name="enrollment_updated_idx"),
        ]

    def __str__(self) -> str:
        # Shown on admin pages (delete confirmations, links), which load these relations.
        return f"{self.student} in {self.course}"


class LessonProgress(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No single-column indexes: (enrollment, lesson) and (lesson, status) below lead with these columns.
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="progress", db_index=False
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress", db_index=False)
    status = models.CharField(
        max_length=20, choices=ProgressStatus.choices, default=ProgressStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    last_position_seconds = models.PositiveIntegerField(default=0)
    completion_percentage = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    notes = models.TextField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            # Also the index behind "this enrollment's progress".
            models.UniqueConstraint(
                fields=["enrollment", "lesson"], name="progress_unique_enrollment_lesson"
            ),
            models.CheckConstraint(
                condition=value_in("status", ProgressStatus), name="progress_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(completion_percentage__gte=0, completion_percentage__lte=100),
                name="progress_percentage_0_to_100",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProgressStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="progress_completed_has_date",
            ),
        ]
        indexes = [
            # Lesson funnel and recomputation: completed rows per lesson.
            models.Index(fields=["lesson", "status"], name="progress_lesson_status_idx"),
            # Recent activity (analytics).
            models.Index(fields=["enrollment", "completed_at"], name="progress_enrollment_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}/{self.lesson_id}: {self.status}"
