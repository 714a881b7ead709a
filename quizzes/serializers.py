"""Shapes of the quizzes API (contract section 6).

Answer data (`correct_answer`, `accepted_answers`, `options[].is_correct`, `explanation`) appears only
in the manager shapes (`QuestionManagerOut`). Everything a student or the public can receive is built
from the public shapes, which do not have those fields at all.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from lms_project.serializers import DecimalIn, InputSerializer

from .models import AttemptStatus, QuestionType, QuizType


class QuizOut(serializers.Serializer):
    id = serializers.UUIDField()
    course_id = serializers.UUIDField()
    lesson_id = serializers.UUIDField(allow_null=True)
    title = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    quiz_type = serializers.ChoiceField(choices=QuizType.choices)
    time_limit_minutes = serializers.IntegerField(allow_null=True)
    passing_score = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_attempts = serializers.IntegerField(allow_null=True)
    shuffle_questions = serializers.BooleanField()
    shuffle_options = serializers.BooleanField()
    show_correct_answers = serializers.BooleanField()
    is_published = serializers.BooleanField()
    total_questions = serializers.IntegerField()
    total_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class _QuizFields(InputSerializer):
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=20_000)
    quiz_type = serializers.ChoiceField(choices=QuizType.choices, required=False)
    time_limit_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=10_000
    )
    passing_score = DecimalIn(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)
    max_attempts = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)
    shuffle_questions = serializers.BooleanField(required=False)
    shuffle_options = serializers.BooleanField(required=False)
    show_correct_answers = serializers.BooleanField(required=False)


class QuizCreateIn(_QuizFields):
    title = serializers.CharField(min_length=3, max_length=255)
    lesson_id = serializers.UUIDField(required=False, allow_null=True)


class QuizUpdateIn(_QuizFields):
    title = serializers.CharField(min_length=3, max_length=255, required=False)
    lesson_id = serializers.UUIDField(required=False, allow_null=True)
    is_published = serializers.BooleanField(required=False)


class OptionIn(InputSerializer):
    option_id = serializers.CharField(max_length=100)
    option_text = serializers.CharField(max_length=2000)
    is_correct = serializers.BooleanField(required=False, default=False)


class OptionManagerOut(serializers.Serializer):
    option_id = serializers.CharField()
    option_text = serializers.CharField()
    is_correct = serializers.BooleanField()


class OptionPublicOut(serializers.Serializer):
    option_id = serializers.CharField()
    option_text = serializers.CharField()


class QuestionIn(InputSerializer):
    question_text = serializers.CharField(max_length=10_000)
    question_type = serializers.ChoiceField(choices=QuestionType.choices)
    points = DecimalIn(max_digits=6, decimal_places=2, min_value=0, max_value=10_000, required=False)
    explanation = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=10_000)
    options = OptionIn(many=True, required=False, allow_null=True, max_length=50)
    correct_answer = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=2000)
    accepted_answers = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, allow_null=True, max_length=50
    )

    def validate_options(self, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        # `allow_null` on a `many=True` field reaches its items too: null is allowed for the list, not
        # for an option in it.
        if value is not None and any(option is None for option in value):
            raise serializers.ValidationError("An option may not be null.")
        return value


class QuestionUpdateIn(QuestionIn):
    question_text = serializers.CharField(max_length=10_000, required=False)
    question_type = serializers.ChoiceField(choices=QuestionType.choices, required=False)


class QuestionPublicOut(serializers.Serializer):
    id = serializers.UUIDField()
    question_text = serializers.CharField()
    question_type = serializers.ChoiceField(choices=QuestionType.choices)
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    order_index = serializers.IntegerField()
    options = OptionPublicOut(many=True, allow_null=True)


class QuestionManagerOut(QuestionPublicOut):
    explanation = serializers.CharField(allow_null=True)
    options = OptionManagerOut(many=True, allow_null=True)
    correct_answer = serializers.CharField(allow_null=True)
    accepted_answers = serializers.ListField(child=serializers.CharField(), allow_null=True)


class AttemptOut(serializers.Serializer):
    id = serializers.UUIDField()
    quiz_id = serializers.UUIDField()
    attempt_number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AttemptStatus.choices)
    started_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    max_score = serializers.DecimalField(max_digits=8, decimal_places=2)


class PaperQuizOut(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    time_limit_minutes = serializers.IntegerField(allow_null=True)
    total_questions = serializers.IntegerField()
    total_points = serializers.DecimalField(max_digits=8, decimal_places=2)


class PaperQuestionOut(serializers.Serializer):
    id = serializers.UUIDField()
    question_text = serializers.CharField()
    question_type = serializers.ChoiceField(choices=QuestionType.choices)
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    options = OptionPublicOut(many=True, allow_null=True)


class PaperOut(serializers.Serializer):
    quiz = PaperQuizOut()
    attempt = AttemptOut(allow_null=True)
    questions = PaperQuestionOut(many=True)


class AnswerIn(InputSerializer):
    question_id = serializers.UUIDField()
    selected_option_id = serializers.CharField(max_length=100, required=False, allow_null=True)
    selected_option_ids = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, allow_null=True, max_length=50
    )
    answer_text = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=20_000)


class SubmitIn(InputSerializer):
    answers = AnswerIn(many=True, max_length=500)


class AnswerOut(serializers.Serializer):
    question_id = serializers.UUIDField()
    selected_option_id = serializers.CharField(allow_null=True)
    selected_option_ids = serializers.ListField(child=serializers.CharField(), allow_null=True)
    answer_text = serializers.CharField(allow_null=True)
    is_correct = serializers.BooleanField(allow_null=True)
    points_earned = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    feedback = serializers.CharField(allow_null=True)


class AttemptSummaryOut(serializers.Serializer):
    id = serializers.UUIDField()
    enrollment_id = serializers.UUIDField()
    quiz_id = serializers.UUIDField()
    attempt_number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AttemptStatus.choices)
    started_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    graded_at = serializers.DateTimeField(allow_null=True)
    score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    max_score = serializers.DecimalField(max_digits=8, decimal_places=2)
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    is_passed = serializers.BooleanField(allow_null=True)
    time_taken_seconds = serializers.IntegerField(allow_null=True)


class AttemptResultOut(AttemptSummaryOut):
    answers = AnswerOut(many=True)


class GradeItemIn(InputSerializer):
    question_id = serializers.UUIDField()
    points_earned = DecimalIn(max_digits=6, decimal_places=2, min_value=0)
    feedback = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=10_000)


class GradeIn(InputSerializer):
    grades = GradeItemIn(many=True, min_length=1, max_length=500)


class AttemptListQuery(InputSerializer):
    status = serializers.ChoiceField(choices=AttemptStatus.choices, required=False)


class QuestionStatsOut(serializers.Serializer):
    question_id = serializers.UUIDField()
    answered = serializers.IntegerField()
    correct_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class QuizStatsOut(serializers.Serializer):
    attempts = serializers.IntegerField()
    students = serializers.IntegerField()
    pass_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    average_percentage = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    questions = QuestionStatsOut(many=True)
