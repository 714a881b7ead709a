from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q

from courses.models import Course, Lesson
from enrollments.models import Enrollment
from lms_project.constraints import value_in


class QuizType(models.TextChoices):
    PRACTICE = "practice", "Practice"
    GRADED = "graded", "Graded"


class QuestionType(models.TextChoices):
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    MULTIPLE_SELECT = "multiple_select", "Multiple select"
    TRUE_FALSE = "true_false", "True / false"
    SHORT_ANSWER = "short_answer", "Short answer"
    ESSAY = "essay", "Essay"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted (awaiting grading)"
    GRADED = "graded", "Graded"
    EXPIRED = "expired", "Expired"


FINISHED_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.GRADED, AttemptStatus.EXPIRED)


class Quiz(models.Model):
    """A quiz of a course, attached to at most one lesson (one quiz per lesson).

    `total_questions` and `total_points` are kept by the question services under the quiz row lock.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    # PROTECT through attempts: a lesson whose quiz has attempts cannot be deleted (history).
    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="quiz"
    )
    title = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    quiz_type = models.CharField(max_length=20, choices=QuizType.choices, default=QuizType.GRADED)
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    passing_score = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("70.00"))
    max_attempts = models.PositiveIntegerField(null=True, blank=True)
    shuffle_questions = models.BooleanField(default=True)
    shuffle_options = models.BooleanField(default=True)
    show_correct_answers = models.BooleanField(default=True)
    is_published = models.BooleanField(default=False)
    total_questions = models.PositiveIntegerField(default=0, editable=False)
    total_points = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "quizzes"
        ordering = ["course", "created_at"]
        constraints = [
            models.CheckConstraint(condition=value_in("quiz_type", QuizType), name="quiz_type_valid"),
            models.CheckConstraint(
                condition=Q(passing_score__gte=0, passing_score__lte=100), name="quiz_passing_score_0_to_100"
            ),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gte=1),
                name="quiz_time_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1),
                name="quiz_max_attempts_positive",
            ),
        ]
        indexes = [models.Index(fields=["course", "created_at"], name="quiz_course_idx")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question. `options` is a list of `{option_id, option_text, is_correct}` (choice types);
    `correct_answer` holds "true"/"false" or the expected short answer; `accepted_answers` more of
    those. Shapes per type are checked by `quizzes.services.question_validate`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    question_text = models.TextField()
    question_type = models.CharField(max_length=20, choices=QuestionType.choices)
    points = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1.00"))
    explanation = models.TextField(null=True, blank=True)
    options = models.JSONField(null=True, blank=True)
    correct_answer = models.TextField(null=True, blank=True)
    accepted_answers = models.JSONField(null=True, blank=True)
    order_index = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quiz", "order_index"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "order_index"], name="question_unique_order_in_quiz"),
            models.CheckConstraint(
                condition=value_in("question_type", QuestionType), name="question_type_valid"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="question_points_not_negative"),
        ]

    def __str__(self) -> str:
        return self.question_text[:60]


class Attempt(models.Model):
    """One student's attempt at a quiz. The per-attempt question and option order is frozen at start,
    so a reload shows the same paper."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: attempts are grading history.
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    attempt_number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    percentage = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    is_passed = models.BooleanField(null=True, blank=True)
    time_taken_seconds = models.PositiveIntegerField(null=True, blank=True)
    question_order = models.JSONField(default=list)
    option_order = models.JSONField(default=dict)

    class Meta:
        ordering = ["quiz", "attempt_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "quiz", "attempt_number"], name="attempt_unique_number"
            ),
            # At most one attempt in progress per student and quiz, whatever the code path.
            models.UniqueConstraint(
                fields=["enrollment", "quiz"],
                condition=Q(status="in_progress"),
                name="attempt_one_in_progress",
            ),
            models.CheckConstraint(condition=value_in("status", AttemptStatus), name="attempt_status_valid"),
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) | Q(percentage__gte=0, percentage__lte=100),
                name="attempt_percentage_0_to_100",
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "status"], name="attempt_quiz_status_idx"),
            # The expiry sweep: in-progress attempts by deadline.
            models.Index(fields=["status", "deadline_at"], name="attempt_status_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.attempt_number} of {self.quiz_id}"


class Answer(models.Model):
    """One answer of one attempt: a row per question, so statistics are SQL aggregates."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    selected_option_id = models.CharField(max_length=100, null=True, blank=True)
    selected_option_ids = models.JSONField(null=True, blank=True)
    answer_text = models.TextField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    points_earned = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_unique_per_question"),
            models.CheckConstraint(
                condition=Q(points_earned__isnull=True) | Q(points_earned__gte=0),
                name="answer_points_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["question", "is_correct"], name="answer_question_correct_idx")]

    def __str__(self) -> str:
        return f"Answer to “{self.question}”"
