"""Factories for quizzes, questions and attempts.

Questions keep their quiz's `total_questions` / `total_points` counters true (as the services do), so
a quiz built here looks exactly like one built through the API. Use the API or the services to test
the rules; these only set the scene.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.db.models import Count, Max, Sum
from django.utils import timezone

from courses.tests.factories import CourseFactory
from enrollments.tests.factories import EnrollmentFactory
from quizzes.models import Attempt, AttemptStatus, Question, QuestionType, Quiz, QuizType


class QuizFactory(factory.django.DjangoModelFactory):
    """A published graded quiz in a published course, with the contract's defaults otherwise."""

    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory, is_published=True)
    lesson = None
    title = factory.Sequence(lambda n: f"Quiz number {n}")
    quiz_type = QuizType.GRADED
    is_published = True


def _recount(quiz_id: Any) -> None:
    figures = Question.objects.filter(quiz_id=quiz_id).aggregate(n=Count("pk"), points=Sum("points"))
    Quiz.objects.filter(pk=quiz_id).update(
        total_questions=figures["n"], total_points=figures["points"] or Decimal("0.00")
    )


class QuestionFactory(factory.django.DjangoModelFactory):
    """A true/false question (answer "true") appended to its quiz; keeps the quiz's counters true.

    The helpers below build the other types with a valid answer key.
    """

    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    question_text = factory.Sequence(lambda n: f"Question number {n}?")
    question_type = QuestionType.TRUE_FALSE
    points = Decimal("1.00")
    correct_answer = "true"
    order_index = factory.LazyAttribute(
        lambda o: (Question.objects.filter(quiz=o.quiz).aggregate(m=Max("order_index"))["m"] or 0) + 1
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        question = super()._create(model_class, *args, **kwargs)
        _recount(question.quiz_id)
        question.quiz.refresh_from_db(fields=["total_questions", "total_points"])
        return question


def options(*texts: str, correct: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Options with ids "a", "b", ... ; `correct` lists the ids marked correct."""
    ids = "abcdefghij"
    return [
        {"option_id": ids[i], "option_text": text, "is_correct": ids[i] in correct}
        for i, text in enumerate(texts)
    ]


def multiple_choice(quiz: Quiz, *, correct: str = "b", points: str = "1.00", **kwargs: Any) -> Question:
    """Three options a/b/c, one correct."""
    return QuestionFactory(
        quiz=quiz,
        question_type=QuestionType.MULTIPLE_CHOICE,
        points=Decimal(points),
        correct_answer=None,
        options=options("Alpha", "Bravo", "Charlie", correct=(correct,)),
        **kwargs,
    )


def multiple_select(
    quiz: Quiz, *, correct: tuple[str, ...] = ("a", "b"), points: str = "2.00", **kwargs: Any
) -> Question:
    """Four options a/b/c/d, `correct` of them correct."""
    return QuestionFactory(
        quiz=quiz,
        question_type=QuestionType.MULTIPLE_SELECT,
        points=Decimal(points),
        correct_answer=None,
        options=options("Alpha", "Bravo", "Charlie", "Delta", correct=correct),
        **kwargs,
    )


def true_false(quiz: Quiz, *, answer: str = "true", points: str = "1.00", **kwargs: Any) -> Question:
    return QuestionFactory(quiz=quiz, correct_answer=answer, points=Decimal(points), **kwargs)


def short_answer(
    quiz: Quiz,
    *,
    answer: str = "def",
    accepted: list[str] | None = None,
    points: str = "1.00",
    **kwargs: Any,
) -> Question:
    return QuestionFactory(
        quiz=quiz,
        question_type=QuestionType.SHORT_ANSWER,
        correct_answer=answer,
        accepted_answers=accepted,
        points=Decimal(points),
        **kwargs,
    )


def essay(quiz: Quiz, *, points: str = "5.00", **kwargs: Any) -> Question:
    return QuestionFactory(
        quiz=quiz, question_type=QuestionType.ESSAY, correct_answer=None, points=Decimal(points), **kwargs
    )


class AttemptFactory(factory.django.DjangoModelFactory):
    """A raw attempt (nothing graded, no answers): for states that the API reaches only slowly
    (finished attempts counting against `max_attempts`, overdue attempts for the sweep)."""

    class Meta:
        model = Attempt

    quiz = factory.SubFactory(QuizFactory)
    enrollment = factory.SubFactory(EnrollmentFactory, course=factory.SelfAttribute("..quiz.course"))
    attempt_number = factory.LazyAttribute(
        lambda o: Attempt.objects.filter(enrollment=o.enrollment, quiz=o.quiz).count() + 1
    )
    status = AttemptStatus.IN_PROGRESS
    started_at = factory.LazyFunction(timezone.now)
    max_score = factory.LazyAttribute(lambda o: o.quiz.total_points)
