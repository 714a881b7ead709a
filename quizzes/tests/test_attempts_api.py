"""Taking quizzes (contract section 6): start and resume, the paper, submit and grading, essays graded
by hand, lesson and course completion, the managers' views, the expiry sweep, and query counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_celery_beat.models import PeriodicTask

from conftest import client_for
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.tests.factories import EnrollmentFactory
from quizzes.models import Answer, Attempt, AttemptStatus, Question, Quiz
from quizzes.tasks import expire_overdue_attempts_task
from quizzes.tests.factories import (
    AttemptFactory,
    QuizFactory,
    essay,
    multiple_choice,
    multiple_select,
    short_answer,
    true_false,
)

pytestmark = pytest.mark.django_db

ANSWER_KEYS = {"is_correct", "correct_answer", "accepted_answers", "explanation"}


# --- scene ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _grace(settings):
    settings.QUIZ_SUBMIT_GRACE_SECONDS = 30


@pytest.fixture
def course(instructor) -> Course:
    """A published course of `instructor` with two lessons; the quiz sits on the first."""
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory.create_batch(2, course=course)
    return course


@pytest.fixture
def lessons(course) -> list[Lesson]:
    return list(course.lessons.order_by("order_index"))


@pytest.fixture
def quiz(course, lessons) -> Quiz:
    """A published graded quiz (pass at 70%) on the first lesson, worth 5 points, not shuffled.

    Authored order (order_index): true_false, multiple_choice, short_answer, multiple_select; the
    questions are created in another order so that "authored order" cannot be "creation order".
    """
    quiz = QuizFactory(
        course=course, lesson=lessons[0], title="Basics", shuffle_questions=False, shuffle_options=False
    )
    multiple_choice(quiz, correct="b", order_index=2)  # 1 point
    multiple_select(quiz, correct=("a", "b"), order_index=4)  # 2 points, a and b of a-d
    true_false(quiz, answer="true", order_index=1)  # 1 point
    short_answer(quiz, answer="def", accepted=["def keyword"], order_index=3)  # 1 point
    quiz.refresh_from_db()
    return quiz


@pytest.fixture
def qs(quiz) -> dict[str, Question]:
    """The quiz's questions by type."""
    return {q.question_type: q for q in quiz.questions.all()}


@pytest.fixture
def enrollment(student, course) -> Enrollment:
    return EnrollmentFactory(student=student, course=course)


@pytest.fixture
def other_enrollment(other_student, course) -> Enrollment:
    return EnrollmentFactory(student=other_student, course=course)


@pytest.fixture
def other_student_client(other_student):
    return client_for(other_student)


def attempts_url(quiz: Quiz, suffix: str = "") -> str:
    return f"/api/v1/quizzes/{quiz.pk}/attempts{suffix}"


def manager_url(quiz: Quiz, suffix: str) -> str:
    return f"/api/v1/courses/{quiz.course_id}/quizzes/{quiz.pk}{suffix}"


def start(client, quiz: Quiz):
    return client.post(attempts_url(quiz))


def paper(client, quiz: Quiz):
    return client.get(attempts_url(quiz, "/start"))


def submit(client, quiz: Quiz, attempt_id: Any, answers: list[dict[str, Any]]):
    return client.post(attempts_url(quiz, f"/{attempt_id}/submit"), {"answers": answers}, format="json")


def grade(client, quiz: Quiz, attempt_id: Any, grades: list[dict[str, Any]]):
    return client.post(attempts_url(quiz, f"/{attempt_id}/grade"), {"grades": grades}, format="json")


def answer(question: Question, **given: Any) -> dict[str, Any]:
    return {"question_id": str(question.pk), **given}


def right_answers(qs: dict[str, Question]) -> list[dict[str, Any]]:
    return [
        answer(qs["multiple_choice"], selected_option_id="b"),
        answer(qs["multiple_select"], selected_option_ids=["a", "b"]),
        answer(qs["true_false"], answer_text="true"),
        answer(qs["short_answer"], answer_text="def"),
    ]


def keys_anywhere(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_anywhere(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_anywhere(item)


def times_match(body: dict[str, Any], attempt: Attempt) -> dict[str, Any]:
    """Pop the timestamps of an attempt body after checking them against the row."""
    body = dict(body)
    for field in ("started_at", "deadline_at", "submitted_at", "graded_at"):
        if field in body:
            raw = body.pop(field)
            assert (parse_datetime(raw) if raw else None) == getattr(attempt, field), field
    return body


def started(client, quiz: Quiz) -> Attempt:
    response = start(client, quiz)
    assert response.status_code == 201, response.json()
    return Attempt.objects.get(pk=response.json()["id"])


def lesson_status(enrollment: Enrollment, lesson: Lesson) -> str | None:
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()
    return progress.status if progress else None


# --- start and resume -----------------------------------------------------------------------------


def test_starting_creates_an_attempt_and_starting_again_resumes_it(student_client, quiz, enrollment):
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=10)

    response = start(student_client, quiz)

    assert response.status_code == 201
    attempt = Attempt.objects.get(enrollment=enrollment, quiz=quiz)
    assert times_match(response.json(), attempt) == {
        "id": str(attempt.pk),
        "quiz_id": str(quiz.pk),
        "attempt_number": 1,
        "status": "in_progress",
        "max_score": "5.00",
    }
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=10)

    again = start(student_client, quiz)

    assert again.status_code == 200
    assert again.json() == response.json()
    assert Attempt.objects.filter(quiz=quiz).count() == 1


def test_an_attempt_without_a_time_limit_has_no_deadline(student_client, quiz, enrollment):
    response = start(student_client, quiz)
    assert response.status_code == 201
    assert response.json()["deadline_at"] is None


