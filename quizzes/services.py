"""Rules about quizzes, questions and attempts.

Locks, in the project-wide order course -> enrollment -> attempt:
- question changes hold the quiz row (its counters and question numbering);
- starting an attempt holds the enrollment row, so concurrent starts create one attempt (the partial
  unique index "one in progress per enrollment and quiz" backs it up);
- submitting and grading hold the enrollment row, then the attempt row, so two concurrent submits
  grade once, and completing the quiz's lesson (which locks the enrollment too) keeps the order.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, User
from courses.models import Course, Lesson
from enrollments.models import Enrollment, EnrollmentStatus, ProgressStatus
from enrollments.services import progress_update
from lms_project.exceptions import ApplicationError, Conflict, Forbidden

from . import grading
from .models import FINISHED_STATUSES, Answer, Attempt, AttemptStatus, Question, QuestionType, Quiz, QuizType

logger = logging.getLogger("lms.quizzes")

QUIZ_FIELDS = (
    "title",
    "description",
    "quiz_type",
    "time_limit_minutes",
    "passing_score",
    "max_attempts",
    "shuffle_questions",
    "shuffle_options",
    "show_correct_answers",
    "is_published",
)
QUESTION_FIELDS = (
    "question_text",
    "question_type",
    "points",
    "explanation",
    "options",
    "correct_answer",
    "accepted_answers",
)
CHOICE_TYPES = (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_SELECT)


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", errors={field: [message]})


# --- quizzes ---------------------------------------------------------------------------------------


def _check_lesson(course: Course, lesson_id: Any, quiz: Quiz | None = None) -> Lesson | None:
    if lesson_id is None:
        return None
    lesson = Lesson.objects.filter(pk=lesson_id, course=course).first()
    if lesson is None:
        raise _invalid("lesson_id", "The lesson must belong to this course.")
    taken = Quiz.objects.filter(lesson=lesson)
    if quiz is not None:
        taken = taken.exclude(pk=quiz.pk)
    if taken.exists():
        raise Conflict("This lesson already has a quiz.", code="lesson_has_quiz")
    return lesson


@transaction.atomic
def quiz_create(*, course: Course, data: dict[str, Any]) -> Quiz:
    """Create an unpublished quiz in `course`, on one of its lessons (one quiz per lesson)."""
    Course.objects.select_for_update(no_key=True).filter(pk=course.pk).first()
    lesson = _check_lesson(course, data.get("lesson_id"))
    fields = {key: value for key, value in data.items() if key in QUIZ_FIELDS and key != "is_published"}
    try:
        with transaction.atomic():
            return Quiz.objects.create(course=course, lesson=lesson, **fields)
    except IntegrityError:  # a concurrent create on the same lesson
        raise Conflict("This lesson already has a quiz.", code="lesson_has_quiz") from None


@transaction.atomic
def quiz_update(*, quiz: Quiz, data: dict[str, Any]) -> Quiz:
    """PATCH a quiz. Publishing through PATCH follows the publish rule (it needs questions)."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if "lesson_id" in data:
        quiz.lesson = _check_lesson(quiz.course, data["lesson_id"], quiz)
    if data.get("is_published") and not quiz.is_published and quiz.total_questions == 0:
        raise _no_questions()
    fields = [key for key in data if key in QUIZ_FIELDS]
    for key in fields:
        setattr(quiz, key, data[key])
    quiz.save()
    return quiz


def _no_questions() -> ApplicationError:
    return ApplicationError(
        "A quiz needs at least one question before it can be published.", code="quiz_has_no_questions"
    )


@transaction.atomic
def quiz_publish(*, quiz: Quiz) -> Quiz:
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if not quiz.questions.exists():
        raise _no_questions()
    if not quiz.is_published:
        quiz.is_published = True
        quiz.save(update_fields=["is_published", "updated_at"])
    return quiz


