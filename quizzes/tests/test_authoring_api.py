"""Quiz and question authoring (contract section 6): who may write, validation per question type,
the counters, and that answer data never reaches anyone but the course's managers."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils.dateparse import parse_datetime

from conftest import client_for
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.tests.factories import EnrollmentFactory
from quizzes.models import Answer, Attempt, Question, Quiz
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


@pytest.fixture
def course(instructor) -> Course:
    """A published course of `instructor` with two lessons."""
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory.create_batch(2, course=course)
    return course


@pytest.fixture
def lesson(course) -> Lesson:
    return course.lessons.order_by("order_index").first()


@pytest.fixture
def quiz(course) -> Quiz:
    """A published quiz of `course`, with no questions yet."""
    return QuizFactory(course=course, title="Variables check")


def quizzes_url(course: Course) -> str:
    return f"/api/v1/courses/{course.pk}/quizzes"


def quiz_url(quiz: Quiz, suffix: str = "") -> str:
    return f"/api/v1/courses/{quiz.course_id}/quizzes/{quiz.pk}{suffix}"


def questions_url(quiz: Quiz) -> str:
    return quiz_url(quiz, "/questions")


def question_url(question: Question) -> str:
    return f"/api/v1/courses/{question.quiz.course_id}/quizzes/{question.quiz_id}/questions/{question.pk}"


def keys_anywhere(value: Any) -> Iterator[str]:
    """Every dict key at any depth of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_anywhere(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_anywhere(item)


def quiz_json(quiz: Quiz, **changes: Any) -> dict[str, Any]:
    """The contract's quiz shape for `quiz` as stored (timestamps compared separately)."""
    body = {
        "id": str(quiz.pk),
        "course_id": str(quiz.course_id),
        "lesson_id": str(quiz.lesson_id) if quiz.lesson_id else None,
        "title": quiz.title,
        "description": quiz.description,
        "quiz_type": quiz.quiz_type,
        "time_limit_minutes": quiz.time_limit_minutes,
        "passing_score": f"{quiz.passing_score:.2f}",
        "max_attempts": quiz.max_attempts,
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_options": quiz.shuffle_options,
        "show_correct_answers": quiz.show_correct_answers,
        "is_published": quiz.is_published,
        "total_questions": quiz.total_questions,
        "total_points": f"{quiz.total_points:.2f}",
    }
    body.update(changes)
    return body


def without_times(body: dict[str, Any], quiz: Quiz) -> dict[str, Any]:
    body = dict(body)
    assert parse_datetime(body.pop("created_at")) == quiz.created_at
    assert parse_datetime(body.pop("updated_at")) == quiz.updated_at
    return body


# --- quizzes: create ------------------------------------------------------------------------------


def test_the_instructor_creates_an_unpublished_quiz_with_the_contract_defaults(
    instructor_client, course, lesson
):
    response = instructor_client.post(
        quizzes_url(course), {"title": "Variables check", "lesson_id": str(lesson.pk)}, format="json"
    )

    assert response.status_code == 201
    quiz = Quiz.objects.get(course=course)
    assert without_times(response.json(), quiz) == {
        "id": str(quiz.pk),
        "course_id": str(course.pk),
        "lesson_id": str(lesson.pk),
        "title": "Variables check",
        "description": None,
        "quiz_type": "graded",
        "time_limit_minutes": None,
        "passing_score": "70.00",
        "max_attempts": None,
        "shuffle_questions": True,
        "shuffle_options": True,
        "show_correct_answers": True,
        "is_published": False,
        "total_questions": 0,
        "total_points": "0.00",
    }


def test_an_admin_creates_a_quiz_in_any_course_and_may_set_every_option(admin_client, course):
    body = {
        "title": "Practice round",
        "description": "Warm up.",
        "quiz_type": "practice",
        "time_limit_minutes": 15,
        "passing_score": "55.5",
        "max_attempts": 2,
        "shuffle_questions": False,
        "shuffle_options": False,
        "show_correct_answers": False,
        "is_published": True,  # ignored: a new quiz is always a draft
    }

    response = admin_client.post(quizzes_url(course), body, format="json")

    assert response.status_code == 201
    quiz = Quiz.objects.get(course=course)
    assert without_times(response.json(), quiz) == quiz_json(
        quiz,
        title="Practice round",
        description="Warm up.",
        quiz_type="practice",
        time_limit_minutes=15,
        passing_score="55.50",
        max_attempts=2,
        shuffle_questions=False,
        shuffle_options=False,
        show_correct_answers=False,
        is_published=False,
        lesson_id=None,
    )


@pytest.mark.parametrize("who", ["other_instructor", "student"])
def test_only_the_course_managers_may_create_a_quiz(request, who, course, instructor_client):
    client = client_for(request.getfixturevalue(who))

    response = client.post(quizzes_url(course), {"title": "Not mine"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Quiz.objects.filter(course=course).exists()
    assert instructor_client.post(quizzes_url(course), {"title": "Mine"}, format="json").status_code == 201


def test_creating_a_quiz_needs_a_token(api_client, course):
    response = api_client.post(quizzes_url(course), {"title": "Anonymous"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "ab"}, "title"),
        ({}, "title"),
        ({"title": "Timed", "time_limit_minutes": 0}, "time_limit_minutes"),
        ({"title": "Too hard", "passing_score": "100.01"}, "passing_score"),
        ({"title": "No tries", "max_attempts": 0}, "max_attempts"),
        ({"title": "Odd type", "quiz_type": "exam"}, "quiz_type"),
    ],
)
def test_quiz_fields_are_validated(instructor_client, course, body, field):
    response = instructor_client.post(quizzes_url(course), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert not Quiz.objects.exists()


def test_a_lesson_of_another_course_is_rejected(instructor, instructor_client, course, lesson):
    foreign_lesson = LessonFactory(course=CourseFactory(instructor=instructor, is_published=True))

    response = instructor_client.post(
        quizzes_url(course), {"title": "Wrong lesson", "lesson_id": str(foreign_lesson.pk)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["lesson_id"]
    assert not Quiz.objects.exists()
    response = instructor_client.post(
        quizzes_url(course), {"title": "Right lesson", "lesson_id": str(lesson.pk)}, format="json"
    )
    assert response.status_code == 201


def test_a_second_quiz_on_one_lesson_is_a_conflict(instructor_client, course, lesson):
    QuizFactory(course=course, lesson=lesson)
    other_lesson = course.lessons.exclude(pk=lesson.pk).get()

    response = instructor_client.post(
        quizzes_url(course), {"title": "Second", "lesson_id": str(lesson.pk)}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "lesson_has_quiz"
    assert Quiz.objects.filter(lesson=lesson).count() == 1
    response = instructor_client.post(
        quizzes_url(course), {"title": "Second", "lesson_id": str(other_lesson.pk)}, format="json"
    )
    assert response.status_code == 201


def test_moving_a_quiz_onto_a_lesson_that_has_one_is_a_conflict(instructor_client, course, lesson):
    QuizFactory(course=course, lesson=lesson)
    loose = QuizFactory(course=course)

    response = instructor_client.patch(quiz_url(loose), {"lesson_id": str(lesson.pk)}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "lesson_has_quiz"
    loose.refresh_from_db()
    assert loose.lesson_id is None


# --- quizzes: read --------------------------------------------------------------------------------


def test_managers_list_drafts_too_and_everyone_else_only_published_quizzes(
    course, instructor, admin, other_instructor, student, api_client
):
    published = QuizFactory(course=course, title="Published one")
    draft = QuizFactory(course=course, title="Draft one", is_published=False)
    QuizFactory(title="Another course's quiz")

    for manager in (instructor, admin):
        response = client_for(manager).get(quizzes_url(course))
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"items", "total"}
        assert body["total"] == 2
        assert [item["id"] for item in body["items"]] == [str(published.pk), str(draft.pk)]

    for client in (client_for(other_instructor), client_for(student), api_client):
        response = client.get(quizzes_url(course))
        assert response.status_code == 200
        assert response.json()["total"] == 1
        published.refresh_from_db()
        assert [without_times(item, published) for item in response.json()["items"]] == [quiz_json(published)]


def test_a_draft_quiz_is_not_found_for_anyone_but_its_managers(
    course, instructor_client, student_client, api_client
):
    draft = QuizFactory(course=course, is_published=False)

    for client in (student_client, api_client):
        for url in (quiz_url(draft), questions_url(draft)):
            response = client.get(url)
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"
    assert instructor_client.get(quiz_url(draft)).status_code == 200


def test_on_a_draft_course_non_managers_get_404_for_everything(
    instructor, other_instructor, student, api_client
):
    course = CourseFactory(instructor=instructor, is_published=False)
    quiz = QuizFactory(course=course)

    for client in (client_for(other_instructor), client_for(student)):
        assert client.get(quizzes_url(course)).status_code == 404
        assert client.get(quiz_url(quiz)).status_code == 404
        response = client.post(quizzes_url(course), {"title": "Sneaky"}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert client.patch(quiz_url(quiz), {"title": "Sneaky"}, format="json").status_code == 404
    assert api_client.get(quizzes_url(course)).status_code == 404
    assert Quiz.objects.filter(course=course).count() == 1
    assert client_for(instructor).get(quizzes_url(course)).json()["total"] == 1


# --- quizzes: update, publish, delete --------------------------------------------------------------


def test_the_instructor_edits_a_quiz(instructor_client, quiz, lesson):
    response = instructor_client.patch(
        quiz_url(quiz),
        {"title": "Renamed", "passing_score": "80", "max_attempts": 3, "lesson_id": str(lesson.pk)},
        format="json",
    )

    assert response.status_code == 200
    quiz.refresh_from_db()
    assert (quiz.title, quiz.passing_score, quiz.max_attempts, quiz.lesson_id) == (
        "Renamed",
        Decimal("80.00"),
        3,
        lesson.pk,
    )
    assert without_times(response.json(), quiz) == quiz_json(quiz)


@pytest.mark.parametrize("who", ["other_instructor", "student"])
def test_only_the_course_managers_may_edit_publish_or_delete_a_quiz(request, who, quiz):
    true_false(quiz)
    client = client_for(request.getfixturevalue(who))

    for response in (
        client.patch(quiz_url(quiz), {"title": "Hijacked"}, format="json"),
        client.post(quiz_url(quiz, "/publish")),
        client.delete(quiz_url(quiz)),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    quiz.refresh_from_db()
    assert quiz.title == "Variables check"


def test_publishing_a_quiz_without_questions_is_refused(instructor_client, course):
    quiz = QuizFactory(course=course, is_published=False)

    response = instructor_client.post(quiz_url(quiz, "/publish"))
    assert response.status_code == 400
    assert response.json()["code"] == "quiz_has_no_questions"
    response = instructor_client.patch(quiz_url(quiz), {"is_published": True}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "quiz_has_no_questions"
    quiz.refresh_from_db()
    assert quiz.is_published is False

    true_false(quiz)
    response = instructor_client.post(quiz_url(quiz, "/publish"))
    assert response.status_code == 200
    assert response.json()["is_published"] is True
    quiz.refresh_from_db()
    assert quiz.is_published is True


def test_a_quiz_with_attempts_cannot_be_deleted(instructor_client, quiz):
    AttemptFactory(quiz=quiz)

    response = instructor_client.delete(quiz_url(quiz))

    assert response.status_code == 409
    assert response.json()["code"] == "quiz_has_attempts"
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    Attempt.objects.filter(quiz=quiz).delete()
    assert instructor_client.delete(quiz_url(quiz)).status_code == 204
    assert not Quiz.objects.filter(pk=quiz.pk).exists()


def test_deleting_a_quiz_without_attempts_removes_its_questions(instructor_client, quiz):
    true_false(quiz)

    response = instructor_client.delete(quiz_url(quiz))

    assert response.status_code == 204
    assert response.content == b""
    assert not Quiz.objects.filter(pk=quiz.pk).exists()
    assert not Question.objects.filter(quiz_id=quiz.pk).exists()


# --- questions: create and validate ----------------------------------------------------------------


VALID_QUESTIONS = {
    "multiple_choice": {
        "question_text": "Which name is a valid Python variable?",
        "question_type": "multiple_choice",
        "points": "2",
        "explanation": "Names cannot start with a digit.",
        "options": [
            {"option_id": "a", "option_text": "2fast"},
            {"option_id": "b", "option_text": "fast_2", "is_correct": True},
        ],
    },
    "multiple_select": {
        "question_text": "Which are immutable?",
        "question_type": "multiple_select",
        "options": [
            {"option_id": "t", "option_text": "tuple", "is_correct": True},
            {"option_id": "l", "option_text": "list"},
            {"option_id": "s", "option_text": "str", "is_correct": True},
        ],
    },
    "true_false": {
        "question_text": "Python is dynamically typed.",
        "question_type": "true_false",
        "correct_answer": " TRUE ",
    },
    "short_answer": {
        "question_text": "Which keyword defines a function?",
        "question_type": "short_answer",
        "correct_answer": " def ",
        "accepted_answers": ["def keyword", "def  Keyword "],
    },
    "essay": {"question_text": "Explain the GIL.", "question_type": "essay", "points": "5.5"},
}


def test_each_question_type_is_created_with_its_answer_key(instructor_client, quiz):
    for kind, body in VALID_QUESTIONS.items():
        response = instructor_client.post(questions_url(quiz), body, format="json")
        assert response.status_code == 201, kind

    rows = {q.question_type: q for q in Question.objects.filter(quiz=quiz)}
    mc = rows["multiple_choice"]
    assert [q.order_index for q in Question.objects.filter(quiz=quiz).order_by("order_index")] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert mc.options == [
        {"option_id": "a", "option_text": "2fast", "is_correct": False},
        {"option_id": "b", "option_text": "fast_2", "is_correct": True},
    ]
    assert (mc.points, mc.explanation, mc.correct_answer) == (
        Decimal("2.00"),
        "Names cannot start with a digit.",
        None,
    )
    assert rows["true_false"].correct_answer == "true"  # normalised
    assert (rows["short_answer"].correct_answer, rows["short_answer"].accepted_answers) == (
        "def",
        ["def keyword", "def  Keyword"],
    )
    assert (rows["essay"].options, rows["essay"].correct_answer, rows["essay"].points) == (
        None,
        None,
        Decimal("5.50"),
    )
    assert rows["multiple_select"].points == Decimal("1.00")  # the default


def test_a_created_question_is_returned_in_the_manager_shape(instructor_client, quiz):
    response = instructor_client.post(questions_url(quiz), VALID_QUESTIONS["multiple_choice"], format="json")

    assert response.status_code == 201
    question = Question.objects.get(quiz=quiz)
    assert response.json() == {
        "id": str(question.pk),
        "question_text": "Which name is a valid Python variable?",
        "question_type": "multiple_choice",
        "points": "2.00",
        "order_index": 1,
        "options": [
            {"option_id": "a", "option_text": "2fast", "is_correct": False},
            {"option_id": "b", "option_text": "fast_2", "is_correct": True},
        ],
        "explanation": "Names cannot start with a digit.",
        "correct_answer": None,
        "accepted_answers": None,
    }


def _mc(*correct: str, ids: str = "abc") -> list[dict]:
    return [{"option_id": i, "option_text": f"Option {i}", "is_correct": i in correct} for i in ids]


INVALID_QUESTIONS = [
    (
        "multiple_choice with no correct option",
        {"question_type": "multiple_choice", "options": _mc()},
        "options",
    ),
    (
        "multiple_choice with two correct options",
        {"question_type": "multiple_choice", "options": _mc("a", "b")},
        "options",
    ),
    (
        "multiple_choice with one option",
        {"question_type": "multiple_choice", "options": _mc("a", ids="a")},
        "options",
    ),
    ("multiple_choice without options", {"question_type": "multiple_choice"}, "options"),
    (
        "duplicate option ids",
        {
            "question_type": "multiple_choice",
            "options": [*_mc("a", ids="ab"), {"option_id": "b", "option_text": "B again"}],
        },
        "options",
    ),
    (
        "multiple_choice with a correct_answer",
        {"question_type": "multiple_choice", "options": _mc("a"), "correct_answer": "a"},
        "correct_answer",
    ),
    (
        "multiple_select with no correct option",
        {"question_type": "multiple_select", "options": _mc()},
        "options",
    ),
    (
        "multiple_select with one option",
        {"question_type": "multiple_select", "options": _mc("a", ids="a")},
        "options",
    ),
    ("true_false answered yes", {"question_type": "true_false", "correct_answer": "yes"}, "correct_answer"),
    ("true_false without an answer", {"question_type": "true_false"}, "correct_answer"),
    (
        "true_false with options",
        {"question_type": "true_false", "correct_answer": "true", "options": _mc("a", ids="ab")},
        "options",
    ),
    (
        "short_answer with an empty key",
        {"question_type": "short_answer", "correct_answer": ""},
        "correct_answer",
    ),
    (
        "short_answer with a blank key",
        {"question_type": "short_answer", "correct_answer": "   "},
        "correct_answer",
    ),
    (
        "short_answer without a key",
        {"question_type": "short_answer", "accepted_answers": ["def"]},
        "correct_answer",
    ),
    ("essay with a key", {"question_type": "essay", "correct_answer": "Anything"}, "correct_answer"),
    ("essay with accepted answers", {"question_type": "essay", "accepted_answers": ["x"]}, "correct_answer"),
    ("essay with options", {"question_type": "essay", "options": _mc("a", ids="ab")}, "options"),
    ("negative points", {"question_type": "true_false", "correct_answer": "true", "points": "-1"}, "points"),
    ("unknown type", {"question_type": "matching"}, "question_type"),
    ("no text", {"question_type": "essay", "question_text": ""}, "question_text"),
]


@pytest.mark.parametrize(
    ("case", "body", "field"), INVALID_QUESTIONS, ids=[case for case, _, _ in INVALID_QUESTIONS]
)
def test_a_broken_question_is_a_400_naming_the_field(instructor_client, quiz, case, body, field):
    response = instructor_client.post(
        questions_url(quiz), {"question_text": "Broken?", **body}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    assert not Question.objects.filter(quiz=quiz).exists()
    quiz.refresh_from_db()
    assert (quiz.total_questions, quiz.total_points) == (0, Decimal("0.00"))
    response = instructor_client.post(questions_url(quiz), VALID_QUESTIONS["true_false"], format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["other_instructor", "student"])
def test_only_the_course_managers_may_write_questions(request, who, quiz, instructor_client):
    question = true_false(quiz)
    client = client_for(request.getfixturevalue(who))

    for response in (
        client.post(questions_url(quiz), VALID_QUESTIONS["essay"], format="json"),
        client.patch(question_url(question), {"points": "9"}, format="json"),
        client.delete(question_url(question)),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert list(Question.objects.filter(quiz=quiz)) == [question]
    question.refresh_from_db()
    assert question.points == Decimal("1.00")
    assert instructor_client.patch(question_url(question), {"points": "9"}, format="json").status_code == 200


# --- questions: update, delete and the quiz counters ----------------------------------------------


def _counters(client, quiz: Quiz) -> tuple[int, str]:
    body = client.get(quiz_url(quiz)).json()
    quiz.refresh_from_db()
    assert (body["total_questions"], body["total_points"]) == (
        quiz.total_questions,
        f"{quiz.total_points:.2f}",
    )
    return body["total_questions"], body["total_points"]


def test_the_quiz_counters_follow_question_create_patch_and_delete(instructor_client, quiz):
    assert _counters(instructor_client, quiz) == (0, "0.00")

    first = instructor_client.post(
        questions_url(quiz), VALID_QUESTIONS["multiple_choice"], format="json"
    ).json()
    assert _counters(instructor_client, quiz) == (1, "2.00")
    instructor_client.post(questions_url(quiz), VALID_QUESTIONS["essay"], format="json")
    assert _counters(instructor_client, quiz) == (2, "7.50")

    response = instructor_client.patch(
        f"{questions_url(quiz)}/{first['id']}", {"points": "0.25"}, format="json"
    )
    assert response.status_code == 200
    assert _counters(instructor_client, quiz) == (2, "5.75")

    assert instructor_client.delete(f"{questions_url(quiz)}/{first['id']}").status_code == 204
    assert _counters(instructor_client, quiz) == (1, "5.50")


def test_a_patched_question_must_still_be_valid_for_its_type(instructor_client, quiz):
    question = multiple_choice(quiz, correct="b")

    response = instructor_client.patch(question_url(question), {"options": _mc("a", "b")}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["options"]
    response = instructor_client.patch(question_url(question), {"question_type": "true_false"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["correct_answer"]
    question.refresh_from_db()
    assert (question.question_type, question.options[1]["is_correct"]) == ("multiple_choice", True)

    response = instructor_client.patch(
        question_url(question), {"question_type": "true_false", "correct_answer": "False"}, format="json"
    )
    assert response.status_code == 200
    question.refresh_from_db()
    assert (question.question_type, question.options, question.correct_answer) == (
        "true_false",
        None,
        "false",
    )


def test_a_question_students_answered_cannot_be_deleted(instructor_client, quiz):
    question = true_false(quiz)
    attempt = AttemptFactory(quiz=quiz, status="graded")
    Answer.objects.create(attempt=attempt, question=question, answer_text="true", is_correct=True)

    response = instructor_client.delete(question_url(question))

    assert response.status_code == 409
    assert response.json()["code"] == "question_has_answers"
    assert Question.objects.filter(pk=question.pk).exists()
    quiz.refresh_from_db()
    assert quiz.total_questions == 1


def test_a_question_of_another_quiz_is_not_found(instructor_client, quiz, course):
    foreign = true_false(QuizFactory(course=course))

    response = instructor_client.patch(f"{questions_url(quiz)}/{foreign.pk}", {"points": "3"}, format="json")

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.points == Decimal("1.00")


# --- questions: who sees the answer key ------------------------------------------------------------


@pytest.fixture
def full_quiz(quiz) -> Quiz:
    """One question of each type, with explanations and accepted answers."""
    multiple_choice(quiz, explanation="B is right.")
    multiple_select(quiz, correct=("a", "c"))
    true_false(quiz, answer="false", explanation="It is false.")
    short_answer(quiz, answer="def", accepted=["def keyword"])
    essay(quiz)
    return quiz


def test_managers_get_the_whole_answer_key(full_quiz, instructor, admin):
    questions = list(Question.objects.filter(quiz=full_quiz).order_by("order_index"))

    for manager in (instructor, admin):
        response = client_for(manager).get(questions_url(full_quiz))
        assert response.status_code == 200
        assert response.json() == {
            "items": [
                {
                    "id": str(q.pk),
                    "question_text": q.question_text,
                    "question_type": q.question_type,
                    "points": f"{q.points:.2f}",
                    "order_index": q.order_index,
                    "options": q.options,
                    "explanation": q.explanation,
                    "correct_answer": q.correct_answer,
                    "accepted_answers": q.accepted_answers,
                }
                for q in questions
            ],
            "total": 5,
        }
    body = client_for(instructor).get(questions_url(full_quiz)).json()
    assert body["items"][1]["options"][0] == {"option_id": "a", "option_text": "Alpha", "is_correct": True}
    assert body["items"][3]["accepted_answers"] == ["def keyword"]


@pytest.mark.security
@pytest.mark.parametrize("who", ["student", "enrolled_student", "other_instructor", "anonymous"])
def test_anyone_but_a_manager_gets_questions_without_any_answer_data(
    request, who, full_quiz, student, api_client
):
    if who == "anonymous":
        client = api_client
    elif who == "enrolled_student":
        EnrollmentFactory(student=student, course=full_quiz.course)
        client = client_for(student)
    else:
        client = client_for(request.getfixturevalue(who))

    response = client.get(questions_url(full_quiz))

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 5
    assert set(keys_anywhere(body)) & ANSWER_KEYS == set()
    assert set(body["items"][0]) == {
        "id",
        "question_text",
        "question_type",
        "points",
        "order_index",
        "options",
    }
    assert body["items"][0]["options"] == [
        {"option_id": "a", "option_text": "Alpha"},
        {"option_id": "b", "option_text": "Bravo"},
        {"option_id": "c", "option_text": "Charlie"},
    ]


@pytest.mark.security
def test_the_openapi_examples_of_public_shapes_carry_no_answer_data(api_client):
    schema = api_client.get("/openapi.json").json()
    components = schema["components"]["schemas"]

    public = ["PaperOut", "PaperQuestionOut", "OptionPublicOut", "QuestionPublicOut", "QuestionListPublic"]
    for name in public:
        assert set(keys_anywhere(components[name])) & {"is_correct", "correct_answer"} == set(), name
    # ...while the manager shape does document the answer key.
    assert {"correct_answer", "accepted_answers", "explanation"} <= set(
        components["QuestionManagerOut"]["properties"]
    )

    paper = schema["paths"]["/api/v1/quizzes/{quiz_id}/attempts/start"]["get"]["responses"]["200"]
    paper_examples = paper["content"]["application/json"]["examples"]
    assert paper_examples
    for example in paper_examples.values():
        assert example["value"]["questions"]
        assert set(keys_anywhere(example["value"])) & ANSWER_KEYS == set()

    listing = schema["paths"]["/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions"]["get"]["responses"][
        "200"
    ]
    examples = listing["content"]["application/json"]["examples"]
    public_example = examples["StudentOrAnonymous"]["value"]
    assert public_example["items"]
    assert set(keys_anywhere(public_example)) & ANSWER_KEYS == set()
    assert "is_correct" in set(keys_anywhere(examples["Manager"]["value"]))