@pytest.mark.parametrize("who", ["instructor", "admin", "other_instructor"])
def test_only_students_take_quizzes(request, who, quiz, enrollment, student_client):
    client = client_for(request.getfixturevalue(who))

    response = start(client, quiz)

    assert response.status_code == 403
    assert response.json()["code"] == "students_only"
    assert not Attempt.objects.exists()
    assert start(student_client, quiz).status_code == 201


def test_starting_needs_a_token(api_client, quiz):
    response = start(api_client, quiz)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_student_who_is_not_enrolled_cannot_start(student, student_client, quiz):
    response = start(student_client, quiz)

    assert response.status_code == 403
    assert response.json()["code"] == "enrollment_required"
    assert not Attempt.objects.exists()
    EnrollmentFactory(student=student, course=quiz.course)
    assert start(student_client, quiz).status_code == 201


def test_a_dropped_enrollment_cannot_start(student_client, quiz, enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.DROPPED)

    response = start(student_client, quiz)

    assert response.status_code == 403
    assert response.json()["code"] == "enrollment_dropped"
    assert not Attempt.objects.exists()
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.ACTIVE)
    assert start(student_client, quiz).status_code == 201


def test_a_completed_enrollment_may_still_take_the_quiz(student_client, quiz, enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.COMPLETED)
    assert start(student_client, quiz).status_code == 201


