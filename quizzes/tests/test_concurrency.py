"""Races on real PostgreSQL connections: concurrent submits grade once, concurrent starts create one
attempt, and nobody gets a 500."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from conftest import client_for
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import LessonProgress
from enrollments.tests.factories import EnrollmentFactory
from lms_project.testing import postgres_only, run_concurrently
from quizzes.models import Answer, Attempt, AttemptStatus, Quiz
from quizzes.tests.factories import QuizFactory, multiple_choice, true_false

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

RACERS = 10


@pytest.fixture
def scene():
    """A published graded quiz on the only lesson of a course, and an enrolled student."""
    course = CourseFactory(is_published=True)
    lesson = LessonFactory(course=course)
    quiz = QuizFactory(course=course, lesson=lesson)
    mc = multiple_choice(quiz, correct="b")
    tf = true_false(quiz)
    enrollment = EnrollmentFactory(course=course)
    return (
        quiz,
        enrollment,
        [
            {"question_id": str(mc.pk), "selected_option_id": "b"},
            {"question_id": str(tf.pk), "answer_text": "true"},
        ],
    )


def test_concurrent_submits_of_one_attempt_grade_it_exactly_once(scene):
    quiz, enrollment, answers = scene
    client = client_for(enrollment.student)
    attempt_id = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()["id"]
    url = f"/api/v1/quizzes/{quiz.pk}/attempts/{attempt_id}/submit"
    codes: list[str] = []

    def submit() -> int:
        response = client_for(enrollment.student).post(url, {"answers": answers}, format="json")
        if response.status_code != 200:
            codes.append(response.json()["code"])
        return response.status_code

    statuses = run_concurrently([submit] * RACERS)

    assert sorted(statuses) == [200] + [409] * (RACERS - 1)
    assert set(codes) == {"attempt_already_submitted"}
    attempt = Attempt.objects.get(pk=attempt_id)
    assert (attempt.status, attempt.score, attempt.is_passed) == (AttemptStatus.GRADED, 2, True)
    assert Answer.objects.filter(attempt=attempt).count() == 2  # one set of answers
    # The lesson (and with it the course) was completed once.
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 1
    enrollment.refresh_from_db()
    assert (enrollment.completed_lessons_count, enrollment.status) == (1, "completed")


def test_concurrent_starts_create_one_attempt(scene):
    quiz, enrollment, _ = scene
    url = f"/api/v1/quizzes/{quiz.pk}/attempts"
    ids: set[str] = set()
    lock = threading.Lock()

    def start() -> int:
        response = client_for(enrollment.student).post(url)
        if response.status_code in (200, 201):
            with lock:
                ids.add(response.json()["id"])
        return response.status_code

    statuses = run_concurrently([start] * RACERS)

    assert sorted(statuses) == [200] * (RACERS - 1) + [201]
    assert Attempt.objects.filter(quiz=quiz).count() == 1
    assert ids == {str(Attempt.objects.get(quiz=quiz).pk)}  # every caller got the same attempt


def test_a_submit_does_not_wait_for_an_author_holding_the_quiz_row(scene):
    """Question edits hold the quiz row; submits lock only the enrollment and the attempt."""
    quiz, enrollment, answers = scene
    attempt_id = client_for(enrollment.student).post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()["id"]
    locked, release = threading.Event(), threading.Event()
    result: dict[str, int] = {}

    def author() -> None:
        try:
            with transaction.atomic():
                Quiz.objects.select_for_update().get(pk=quiz.pk)  # as question_create does
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def student() -> None:
        try:
            url = f"/api/v1/quizzes/{quiz.pk}/attempts/{attempt_id}/submit"
            result["status"] = (
                client_for(enrollment.student).post(url, {"answers": answers}, format="json").status_code
            )
        finally:
            connections.close_all()

    holder = threading.Thread(target=author)
    holder.start()
    assert locked.wait(timeout=10)
    submitter = threading.Thread(target=student)
    submitter.start()
    submitter.join(timeout=5)
    finished_while_locked = not submitter.is_alive()
    release.set()
    holder.join(timeout=30)
    submitter.join(timeout=30)

    assert finished_while_locked, "the submit queued behind the quiz row lock"
    assert result["status"] == 200