@transaction.atomic
def quiz_delete(*, quiz: Quiz) -> None:
    """Delete a quiz that nobody attempted (409 `quiz_has_attempts`: unpublish it instead)."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if Attempt.objects.filter(quiz=quiz).exists():
        raise Conflict(
            "This quiz has attempts; unpublish it instead of deleting it.", code="quiz_has_attempts"
        )
    quiz.delete()


# --- questions -------------------------------------------------------------------------------------


def question_validate(data: dict[str, Any]) -> dict[str, Any]:
    """Check the shape a question type needs; return the fields to store (others cleared).

    400 with a message naming the field: multiple_choice needs >= 2 options with unique ids and
    exactly one correct; multiple_select >= 2 options and >= 1 correct; true_false a
    `correct_answer` of "true" or "false"; short_answer a non-empty `correct_answer` (and optional
    `accepted_answers`); essay neither options nor answers.
    """
    kind = data["question_type"]
    options = data.get("options")
    correct_answer = data.get("correct_answer")
    accepted = data.get("accepted_answers")
    if kind in CHOICE_TYPES:
        if not options or len(options) < 2:
            raise _invalid("options", f"A {kind} question needs at least 2 options.")
        ids = [str(option["option_id"]) for option in options]
        if len(set(ids)) != len(ids):
            raise _invalid("options", "Option ids must be unique within the question.")
        right = sum(1 for option in options if option.get("is_correct"))
        if kind == QuestionType.MULTIPLE_CHOICE and right != 1:
            raise _invalid("options", "A multiple_choice question needs exactly one correct option.")
        if kind == QuestionType.MULTIPLE_SELECT and right < 1:
            raise _invalid("options", "A multiple_select question needs at least one correct option.")
        if correct_answer or accepted:
            raise _invalid("correct_answer", f"A {kind} question marks its answers in options[].is_correct.")
        options = [
            {
                "option_id": str(o["option_id"]),
                "option_text": o["option_text"],
                "is_correct": bool(o.get("is_correct")),
            }
            for o in options
        ]
        return {"options": options, "correct_answer": None, "accepted_answers": None}
    if options:
        raise _invalid("options", f"A {kind} question has no options.")
    if kind == QuestionType.TRUE_FALSE:
        value = grading.normalize_text(correct_answer)
        if value not in ("true", "false"):
            raise _invalid("correct_answer", 'A true_false question needs correct_answer "true" or "false".')
        if accepted:
            raise _invalid("accepted_answers", "A true_false question has no accepted_answers.")
        return {"options": None, "correct_answer": value, "accepted_answers": None}
    if kind == QuestionType.SHORT_ANSWER:
        if not grading.normalize_text(correct_answer):
            raise _invalid("correct_answer", "A short_answer question needs a non-empty correct_answer.")
        extra = [a.strip() for a in accepted or [] if grading.normalize_text(a)]
        return {"options": None, "correct_answer": correct_answer.strip(), "accepted_answers": extra or None}
    # essay
    if correct_answer or accepted:
        raise _invalid("correct_answer", "An essay question is graded by hand: send no correct_answer.")
    return {"options": None, "correct_answer": None, "accepted_answers": None}


def _recount_quiz(quiz: Quiz) -> None:
    figures = Question.objects.filter(quiz=quiz).aggregate(
        n=Count("pk"), points=Coalesce(Sum("points"), Value(Decimal(0)))
    )
    Quiz.objects.filter(pk=quiz.pk).update(
        total_questions=figures["n"], total_points=figures["points"], updated_at=timezone.now()
    )
    quiz.total_questions, quiz.total_points = figures["n"], figures["points"]


@transaction.atomic
def question_create(*, quiz: Quiz, data: dict[str, Any]) -> Question:
    """Add a question at the end of the quiz. Holds the quiz lock."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    shaped = question_validate(data)
    order = (Question.objects.filter(quiz=quiz).aggregate(m=Max("order_index"))["m"] or 0) + 1
    question = Question.objects.create(
        quiz=quiz,
        order_index=order,
        question_text=data["question_text"],
        question_type=data["question_type"],
        points=data.get("points", Decimal("1.00")),
        explanation=data.get("explanation"),
        **shaped,
    )
    _recount_quiz(quiz)
    return question