def test_an_unpublished_quiz_is_not_found_for_the_student(student_client, quiz, enrollment):
    Quiz.objects.filter(pk=quiz.pk).update(is_published=False)

    for response in (
        start(student_client, quiz),
        paper(student_client, quiz),
        student_client.get(attempts_url(quiz, "/my-attempts")),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert not Attempt.objects.exists()
    Quiz.objects.filter(pk=quiz.pk).update(is_published=True)
    assert start(student_client, quiz).status_code == 201


def test_max_attempts_counts_finished_and_expired_attempts(student_client, quiz, qs, enrollment):
    Quiz.objects.filter(pk=quiz.pk).update(max_attempts=3)
    AttemptFactory(quiz=quiz, enrollment=enrollment, status=AttemptStatus.GRADED)
    AttemptFactory(quiz=quiz, enrollment=enrollment, status=AttemptStatus.EXPIRED)

    third = started(student_client, quiz)  # two used, one left
    assert third.attempt_number == 3
    assert submit(student_client, quiz, third.pk, right_answers(qs)).status_code == 200

    response = start(student_client, quiz)

    assert response.status_code == 403
    assert response.json()["code"] == "max_attempts_reached"
    assert Attempt.objects.filter(quiz=quiz).count() == 3
    Quiz.objects.filter(pk=quiz.pk).update(max_attempts=4)
    assert start(student_client, quiz).status_code == 201


def test_an_overdue_attempt_is_expired_on_start_and_counts_against_max_attempts(
    student_client, quiz, enrollment
):
    Quiz.objects.filter(pk=quiz.pk).update(max_attempts=1, time_limit_minutes=5)
    first = started(student_client, quiz)
    Attempt.objects.filter(pk=first.pk).update(deadline_at=timezone.now() - timedelta(seconds=31))

    response = start(student_client, quiz)

    assert response.status_code == 403
    assert response.json()["code"] == "max_attempts_reached"
    first.refresh_from_db()
    assert first.status == AttemptStatus.EXPIRED  # committed although the request failed


# --- the paper ------------------------------------------------------------------------------------


@pytest.mark.security
def test_the_paper_lists_the_questions_in_authored_order_without_answer_data(
    student_client, quiz, qs, enrollment
):
    attempt = started(student_client, quiz)

    response = paper(student_client, quiz)

    assert response.status_code == 200
    body = response.json()
    assert set(keys_anywhere(body)) & ANSWER_KEYS == set()
    assert times_match(body.pop("attempt"), attempt) == {
        "id": str(attempt.pk),
        "quiz_id": str(quiz.pk),
        "attempt_number": 1,
        "status": "in_progress",
        "max_score": "5.00",
    }
    letters = [
        {"option_id": i, "option_text": t}
        for i, t in zip("abcd", ["Alpha", "Bravo", "Charlie", "Delta"], strict=True)
    ]
    assert body == {
        "quiz": {
            "id": str(quiz.pk),
            "title": "Basics",
            "time_limit_minutes": None,
            "total_questions": 4,
            "total_points": "5.00",
        },
        "questions": [
            {
                "id": str(q.pk),
                "question_text": q.question_text,
                "question_type": q.question_type,
                "points": f"{q.points:.2f}",
                "options": {"multiple_choice": letters[:3], "multiple_select": letters}.get(q.question_type),
            }
            for q in (qs["true_false"], qs["multiple_choice"], qs["short_answer"], qs["multiple_select"])
        ],
    }


def test_before_starting_the_paper_has_no_attempt(student_client, quiz, enrollment):
    response = paper(student_client, quiz)
    assert response.status_code == 200
    assert response.json()["attempt"] is None
    assert len(response.json()["questions"]) == 4
    assert not Attempt.objects.exists()


def test_the_paper_needs_an_enrollment(student, student_client, quiz):
    response = paper(student_client, quiz)
    assert response.status_code == 403
    assert response.json()["code"] == "enrollment_required"
    EnrollmentFactory(student=student, course=quiz.course)
    assert paper(student_client, quiz).status_code == 200


@pytest.mark.parametrize("who", ["instructor", "admin"])
def test_managers_get_a_preview_of_the_paper(request, who, quiz, qs):
    Quiz.objects.filter(pk=quiz.pk).update(is_published=False)  # a draft can be previewed too

    response = paper(client_for(request.getfixturevalue(who)), quiz)

    assert response.status_code == 200
    body = response.json()
    assert body["attempt"] is None
    assert [q["id"] for q in body["questions"]] == [
        str(qs[kind].pk) for kind in ("true_false", "multiple_choice", "short_answer", "multiple_select")
    ]
    assert set(keys_anywhere(body)) & ANSWER_KEYS == set()


def test_another_instructor_gets_no_preview(other_instructor, quiz):
    response = paper(client_for(other_instructor), quiz)
    assert response.status_code == 403
    assert response.json()["code"] == "students_only"


@pytest.fixture
def shuffled_quiz(course) -> Quiz:
    """Eight four-option questions, shuffle flags on (the defaults)."""
    quiz = QuizFactory(course=course)
    for _ in range(8):
        multiple_select(quiz)
    return quiz


def _order(body: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((q["id"], tuple(o["option_id"] for o in q["options"])) for q in body["questions"])


def test_a_shuffled_paper_keeps_its_order_across_reloads(student_client, shuffled_quiz, student):
    EnrollmentFactory(student=student, course=shuffled_quiz.course)
    attempt = started(student_client, shuffled_quiz)

    first = paper(student_client, shuffled_quiz).json()
    second = paper(student_client, shuffled_quiz).json()

    assert _order(first) == _order(second)
    assert [q["id"] for q in first["questions"]] == attempt.question_order
    assert {
        q["id"]: [o["option_id"] for o in q["options"]] for q in first["questions"]
    } == attempt.option_order
    authored = [
        str(pk) for pk in shuffled_quiz.questions.order_by("order_index").values_list("pk", flat=True)
    ]
    assert sorted(attempt.question_order) == sorted(authored)


def test_different_attempts_may_shuffle_differently(shuffled_quiz):
    orders = set()
    for _ in range(5):
        enrollment = EnrollmentFactory(course=shuffled_quiz.course)
        client = client_for(enrollment.student)
        started(client, shuffled_quiz)
        orders.add(_order(paper(client, shuffled_quiz).json()))

    # 8 questions of 4 options: five identical papers would take a 1 in (8! x 24^8)^4 chance.
    assert len(orders) > 1
    question_orders = {tuple(q for q, _ in order) for order in orders}
    option_orders = {tuple(o for _, o in order) for order in orders}
    assert len(question_orders) > 1
    assert len(option_orders) > 1


# --- submit ---------------------------------------------------------------------------------------


def test_submitting_grades_every_question_and_returns_the_result(
    student_client, quiz, qs, enrollment, lessons
):
    attempt = started(student_client, quiz)
    answers = [
        answer(qs["short_answer"], answer_text="lambda"),  # wrong: 0 of 1
        answer(qs["multiple_choice"], selected_option_id="b"),  # right: 1 of 1
        answer(qs["multiple_select"], selected_option_ids=["a"]),  # one of two right: 1 of 2
        answer(qs["true_false"], answer_text=" TRUE "),  # right: 1 of 1
    ]

    response = submit(student_client, quiz, attempt.pk, answers)

    assert response.status_code == 200
    attempt.refresh_from_db()
    none = {"selected_option_id": None, "selected_option_ids": None, "answer_text": None, "feedback": None}
    assert times_match(response.json(), attempt) == {
        "id": str(attempt.pk),
        "enrollment_id": str(enrollment.pk),
        "quiz_id": str(quiz.pk),
        "attempt_number": 1,
        "status": "graded",
        "score": "3.00",
        "max_score": "5.00",
        "percentage": "60.00",
        "is_passed": False,
        "time_taken_seconds": attempt.time_taken_seconds,
        "answers": [  # in authored order
            {
                **none,
                "question_id": str(qs["true_false"].pk),
                "answer_text": "TRUE",  # stored trimmed (the input serializer trims text)
                "is_correct": True,
                "points_earned": "1.00",
            },
            {
                **none,
                "question_id": str(qs["multiple_choice"].pk),
                "selected_option_id": "b",
                "is_correct": True,
                "points_earned": "1.00",
            },
            {
                **none,
                "question_id": str(qs["short_answer"].pk),
                "answer_text": "lambda",
                "is_correct": False,
                "points_earned": "0.00",
            },
            {
                **none,
                "question_id": str(qs["multiple_select"].pk),
                "selected_option_ids": ["a"],
                "is_correct": False,
                "points_earned": "1.00",
            },
        ],
    }
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.submitted_at is not None and attempt.graded_at == attempt.submitted_at
    assert 0 <= attempt.time_taken_seconds < 60
    assert Answer.objects.filter(attempt=attempt).count() == 4
    assert lesson_status(enrollment, lessons[0]) is None  # failed: the lesson is not completed


def test_unanswered_questions_score_zero(student_client, quiz, qs, enrollment):
    attempt = started(student_client, quiz)

    response = submit(student_client, quiz, attempt.pk, [answer(qs["true_false"], answer_text="true")])

    assert response.status_code == 200
    body = response.json()
    assert (body["score"], body["percentage"], body["is_passed"]) == ("1.00", "20.00", False)
    unanswered = [a for a in body["answers"] if a["question_id"] != str(qs["true_false"].pk)]
    assert [(a["is_correct"], a["points_earned"]) for a in unanswered] == [(False, "0.00")] * 3
    assert Answer.objects.filter(attempt=attempt).count() == 4


def test_a_passed_graded_quiz_completes_its_lesson(student_client, quiz, qs, enrollment, lessons):
    attempt = started(student_client, quiz)

    response = submit(student_client, quiz, attempt.pk, right_answers(qs))

    assert response.status_code == 200
    assert (response.json()["percentage"], response.json()["is_passed"]) == ("100.00", True)
    assert lesson_status(enrollment, lessons[0]) == ProgressStatus.COMPLETED
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.completed_lessons_count) == (EnrollmentStatus.ACTIVE, 1)


def test_passing_at_exactly_the_passing_score_passes(student_client, quiz, qs, enrollment, lessons):
    Quiz.objects.filter(pk=quiz.pk).update(passing_score=Decimal("60.00"))
    attempt = started(student_client, quiz)
    answers = [
        answer(qs["multiple_choice"], selected_option_id="b"),
        answer(qs["multiple_select"], selected_option_ids=["a"]),
        answer(qs["true_false"], answer_text="true"),
    ]

    response = submit(student_client, quiz, attempt.pk, answers)

    assert (response.json()["percentage"], response.json()["is_passed"]) == ("60.00", True)
    assert lesson_status(enrollment, lessons[0]) == ProgressStatus.COMPLETED


def test_passing_the_quiz_of_the_last_lesson_completes_the_course(
    student, student_client, quiz, qs, enrollment, lessons, django_capture_on_commit_callbacks
):
    progress = client_for(student).post(
        f"/api/v1/enrollments/{enrollment.pk}/lessons/{lessons[1].pk}/complete"
    )
    assert progress.status_code == 200
    attempt = started(student_client, quiz)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(student_client, quiz, attempt.pk, right_answers(qs))

    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at is not None
    assert (enrollment.completed_lessons_count, enrollment.progress_percentage) == (2, Decimal("100.00"))
    assert [m.to for m in mail.outbox] == [[student.email]]  # the course_completed hook ran once


def test_a_failed_graded_quiz_does_not_complete_its_lesson(student_client, quiz, qs, enrollment, lessons):
    attempt = started(student_client, quiz)

    response = submit(student_client, quiz, attempt.pk, [answer(qs["true_false"], answer_text="false")])

    assert response.json()["is_passed"] is False
    assert lesson_status(enrollment, lessons[0]) is None
    enrollment.refresh_from_db()
    assert enrollment.completed_lessons_count == 0


def test_a_submitted_practice_quiz_completes_its_lesson_whatever_the_score(
    student_client, quiz, qs, enrollment, lessons
):
    Quiz.objects.filter(pk=quiz.pk).update(quiz_type="practice")
    attempt = started(student_client, quiz)

    response = submit(student_client, quiz, attempt.pk, [])

    assert (response.json()["percentage"], response.json()["is_passed"]) == ("0.00", False)
    assert lesson_status(enrollment, lessons[0]) == ProgressStatus.COMPLETED


INVALID_SUBMISSIONS = [
    (
        "unknown question",
        lambda qs: [{"question_id": "00000000-0000-4000-8000-000000000000", "answer_text": "x"}],
        "answers.0.question_id",
    ),
    (
        "two answers for one question",
        lambda qs: [
            answer(qs["true_false"], answer_text="true"),
            answer(qs["true_false"], answer_text="false"),
        ],
        "answers.1.question_id",
    ),
    (
        "option id of another question",
        lambda qs: [
            answer(qs["multiple_choice"], selected_option_id="d")
        ],  # d belongs to the multiple_select
        "answers.0.selected_option_id",
    ),
    (
        "several options for a single-choice question",
        lambda qs: [answer(qs["multiple_choice"], selected_option_ids=["a", "b"])],
        "answers.0.selected_option_ids",
    ),
    (
        "one option id for a multiple_select question",
        lambda qs: [answer(qs["multiple_select"], selected_option_id="a")],
        "answers.0.selected_option_id",
    ),
    (
        "an unknown option among several",
        lambda qs: [answer(qs["multiple_select"], selected_option_ids=["a", "z"])],
        "answers.0.selected_option_ids",
    ),
    (
        "the same option twice",
        lambda qs: [answer(qs["multiple_select"], selected_option_ids=["a", "a"])],
        "answers.0.selected_option_ids",
    ),
    (
        "an option for a true_false question",
        lambda qs: [answer(qs["true_false"], selected_option_id="a")],
        "answers.0.selected_option_id",
    ),
    ("not a uuid", lambda qs: [{"question_id": "q1", "answer_text": "x"}], "answers.0.question_id"),
]


@pytest.mark.parametrize(
    ("case", "build", "field"), INVALID_SUBMISSIONS, ids=[case for case, _, _ in INVALID_SUBMISSIONS]
)
def test_a_malformed_submission_is_a_400_and_leaves_the_attempt_open(
    student_client, quiz, qs, enrollment, case, build, field
):
    attempt = started(student_client, quiz)

    response = submit(student_client, quiz, attempt.pk, build(qs))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert not Answer.objects.exists()
    assert submit(student_client, quiz, attempt.pk, right_answers(qs)).status_code == 200


@pytest.mark.security
def test_another_students_attempt_is_not_found(
    student_client, other_student_client, quiz, qs, enrollment, other_enrollment
):
    attempt = started(student_client, quiz)

    for response in (
        submit(other_student_client, quiz, attempt.pk, right_answers(qs)),
        other_student_client.get(attempts_url(quiz, f"/{attempt.pk}")),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert submit(student_client, quiz, attempt.pk, right_answers(qs)).status_code == 200


def test_a_manager_cannot_submit_a_students_attempt(instructor_client, student_client, quiz, qs, enrollment):
    attempt = started(student_client, quiz)

    response = submit(instructor_client, quiz, attempt.pk, right_answers(qs))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_submitting_twice_is_a_conflict_and_keeps_the_first_grades(student_client, quiz, qs, enrollment):
    attempt = started(student_client, quiz)
    assert submit(student_client, quiz, attempt.pk, right_answers(qs)).status_code == 200

    response = submit(student_client, quiz, attempt.pk, [answer(qs["true_false"], answer_text="false")])

    assert response.status_code == 409
    assert response.json()["code"] == "attempt_already_submitted"
    attempt.refresh_from_db()
    assert (attempt.score, attempt.percentage) == (Decimal("5.00"), Decimal("100.00"))
    assert Answer.objects.filter(attempt=attempt).count() == 4
    assert Answer.objects.get(attempt=attempt, question=qs["true_false"]).answer_text == "true"


@pytest.mark.parametrize(
    ("status", "code"),
    [(EnrollmentStatus.DROPPED, "enrollment_dropped"), (EnrollmentStatus.EXPIRED, "enrollment_expired")],
)
def test_a_student_whose_enrollment_ended_cannot_submit(student_client, quiz, qs, enrollment, status, code):
    attempt = started(student_client, quiz)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status)

    response = submit(student_client, quiz, attempt.pk, right_answers(qs))

    assert response.status_code == 403
    assert response.json()["code"] == code
    assert not Answer.objects.exists()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.ACTIVE)
    assert submit(student_client, quiz, attempt.pk, right_answers(qs)).status_code == 200


