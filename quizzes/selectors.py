"""Reads of quizzes and attempts, scoped to the caller.

A quiz is visible to a course's managers always, and to everyone else when both the course and the
quiz are published; otherwise it is a 404. Attempts are visible to their student and the course's
managers; another student's attempt is a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from courses.models import Course
from courses.selectors import course_get, is_manager
from lms_project.exceptions import Forbidden, NotFound

from .models import Answer, Attempt, AttemptStatus, Question, Quiz


def quiz_list(*, course: Course, user: Any) -> QuerySet[Quiz]:
    qs = Quiz.objects.filter(course=course).order_by("created_at", "id")
    return qs if is_manager(user, course) else qs.filter(is_published=True)


def quiz_get(*, course_id: Any, quiz_id: Any, user: Any) -> Quiz:
    course = course_get(course_id=course_id, user=user)
    quiz = Quiz.objects.filter(pk=quiz_id, course=course).select_related("course").first()
    if quiz is None or not (quiz.is_published or is_manager(user, course)):
        raise NotFound("Quiz not found.")
    return quiz


def quiz_get_managed(*, course_id: Any, quiz_id: Any, user: Any) -> Quiz:
    quiz = quiz_get(course_id=course_id, quiz_id=quiz_id, user=user)
    if not is_manager(user, quiz.course):
        raise Forbidden("Only the course's instructor or an admin may do this.")
    return quiz


def quiz_get_by_id(*, quiz_id: Any, user: Any) -> Quiz:
    """A quiz by id alone (the /quizzes/{id} routes), with the same visibility."""
    from enrollments.selectors import is_enrolled  # enrollments.selectors imports courses.selectors

    quiz = Quiz.objects.select_related("course").filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFound("Quiz not found.")
    if is_manager(user, quiz.course):
        return quiz
    # An unpublished course keeps working for the students already enrolled in it.
    if quiz.is_published and (quiz.course.is_published or is_enrolled(user=user, course=quiz.course)):
        return quiz
    raise NotFound("Quiz not found.")


def question_list(*, quiz: Quiz) -> QuerySet[Question]:
    return Question.objects.filter(quiz=quiz).order_by("order_index")


def question_get(*, quiz: Quiz, question_id: Any) -> Question:
    question = Question.objects.filter(pk=question_id, quiz=quiz).select_related("quiz__course").first()
    if question is None:
        raise NotFound("Question not found.")
    return question


def current_attempt(*, quiz: Quiz, user: Any) -> Attempt | None:
    return Attempt.objects.filter(
        quiz=quiz, enrollment__student_id=user.pk, status=AttemptStatus.IN_PROGRESS
    ).first()


def attempt_get(*, quiz: Quiz, attempt_id: Any, user: Any) -> Attempt:
    attempt = (
        Attempt.objects.select_related("enrollment", "quiz__course").filter(pk=attempt_id, quiz=quiz).first()
    )
    if attempt is None or not (attempt.enrollment.student_id == user.pk or is_manager(user, quiz.course)):
        raise NotFound("Attempt not found.")
    return attempt


def attempt_answers(*, attempt: Attempt) -> list[Answer]:
    return list(
        Answer.objects.filter(attempt=attempt).select_related("question").order_by("question__order_index")
    )


def my_attempts(*, quiz: Quiz, user: Any) -> QuerySet[Attempt]:
    return Attempt.objects.filter(quiz=quiz, enrollment__student_id=user.pk).order_by("attempt_number")


def attempt_list(*, quiz: Quiz, status: str | None = None) -> QuerySet[Attempt]:
    qs = Attempt.objects.filter(quiz=quiz).select_related("enrollment").order_by("-started_at", "-id")
    return qs.filter(status=status) if status else qs


def quiz_stats(*, quiz: Quiz) -> dict[str, Any]:
    """Two aggregate queries: one over the attempts, one over answers grouped by question."""
    finished = Attempt.objects.filter(quiz=quiz, status__in=[AttemptStatus.SUBMITTED, AttemptStatus.GRADED])
    graded = Q(status=AttemptStatus.GRADED)
    figures = finished.aggregate(
        attempts=Count("pk"),
        students=Count("enrollment__student_id", distinct=True),
        graded=Count("pk", filter=graded),
        passed=Count("pk", filter=graded & Q(is_passed=True)),
        average_percentage=Avg("percentage", filter=graded),
    )
    per_question = {
        row["question_id"]: row
        for row in Answer.objects.filter(
            attempt__quiz=quiz, attempt__status__in=[AttemptStatus.SUBMITTED, AttemptStatus.GRADED]
        )
        .exclude(
            Q(selected_option_id__isnull=True)
            & (Q(selected_option_ids__isnull=True) | Q(selected_option_ids=[]))
            & (Q(answer_text__isnull=True) | Q(answer_text=""))
        )
        .values("question_id")
        .annotate(
            answered=Count("pk"),
            judged=Count("pk", filter=Q(is_correct__isnull=False)),
            correct=Count("pk", filter=Q(is_correct=True)),
        )
    }
    questions = []
    for question_id in (
        Question.objects.filter(quiz=quiz).order_by("order_index").values_list("pk", flat=True)
    ):
        row = per_question.get(question_id, {"answered": 0, "judged": 0, "correct": 0})
        questions.append(
            {
                "question_id": question_id,
                "answered": row["answered"],
                "correct_rate": _rate(row["correct"], row["judged"]),
            }
        )
    return {
        "attempts": figures["attempts"],
        "students": figures["students"],
        "pass_rate": _rate(figures["passed"], figures["graded"]),
        "average_percentage": figures["average_percentage"],
        "questions": questions,
    }


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))