@transaction.atomic
def question_update(*, question: Question, data: dict[str, Any]) -> Question:
    """PATCH a question; the merged result must still be a valid question of its type.

    Existing attempts keep the grades they got (no silent regrading)."""
    Quiz.objects.select_for_update().filter(pk=question.quiz_id).first()
    question = Question.objects.select_for_update().get(pk=question.pk)
    merged = {key: getattr(question, key) for key in QUESTION_FIELDS}
    merged.update({key: value for key, value in data.items() if key in QUESTION_FIELDS})
    if "question_type" in data and data["question_type"] != question.question_type:
        # A new type starts from a clean answer key unless the request brings one.
        for key in ("options", "correct_answer", "accepted_answers"):
            merged[key] = data.get(key)
    shaped = question_validate(merged)
    for key in ("question_text", "question_type", "points", "explanation"):
        setattr(question, key, merged[key])
    for key, value in shaped.items():
        setattr(question, key, value)
    question.save()
    _recount_quiz(question.quiz)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Remove a question nobody answered yet (409 `question_has_answers`)."""
    quiz = Quiz.objects.select_for_update().get(pk=question.quiz_id)
    if Answer.objects.filter(question=question).exists():
        raise Conflict(
            "Students have answered this question; it cannot be deleted.", code="question_has_answers"
        )
    Question.objects.filter(pk=question.pk).delete()
    _recount_quiz(quiz)


# --- attempts --------------------------------------------------------------------------------------


# What grading writes on an attempt (saved with update_fields).
_RESULT_FIELDS = ["status", "score", "percentage", "is_passed", "graded_at"]


def _grace() -> timedelta:
    return timedelta(seconds=settings.QUIZ_SUBMIT_GRACE_SECONDS)


def _is_late(attempt: Attempt, now: Any) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + _grace()


def student_enrollment(*, user: User, quiz: Quiz, for_update: bool = False) -> Enrollment:
    """The student's usable enrollment in the quiz's course (403 otherwise)."""
    if user.role != Role.STUDENT:
        raise Forbidden("Only students take quizzes.", code="students_only")
    qs = Enrollment.objects.filter(student=user, course_id=quiz.course_id)
    if for_update:
        qs = qs.select_for_update()
    enrollment = qs.first()
    if enrollment is None:
        raise Forbidden("Enroll in the course to take this quiz.", code="enrollment_required")
    if enrollment.status == EnrollmentStatus.DROPPED:
        raise Forbidden(
            "This enrollment was dropped; enroll again to take the quiz.", code="enrollment_dropped"
        )
    if enrollment.status == EnrollmentStatus.EXPIRED:
        raise Forbidden("This enrollment has expired.", code="enrollment_expired")
    return enrollment


def _paper_order(quiz: Quiz, seed: int) -> tuple[list[str], dict[str, list[str]]]:
    rng = random.Random(seed)  # noqa: S311  (a reproducible shuffle, not a secret)
    questions = list(Question.objects.filter(quiz=quiz).order_by("order_index").values("id", "options"))
    order = [str(q["id"]) for q in questions]
    if quiz.shuffle_questions:
        rng.shuffle(order)
    options: dict[str, list[str]] = {}
    for q in questions:
        if q["options"]:
            ids = [str(o["option_id"]) for o in q["options"]]
            if quiz.shuffle_options:
                rng.shuffle(ids)
            options[str(q["id"])] = ids
    return order, options


def attempt_start(*, user: User, quiz: Quiz) -> tuple[Attempt, bool]:
    """Start an attempt (created=True) or resume the one in progress (created=False).

    `max_attempts` counts finished and expired attempts (403 `max_attempts_reached`). An attempt
    in progress past its deadline (+ grace) is expired first. Holds the enrollment lock.
    """
    with transaction.atomic():
        enrollment = student_enrollment(user=user, quiz=quiz, for_update=True)
        now = timezone.now()
        current = (
            # `of=("self",)`: the default ordering joins the quiz and the course, and a plain FOR UPDATE
            # would lock them too (the course after the enrollment: against the project's order).
            Attempt.objects.select_for_update(of=("self",))
            .filter(enrollment=enrollment, quiz=quiz, status=AttemptStatus.IN_PROGRESS)
            .first()
        )
        if current is not None:
            if not _is_late(current, now):
                return current, False
            _expire(current, now)
        used = Attempt.objects.filter(enrollment=enrollment, quiz=quiz, status__in=FINISHED_STATUSES).count()
        if quiz.max_attempts is not None and used >= quiz.max_attempts:
            # Raised after the block, so that an expiry made just above is committed.
            raise_after = Forbidden(
                f"You have used all {quiz.max_attempts} attempts of this quiz.", code="max_attempts_reached"
            )
        else:
            raise_after = None
            number = (
                Attempt.objects.filter(enrollment=enrollment, quiz=quiz).aggregate(m=Max("attempt_number"))[
                    "m"
                ]
                or 0
            ) + 1
            attempt = Attempt(
                enrollment=enrollment,
                quiz=quiz,
                attempt_number=number,
                started_at=now,
                deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
                if quiz.time_limit_minutes
                else None,
                max_score=quiz.total_points,
            )
            attempt.question_order, attempt.option_order = _paper_order(quiz, attempt.id.int)
            attempt.save()
    if raise_after is not None:
        raise raise_after
    return attempt, True


def _expire(attempt: Attempt, now: Any) -> None:
    attempt.status = AttemptStatus.EXPIRED
    attempt.submitted_at = attempt.submitted_at or now
    attempt.save(update_fields=["status", "submitted_at"])


def _check_answers(
    quiz_questions: list[Question], answers: list[dict[str, Any]]
) -> dict[str, tuple[Question, dict[str, Any]]]:
    questions = {str(q.pk): q for q in quiz_questions}
    seen: dict[str, tuple[Question, dict[str, Any]]] = {}
    for index, answer in enumerate(answers):
        field = f"answers.{index}.question_id"
        question_id = str(answer["question_id"])
        question = questions.get(question_id)
        if question is None:
            raise _invalid(field, "This question is not part of the quiz.")
        if question_id in seen:
            raise _invalid(field, "Two answers for the same question.")
        option_ids = {str(o["option_id"]) for o in question.options or []}
        single, many = answer.get("selected_option_id"), answer.get("selected_option_ids")
        if question.question_type == QuestionType.MULTIPLE_CHOICE:
            if many is not None:
                raise _invalid(
                    f"answers.{index}.selected_option_ids",
                    "A multiple_choice question takes selected_option_id.",
                )
            if single is not None and str(single) not in option_ids:
                raise _invalid(
                    f"answers.{index}.selected_option_id", "This option is not one of the question's."
                )
        elif question.question_type == QuestionType.MULTIPLE_SELECT:
            if single is not None:
                raise _invalid(
                    f"answers.{index}.selected_option_id",
                    "A multiple_select question takes selected_option_ids.",
                )
            if many is not None and not {str(i) for i in many} <= option_ids:
                raise _invalid(
                    f"answers.{index}.selected_option_ids", "An option is not one of the question's."
                )
            if many is not None and len({str(i) for i in many}) != len(many):
                raise _invalid(f"answers.{index}.selected_option_ids", "An option is chosen twice.")
        elif single is not None or many is not None:
            raise _invalid(
                f"answers.{index}.selected_option_id",
                f"A {question.question_type} question takes answer_text.",
            )
        seen[question_id] = (question, answer)
    return seen


def attempt_submit(*, user: User, attempt: Attempt, answers: list[dict[str, Any]]) -> Attempt:
    """Submit and grade an attempt (its student).

    409 `attempt_already_submitted` when it is not in progress (two concurrent submits: the second
    waits on the lock, then gets this); past `deadline_at` + QUIZ_SUBMIT_GRACE_SECONDS, 409
    `time_limit_exceeded` and the attempt becomes `expired`. Essay questions leave it `submitted`
    until a manager grades it; otherwise it is `graded`. A passed graded quiz, or a submitted
    practice quiz, completes its lesson. Holds the enrollment lock, then the attempt lock.
    """
    late = False
    with transaction.atomic():
        # `of=("self",)`: lock the enrollment and attempt rows only, not the joined quiz and course
        # (a plain FOR UPDATE over a join locks every joined row, which made all submits of one quiz
        # queue behind each other and behind its authors).
        enrollment = Enrollment.objects.select_for_update(of=("self",)).get(pk=attempt.enrollment_id)
        attempt = (
            Attempt.objects.select_for_update(of=("self",)).select_related("quiz__course").get(pk=attempt.pk)
        )
        if attempt.status == AttemptStatus.EXPIRED:
            raise Conflict("The time limit of this attempt has passed.", code="time_limit_exceeded")
        if attempt.status != AttemptStatus.IN_PROGRESS:
            raise Conflict("This attempt has already been submitted.", code="attempt_already_submitted")
        if enrollment.status == EnrollmentStatus.DROPPED:
            raise Forbidden("This enrollment was dropped.", code="enrollment_dropped")
        if enrollment.status == EnrollmentStatus.EXPIRED:
            raise Forbidden("This enrollment has expired.", code="enrollment_expired")
        now = timezone.now()
        if _is_late(attempt, now):
            _expire(attempt, now)
            late = True
        else:
            # One read of the questions serves both the answer check and the grading.
            questions = list(Question.objects.filter(quiz_id=attempt.quiz_id).order_by("order_index"))
            checked = _check_answers(questions, answers)
            _grade_and_store(attempt, questions, checked, now)
            _complete_lesson_if_earned(user, enrollment, attempt)
    if late:  # raised after the commit so that the expiry sticks
        raise Conflict("The time limit of this attempt has passed.", code="time_limit_exceeded")
    return attempt


def _grade_and_store(
    attempt: Attempt,
    questions: list[Question],
    checked: dict[str, tuple[Question, dict[str, Any]]],
    now: Any,
) -> None:
    """Grade every question of the quiz (unanswered ones score 0) and store one Answer row each,
    in one INSERT whatever the number of questions."""
    rows = []
    pending = False
    score = Decimal("0.00")
    max_score = Decimal("0.00")
    for question in questions:
        max_score += question.points
        _, given = checked.get(str(question.pk), (question, {}))
        grade = grading.grade_answer(
            question_type=question.question_type,
            points=question.points,
            options=question.options,
            correct_answer=question.correct_answer,
            accepted_answers=question.accepted_answers,
            selected_option_id=given.get("selected_option_id"),
            selected_option_ids=given.get("selected_option_ids"),
            answer_text=given.get("answer_text"),
        )
        if grade.points is None:
            pending = True
        else:
            score += grade.points
        selected_ids = given.get("selected_option_ids")
        rows.append(
            Answer(
                attempt=attempt,
                question=question,
                selected_option_id=str(given["selected_option_id"])
                if given.get("selected_option_id") is not None
                else None,
                selected_option_ids=[str(i) for i in selected_ids] if selected_ids is not None else None,
                answer_text=given.get("answer_text"),
                is_correct=grade.is_correct,
                points_earned=grade.points,
                graded_at=None if grade.points is None else now,
            )
        )
    Answer.objects.bulk_create(rows)
    attempt.submitted_at = now
    attempt.time_taken_seconds = max(0, int((now - attempt.started_at).total_seconds()))
    attempt.score = grading.quantize(score)
    # The paper is graded as it stands at submit time (questions may have changed since the start).
    attempt.max_score = grading.quantize(max_score)
    if pending:
        attempt.status = AttemptStatus.SUBMITTED
    else:
        _finish_grading(attempt, now)
    attempt.save(update_fields=[*_RESULT_FIELDS, "submitted_at", "time_taken_seconds", "max_score"])


def _finish_grading(attempt: Attempt, now: Any) -> None:
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = now
    attempt.percentage = grading.percentage(attempt.score, attempt.max_score)
    attempt.is_passed = attempt.percentage >= attempt.quiz.passing_score


def _complete_lesson_if_earned(user: User, enrollment: Enrollment, attempt: Attempt) -> None:
    quiz = attempt.quiz
    earned = (
        quiz.quiz_type == QuizType.PRACTICE
        and attempt.status in (AttemptStatus.SUBMITTED, AttemptStatus.GRADED)
    ) or (quiz.quiz_type == QuizType.GRADED and attempt.status == AttemptStatus.GRADED and attempt.is_passed)
    # Only an enrollment that can still record progress: a manager grading the essay of a student
    # who has since dropped out, or whose enrollment expired, must not be refused (progress_update
    # raises 403 for those).
    usable = enrollment.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)
    if earned and quiz.lesson_id and usable:
        progress_update(
            user=user,
            enrollment=enrollment,
            lesson_id=quiz.lesson_id,
            data={"status": ProgressStatus.COMPLETED},
        )


def attempt_grade(*, attempt: Attempt, grades: list[dict[str, Any]]) -> Attempt:
    """A manager grades essay answers: points within 0..question points. When every essay answer
    has points the attempt becomes `graded` with its percentage and pass. Holds the enrollment
    lock, then the attempt lock."""
    with transaction.atomic():
        # Rows of the enrollment and attempt only (not the joined student, quiz and course rows).
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("student")
            .get(pk=attempt.enrollment_id)
        )
        attempt = (
            Attempt.objects.select_for_update(of=("self",)).select_related("quiz__course").get(pk=attempt.pk)
        )
        if attempt.status not in (AttemptStatus.SUBMITTED, AttemptStatus.GRADED):
            raise Conflict("Only submitted attempts can be graded.", code="attempt_not_submitted")
        answers = {
            str(a.question_id): a for a in Answer.objects.select_related("question").filter(attempt=attempt)
        }
        now = timezone.now()
        for index, grade in enumerate(grades):
            answer = answers.get(str(grade["question_id"]))
            if answer is None or answer.question.question_type != QuestionType.ESSAY:
                raise _invalid(f"grades.{index}.question_id", "Not an essay question of this attempt.")
            if grade["points_earned"] > answer.question.points:
                raise _invalid(
                    f"grades.{index}.points_earned",
                    f"At most {answer.question.points} points for this question.",
                )
            answer.points_earned = grading.quantize(grade["points_earned"])
            answer.is_correct = answer.points_earned >= answer.question.points
            answer.feedback = grade.get("feedback", answer.feedback)
            answer.graded_at = now
        Answer.objects.bulk_update(answers.values(), ["points_earned", "is_correct", "feedback", "graded_at"])
        attempt.score = grading.quantize(sum((a.points_earned or Decimal(0)) for a in answers.values()))
        if all(a.points_earned is not None for a in answers.values()):
            _finish_grading(attempt, now)
        attempt.save(update_fields=_RESULT_FIELDS)
        _complete_lesson_if_earned(enrollment.student, enrollment, attempt)
    return attempt


def expire_overdue_attempts() -> int:
    """Sweep: in-progress attempts past their deadline plus grace become expired (one UPDATE)."""
    now = timezone.now()
    return Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline_at__lt=now - _grace()).update(
        status=AttemptStatus.EXPIRED, submitted_at=now
    )