@pytest.fixture
def timed_attempt(student_client, quiz, enrollment) -> Attempt:
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=10)
    return started(student_client, quiz)


def test_a_submit_past_the_deadline_and_the_grace_expires_the_attempt(
    student_client, quiz, qs, timed_attempt
):
    Attempt.objects.filter(pk=timed_attempt.pk).update(deadline_at=timezone.now() - timedelta(seconds=31))

    response = submit(student_client, quiz, timed_attempt.pk, right_answers(qs))

    assert response.status_code == 409
    assert response.json()["code"] == "time_limit_exceeded"
    timed_attempt.refresh_from_db()
    assert timed_attempt.status == AttemptStatus.EXPIRED
    assert timed_attempt.submitted_at is not None and timed_attempt.score is None
    assert not Answer.objects.exists()
    again = submit(student_client, quiz, timed_attempt.pk, right_answers(qs))
    assert (again.status_code, again.json()["code"]) == (409, "time_limit_exceeded")
    assert started(student_client, quiz).attempt_number == 2  # the student may try again


def test_a_submit_within_the_grace_is_accepted(student_client, quiz, qs, timed_attempt):
    Attempt.objects.filter(pk=timed_attempt.pk).update(deadline_at=timezone.now() - timedelta(seconds=20))

    response = submit(student_client, quiz, timed_attempt.pk, right_answers(qs))

    assert response.status_code == 200
    assert response.json()["status"] == "graded"
    timed_attempt.refresh_from_db()
    assert timed_attempt.status == AttemptStatus.GRADED


def test_the_grace_comes_from_the_setting(settings, student_client, quiz, qs, timed_attempt):
    settings.QUIZ_SUBMIT_GRACE_SECONDS = 0
    Attempt.objects.filter(pk=timed_attempt.pk).update(deadline_at=timezone.now() - timedelta(seconds=5))

    response = submit(student_client, quiz, timed_attempt.pk, right_answers(qs))

    assert (response.status_code, response.json()["code"]) == (409, "time_limit_exceeded")


# --- hidden correctness ---------------------------------------------------------------------------


@pytest.mark.security
def test_when_answers_are_hidden_students_see_no_correctness_but_managers_do(
    student_client, instructor_client, quiz, qs, enrollment
):
    Quiz.objects.filter(pk=quiz.pk).update(show_correct_answers=False)
    attempt = started(student_client, quiz)

    result = submit(student_client, quiz, attempt.pk, right_answers(qs))
    detail = student_client.get(attempts_url(quiz, f"/{attempt.pk}"))
    managed = instructor_client.get(attempts_url(quiz, f"/{attempt.pk}"))

    for response in (result, detail):
        assert response.status_code == 200
        body = response.json()
        assert len(body["answers"]) == 4
        assert {(a["is_correct"], a["points_earned"]) for a in body["answers"]} == {(None, None)}
        assert set(keys_anywhere(body)) & {"correct_answer", "accepted_answers", "explanation"} == set()
        assert (body["score"], body["is_passed"]) == ("5.00", True)
    assert managed.status_code == 200
    assert {(a["is_correct"], a["points_earned"]) for a in managed.json()["answers"]} == {
        (True, "1.00"),
        (True, "2.00"),
    }


def test_when_answers_are_shown_the_student_sees_correctness(student_client, quiz, qs, enrollment):
    attempt = started(student_client, quiz)
    submit(student_client, quiz, attempt.pk, right_answers(qs))

    body = student_client.get(attempts_url(quiz, f"/{attempt.pk}")).json()

    assert {a["is_correct"] for a in body["answers"]} == {True}


# --- essays ---------------------------------------------------------------------------------------


@pytest.fixture
def essay_quiz(course, lessons) -> Quiz:
    """A graded quiz on the second lesson: a true_false (1 point) and an essay (5 points)."""
    quiz = QuizFactory(course=course, lesson=lessons[1], shuffle_questions=False)
    true_false(quiz)
    essay(quiz, points="5.00")
    quiz.refresh_from_db()
    return quiz


@pytest.fixture
def submitted_essay(student_client, essay_quiz, enrollment) -> Attempt:
    tf, text = essay_quiz.questions.order_by("order_index")
    attempt = started(student_client, essay_quiz)
    response = submit(
        student_client,
        essay_quiz,
        attempt.pk,
        [answer(tf, answer_text="true"), answer(text, answer_text="The GIL serialises bytecode.")],
    )
    assert response.status_code == 200
    attempt.refresh_from_db()
    return attempt


def test_an_attempt_with_an_essay_waits_for_grading(
    student_client, essay_quiz, submitted_essay, enrollment, lessons
):
    body = student_client.get(attempts_url(essay_quiz, f"/{submitted_essay.pk}")).json()

    assert (body["status"], body["score"], body["max_score"]) == ("submitted", "1.00", "6.00")
    assert (body["percentage"], body["is_passed"], body["graded_at"]) == (None, None, None)
    assert [(a["is_correct"], a["points_earned"]) for a in body["answers"]] == [(True, "1.00"), (None, None)]
    assert submitted_essay.status == AttemptStatus.SUBMITTED
    assert lesson_status(enrollment, lessons[1]) is None


def test_a_manager_grades_the_essay_and_the_attempt_is_graded(
    instructor_client, essay_quiz, submitted_essay, enrollment, lessons
):
    text = essay_quiz.questions.get(question_type="essay")

    response = grade(
        instructor_client,
        essay_quiz,
        submitted_essay.pk,
        [{"question_id": str(text.pk), "points_earned": "4.5", "feedback": "Good, but be precise."}],
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["score"], body["percentage"], body["is_passed"]) == (
        "graded",
        "5.50",
        "91.67",
        True,
    )
    assert body["answers"][1] == {
        "question_id": str(text.pk),
        "selected_option_id": None,
        "selected_option_ids": None,
        "answer_text": "The GIL serialises bytecode.",
        "is_correct": False,
        "points_earned": "4.50",
        "feedback": "Good, but be precise.",
    }
    submitted_essay.refresh_from_db()
    assert submitted_essay.status == AttemptStatus.GRADED and submitted_essay.graded_at is not None
    assert lesson_status(enrollment, lessons[1]) == ProgressStatus.COMPLETED


def test_a_low_essay_grade_fails_the_attempt(
    instructor_client, essay_quiz, submitted_essay, enrollment, lessons
):
    text = essay_quiz.questions.get(question_type="essay")

    body = grade(
        instructor_client,
        essay_quiz,
        submitted_essay.pk,
        [{"question_id": str(text.pk), "points_earned": "1"}],
    ).json()

    assert (body["status"], body["score"], body["percentage"], body["is_passed"]) == (
        "graded",
        "2.00",
        "33.33",
        False,
    )
    assert lesson_status(enrollment, lessons[1]) is None


@pytest.mark.parametrize(
    ("case", "grades", "field"),
    [
        (
            "more points than the question has",
            lambda tf, text: [{"question_id": str(text.pk), "points_earned": "5.01"}],
            "grades.0.points_earned",
        ),
        (
            "negative points",
            lambda tf, text: [{"question_id": str(text.pk), "points_earned": "-1"}],
            "grades.0.points_earned",
        ),
        (
            "a question that is not an essay",
            lambda tf, text: [{"question_id": str(tf.pk), "points_earned": "1"}],
            "grades.0.question_id",
        ),
        # DRF reports a too-short list as the list's non_field_errors.
        ("no grades", lambda tf, text: [], "grades.non_field_errors"),
    ],
)
def test_a_bad_grade_is_a_400(instructor_client, essay_quiz, submitted_essay, case, grades, field):
    tf, text = essay_quiz.questions.order_by("order_index")

    response = grade(instructor_client, essay_quiz, submitted_essay.pk, grades(tf, text))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    submitted_essay.refresh_from_db()
    assert submitted_essay.status == AttemptStatus.SUBMITTED
    assert Answer.objects.get(attempt=submitted_essay, question=text).points_earned is None
    ok = grade(
        instructor_client,
        essay_quiz,
        submitted_essay.pk,
        [{"question_id": str(text.pk), "points_earned": "5"}],
    )
    assert ok.status_code == 200


def test_students_cannot_grade(
    student_client, other_student_client, other_enrollment, essay_quiz, submitted_essay
):
    text = essay_quiz.questions.get(question_type="essay")
    body = [{"question_id": str(text.pk), "points_earned": "5"}]

    own = grade(student_client, essay_quiz, submitted_essay.pk, body)
    foreign = grade(other_student_client, essay_quiz, submitted_essay.pk, body)

    assert (own.status_code, own.json()["code"]) == (403, "permission_denied")
    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")
    submitted_essay.refresh_from_db()
    assert submitted_essay.status == AttemptStatus.SUBMITTED


def test_an_attempt_in_progress_cannot_be_graded(instructor_client, student_client, essay_quiz, enrollment):
    text = essay_quiz.questions.get(question_type="essay")
    attempt = started(student_client, essay_quiz)

    response = grade(
        instructor_client, essay_quiz, attempt.pk, [{"question_id": str(text.pk), "points_earned": "5"}]
    )

    assert (response.status_code, response.json()["code"]) == (409, "attempt_not_submitted")


@pytest.mark.parametrize("status", [EnrollmentStatus.DROPPED, EnrollmentStatus.EXPIRED])
def test_an_essay_of_a_student_who_left_can_still_be_graded(
    instructor_client, essay_quiz, submitted_essay, enrollment, lessons, status
):
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status)
    text = essay_quiz.questions.get(question_type="essay")

    response = grade(
        instructor_client,
        essay_quiz,
        submitted_essay.pk,
        [{"question_id": str(text.pk), "points_earned": "5"}],
    )

    assert response.status_code == 200
    assert response.json()["is_passed"] is True
    assert lesson_status(enrollment, lessons[1]) is None  # no progress for an enrollment that left


# --- my attempts, attempt detail ------------------------------------------------------------------


def test_my_attempts_lists_mine_by_number(
    student_client, other_student_client, quiz, qs, enrollment, other_enrollment
):
    first = started(student_client, quiz)
    submit(student_client, quiz, first.pk, right_answers(qs))
    second = started(student_client, quiz)
    started(other_student_client, quiz)

    response = student_client.get(attempts_url(quiz, "/my-attempts"))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total"}
    assert body["total"] == 2
    first.refresh_from_db()
    assert times_match(body["items"][0], first) == {
        "id": str(first.pk),
        "enrollment_id": str(enrollment.pk),
        "quiz_id": str(quiz.pk),
        "attempt_number": 1,
        "status": "graded",
        "score": "5.00",
        "max_score": "5.00",
        "percentage": "100.00",
        "is_passed": True,
        "time_taken_seconds": first.time_taken_seconds,
    }
    assert [(a["id"], a["attempt_number"], a["status"]) for a in body["items"]] == [
        (str(first.pk), 1, "graded"),
        (str(second.pk), 2, "in_progress"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("instructor", 200),
        ("admin", 200),
        ("other_student", 404),
        ("other_instructor", 404),
    ],
)
def test_an_attempt_is_visible_to_its_student_and_the_managers_only(
    request, who, status, student_client, quiz, qs, enrollment
):
    attempt = started(student_client, quiz)
    submit(student_client, quiz, attempt.pk, right_answers(qs))

    response = client_for(request.getfixturevalue(who)).get(attempts_url(quiz, f"/{attempt.pk}"))

    assert response.status_code == status
    if status == 200:
        assert response.json()["id"] == str(attempt.pk)
        assert len(response.json()["answers"]) == 4
    else:
        assert response.json()["code"] == "not_found"


# --- managers: attempts list and stats ------------------------------------------------------------


def test_managers_list_the_attempts_of_a_quiz_paginated_and_filtered(
    instructor_client, student_client, other_student_client, quiz, qs, enrollment, other_enrollment
):
    graded = started(student_client, quiz)
    submit(student_client, quiz, graded.pk, right_answers(qs))
    in_progress = started(other_student_client, quiz)

    response = instructor_client.get(manager_url(quiz, "/attempts"), {"page_size": 1})

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (2, 1, 1, 2)
    assert [a["id"] for a in body["items"]] == [str(in_progress.pk)]  # newest first
    assert 'rel="next"' in response["Link"]

    filtered = instructor_client.get(manager_url(quiz, "/attempts"), {"status": "graded"}).json()
    assert filtered["total"] == 1
    assert [(a["id"], a["status"], a["score"]) for a in filtered["items"]] == [
        (str(graded.pk), "graded", "5.00")
    ]
    assert "answers" not in filtered["items"][0]

    bad = instructor_client.get(manager_url(quiz, "/attempts"), {"status": "lost"})
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["status"])


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_only_managers_see_the_attempts_list_and_stats(request, who, quiz):
    client = client_for(request.getfixturevalue(who))

    for url in (manager_url(quiz, "/attempts"), manager_url(quiz, "/stats")):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


@pytest.fixture
def stats_quiz(course) -> Quiz:
    """mc (1 point), true_false (1 point), short_answer (2 points): 4 points, pass at 70%."""
    quiz = QuizFactory(course=course, shuffle_questions=False)
    multiple_choice(quiz, correct="b")
    true_false(quiz, answer="true")
    short_answer(quiz, answer="def", points="2.00")
    quiz.refresh_from_db()
    return quiz


def test_stats_are_computed_from_finished_attempts(instructor_client, stats_quiz):
    mc, tf, short = stats_quiz.questions.order_by("order_index")
    s1, s2, s3, s4 = (EnrollmentFactory(course=stats_quiz.course) for _ in range(4))

    def take(enrollment: Enrollment, answers: list[dict]) -> None:
        client = client_for(enrollment.student)
        attempt = started(client, stats_quiz)
        assert submit(client, stats_quiz, attempt.pk, answers).status_code == 200

    # s1, first attempt: all right, 4/4 = 100%, passed.
    take(
        s1,
        [
            answer(mc, selected_option_id="b"),
            answer(tf, answer_text="true"),
            answer(short, answer_text="def"),
        ],
    )
    # s1, second attempt: mc right, tf wrong, short unanswered: 1/4 = 25%, failed.
    take(s1, [answer(mc, selected_option_id="b"), answer(tf, answer_text="false")])
    # s2: mc wrong, tf right, short wrong: 1/4 = 25%, failed.
    take(
        s2,
        [
            answer(mc, selected_option_id="a"),
            answer(tf, answer_text="true"),
            answer(short, answer_text="var"),
        ],
    )
    # s3 is still writing, s4 ran out of time: neither counts.
    started(client_for(s3.student), stats_quiz)
    AttemptFactory(quiz=stats_quiz, enrollment=s4, status=AttemptStatus.EXPIRED)

    response = instructor_client.get(manager_url(stats_quiz, "/stats"))

    assert response.status_code == 200
    assert response.json() == {
        "attempts": 3,
        "students": 2,
        "pass_rate": "33.33",  # 1 of 3 graded attempts
        "average_percentage": "50.00",  # (100 + 25 + 25) / 3
        "questions": [
            {"question_id": str(mc.pk), "answered": 3, "correct_rate": "66.67"},  # 2 of 3
            {"question_id": str(tf.pk), "answered": 3, "correct_rate": "66.67"},  # 2 of 3
            {"question_id": str(short.pk), "answered": 2, "correct_rate": "50.00"},  # 1 of 2 who answered
        ],
    }


def test_stats_of_a_quiz_nobody_took_are_empty(instructor_client, stats_quiz):
    body = instructor_client.get(manager_url(stats_quiz, "/stats")).json()

    assert (body["attempts"], body["students"], body["pass_rate"], body["average_percentage"]) == (
        0,
        0,
        None,
        None,
    )
    assert [(q["answered"], q["correct_rate"]) for q in body["questions"]] == [(0, None)] * 3


# --- the expiry sweep -----------------------------------------------------------------------------


def test_the_sweep_expires_only_overdue_attempts_in_progress(quiz):
    now = timezone.now()
    overdue = AttemptFactory(quiz=quiz, deadline_at=now - timedelta(seconds=31))
    in_grace = AttemptFactory(quiz=quiz, deadline_at=now - timedelta(seconds=20))
    untimed = AttemptFactory(quiz=quiz, started_at=now - timedelta(days=3), deadline_at=None)
    graded = AttemptFactory(quiz=quiz, deadline_at=now - timedelta(hours=1), status=AttemptStatus.GRADED)

    assert expire_overdue_attempts_task.delay().get() == 1

    statuses = {a.pk: a.status for a in Attempt.objects.all()}
    assert statuses == {
        overdue.pk: AttemptStatus.EXPIRED,
        in_grace.pk: AttemptStatus.IN_PROGRESS,
        untimed.pk: AttemptStatus.IN_PROGRESS,
        graded.pk: AttemptStatus.GRADED,
    }
    overdue.refresh_from_db()
    assert overdue.submitted_at is not None
    assert expire_overdue_attempts_task.delay().get() == 0  # safe to run twice


def test_the_sweep_is_scheduled_every_five_minutes():
    task = PeriodicTask.objects.select_related("interval").get(
        task="quizzes.tasks.expire_overdue_attempts_task"
    )

    assert task.enabled is True
    assert (task.interval.every, task.interval.period) == (5, "minutes")
    assert task.queue == "progress"


# --- query counts ---------------------------------------------------------------------------------


def _quiz_with(course: Course, count: int, **fields: Any) -> tuple[Quiz, list[dict[str, Any]]]:
    """A quiz on a fresh lesson of `course` with `count` questions cycling through the auto-graded
    types (options shuffled), and answers that get everything right."""
    quiz = QuizFactory(course=course, lesson=LessonFactory(course=course), **fields)
    answers = []
    for index in range(count):
        kind = index % 4
        if kind == 0:
            answers.append(answer(multiple_choice(quiz, correct="b"), selected_option_id="b"))
        elif kind == 1:
            answers.append(answer(multiple_select(quiz, correct=("a", "b")), selected_option_ids=["a", "b"]))
        elif kind == 2:
            answers.append(answer(true_false(quiz), answer_text="true"))
        else:
            answers.append(answer(short_answer(quiz, answer="def"), answer_text="DEF"))
    return quiz, answers


@pytest.mark.parametrize("count", [5, 20])
def test_the_paper_costs_the_same_queries_whatever_the_number_of_questions(
    count, course, student, student_client, django_assert_num_queries
):
    quiz, _ = _quiz_with(course, count)
    EnrollmentFactory(student=student, course=course)
    started(student_client, quiz)

    with django_assert_num_queries(5):
        # 1. the caller (bearer token -> user)
        # 2. the quiz with its course
        # 3. the caller's enrollment in the course
        # 4. the caller's attempt in progress
        # 5. the questions
        response = paper(student_client, quiz)
    assert len(response.json()["questions"]) == count


@pytest.mark.parametrize("count", [5, 20])
def test_submitting_costs_the_same_queries_whatever_the_number_of_questions(
    count, course, student, student_client, django_assert_num_queries
):
    quiz, answers = _quiz_with(course, count)
    enrollment = EnrollmentFactory(student=student, course=course)
    attempt = started(student_client, quiz)

    with django_assert_num_queries(18):
        # 1. the caller (bearer token -> user, with the revoked-token EXISTS)
        # 2. the quiz with its course
        # 3. the attempt with its enrollment, quiz and course (visibility)
        # -- the service's transaction (SAVEPOINT inside the test's transaction) --
        # 4. SAVEPOINT
        # 5. lock the enrollment
        # 6. lock the attempt (joined to its quiz and course, which stay unlocked)
        # 7. the questions: one read for the answer check and the grading
        # 8. one INSERT of every answer
        # 9. UPDATE the attempt's result
        # -- the passed quiz completes its lesson: progress_update, its own atomic block --
        # 10. SAVEPOINT
        # 11. lock the enrollment again (with its course's lesson count)
        # 12. the lesson belongs to the course
        # 13. lock the lesson's progress row (none yet)
        # 14. INSERT the progress row
        # 15. UPDATE the enrollment's counters
        # 16. RELEASE SAVEPOINT (progress_update)
        # 17. RELEASE SAVEPOINT (the service)
        # -- the response --
        # 18. the answers with their questions, in authored order
        response = submit(student_client, quiz, attempt.pk, answers)
    assert response.status_code == 200
    assert response.json()["percentage"] == "100.00"
    assert Answer.objects.filter(attempt=attempt).count() == count
    assert (
        LessonProgress.objects.get(enrollment=enrollment, lesson=quiz.lesson).status
        == ProgressStatus.COMPLETED
    )


@pytest.mark.parametrize("count", [5, 20])
def test_stats_cost_the_same_queries_whatever_the_number_of_questions(
    count, course, instructor_client, django_assert_num_queries
):
    quiz, answers = _quiz_with(course, count)
    for _ in range(3):
        enrollment = EnrollmentFactory(course=course)
        client = client_for(enrollment.student)
        attempt = started(client, quiz)
        submit(client, quiz, attempt.pk, answers)

    with django_assert_num_queries(6):
        # 1. the caller
        # 2. the course (visible to the caller)
        # 3. the quiz
        # 4. attempt figures: one aggregate over the finished attempts
        # 5. answer figures: one GROUP BY question
        # 6. the question ids in authored order
        response = instructor_client.get(manager_url(quiz, "/stats"))
    assert response.json()["attempts"] == 3
    assert len(response.json()["questions"]) == count


@pytest.mark.parametrize("count", [5, 20])
def test_the_question_list_costs_the_same_queries_whatever_the_number_of_questions(
    count, course, student_client, instructor_client, django_assert_num_queries
):
    quiz, _ = _quiz_with(course, count)
    url = manager_url(quiz, "/questions")

    for client in (student_client, instructor_client):
        with django_assert_num_queries(4):
            # 1. the caller
            # 2. the course (visible to the caller)
            # 3. the quiz
            # 4. the questions
            response = client.get(url)
        assert response.json()["total"] == count


@pytest.mark.parametrize("count", [3, 12])
def test_the_attempts_list_costs_the_same_queries_whatever_the_number_of_attempts(
    count, course, instructor_client, django_assert_num_queries
):
    quiz, answers = _quiz_with(course, 4)
    for _ in range(count):
        enrollment = EnrollmentFactory(course=course)
        client = client_for(enrollment.student)
        submit(client, quiz, started(client, quiz).pk, answers)

    with django_assert_num_queries(5):
        # 1. the caller
        # 2. the course (visible to the caller)
        # 3. the quiz
        # 4. COUNT of the attempts
        # 5. the page of attempts
        response = instructor_client.get(manager_url(quiz, "/attempts"))
    assert response.json()["total"] == count
    assert len(response.json()["items"]) == count
