"""Quizzes, questions and attempts in the Django admin: instructors are scoped to their own courses,
every change goes through the services, and attempts are read-only history."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD
from courses.models import Course
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.tests.factories import EnrollmentFactory
from quizzes import services
from quizzes.models import Attempt, AttemptStatus, Question, Quiz

pytestmark = pytest.mark.django_db

QUIZZES = "/admin/quizzes/quiz/"
ATTEMPTS = "/admin/quizzes/attempt/"

CHOICE = {
    "question_text": "Which city is the capital of France?",
    "question_type": "multiple_choice",
    "points": Decimal("2.00"),
    "options": [
        {"option_id": "a", "option_text": "Paris", "is_correct": True},
        {"option_id": "b", "option_text": "Rome", "is_correct": False},
    ],
}


def _logged_in(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def _quiz(course: Course, title: str = "A quiz", *, questions: int = 0) -> Quiz:
    quiz = services.quiz_create(course=course, data={"title": title})
    for _ in range(questions):
        services.question_create(quiz=quiz, data=CHOICE)
    quiz.refresh_from_db()
    return quiz


def _change_url(obj: Quiz | Attempt) -> str:
    return f"{QUIZZES if isinstance(obj, Quiz) else ATTEMPTS}{obj.pk}/change/"


def _quiz_form(quiz: Quiz | None = None, **overrides: Any) -> dict[str, Any]:
    """The quiz fields as a browser posts them (checkboxes: present when ticked)."""
    data: dict[str, Any] = {
        "lesson": str(quiz.lesson_id) if quiz and quiz.lesson_id else "",
        "title": quiz.title if quiz else "",
        "description": (quiz.description or "") if quiz else "",
        "quiz_type": quiz.quiz_type if quiz else "graded",
        "time_limit_minutes": "",
        "passing_score": str(quiz.passing_score) if quiz else "70.00",
        "max_attempts": "",
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "show_correct_answers": "on",
    }
    data.update(overrides)
    return data


def _question_rows(quiz: Quiz | None, rows: list[dict[str, Any]], *, initial: int = 0) -> dict[str, Any]:
    """The quiz page's question forms (inline formset); JSON fields are posted as typed text."""
    data: dict[str, Any] = {
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        prefix = f"questions-{i}-"
        data[prefix + "quiz"] = str(quiz.pk) if quiz else ""
        data[prefix + "id"] = str(row["question"].pk) if "question" in row else ""
        data[prefix + "question_text"] = row.get("question_text", "")
        data[prefix + "question_type"] = row.get("question_type", "")
        data[prefix + "points"] = str(row.get("points", "1.00"))
        for name in ("options", "accepted_answers"):
            value = row.get(name)
            data[prefix + name] = (
                value if isinstance(value, str) else ("" if value is None else json.dumps(value))
            )
        data[prefix + "correct_answer"] = row.get("correct_answer", "")
        data[prefix + "explanation"] = row.get("explanation", "")
        if row.get("delete"):
            data[prefix + "DELETE"] = "on"
    return data


def _existing_rows(quiz: Quiz) -> list[dict[str, Any]]:
    return [
        {
            "question": q,
            "question_text": q.question_text,
            "question_type": q.question_type,
            "points": q.points,
            "options": q.options,
            "correct_answer": q.correct_answer or "",
            "accepted_answers": q.accepted_answers,
        }
        for q in quiz.questions.order_by("order_index")
    ]


def _graded_attempt(quiz: Quiz, *, student: User | None = None) -> Attempt:
    """A student's submitted attempt, through the services (choosing option "a" everywhere)."""
    enrollment = EnrollmentFactory(course=quiz.course, **({"student": student} if student else {}))
    attempt, _ = services.attempt_start(user=enrollment.student, quiz=quiz)
    answers = [{"question_id": q.pk, "selected_option_id": "a"} for q in quiz.questions.all()]
    return services.attempt_submit(user=enrollment.student, attempt=attempt, answers=answers)


# --- scope ---------------------------------------------------------------------------------------------


def test_an_instructor_sees_only_the_quizzes_of_their_own_courses(instructor, other_instructor):
    _quiz(CourseFactory(instructor=instructor, title="My course"), "My quiz")
    _quiz(CourseFactory(instructor=other_instructor, title="Their course"), "Their quiz")

    response = _logged_in(instructor).get(QUIZZES)

    assert response.status_code == 200
    page = response.content.decode()
    assert "My quiz" in page
    assert "Their quiz" not in page and "Their course" not in page


def test_an_admin_sees_every_quiz(admin, instructor, other_instructor):
    _quiz(CourseFactory(instructor=instructor), "Ivan quiz")
    _quiz(CourseFactory(instructor=other_instructor), "Olga quiz")

    page = _logged_in(admin).get(QUIZZES).content.decode()

    assert "Ivan quiz" in page and "Olga quiz" in page


def test_an_instructor_cannot_open_change_or_delete_another_instructors_quiz(instructor, other_instructor):
    theirs = _quiz(CourseFactory(instructor=other_instructor), "Their quiz", questions=1)
    client = _logged_in(instructor)

    page = client.get(_change_url(theirs))
    assert page.status_code == 302 and page["Location"] == "/admin/"

    posted = client.post(
        _change_url(theirs),
        {**_quiz_form(theirs, title="Hijacked"), **_question_rows(theirs, [], initial=0)},
    )
    assert posted.status_code == 302 and posted["Location"] == "/admin/"

    for url in (f"{QUIZZES}{theirs.pk}/delete/", f"{QUIZZES}{theirs.pk}/history/"):
        assert client.get(url)["Location"] == "/admin/"
    client.post(f"{QUIZZES}{theirs.pk}/delete/", {"post": "yes"})
    client.post(QUIZZES, {"action": "publish_quizzes", "_selected_action": [str(theirs.pk)]})
    client.post(QUIZZES, {"action": "delete_selected", "_selected_action": [str(theirs.pk)], "post": "yes"})

    theirs.refresh_from_db()
    assert theirs.title == "Their quiz" and not theirs.is_published
    assert theirs.questions.count() == 1


def test_an_instructor_cannot_put_a_quiz_in_another_instructors_course(instructor, other_instructor):
    theirs = CourseFactory(instructor=other_instructor)
    mine = CourseFactory(instructor=instructor)
    client = _logged_in(instructor)

    refused = client.post(
        f"{QUIZZES}add/",
        {**_quiz_form(title="Planted quiz", course=str(theirs.pk)), **_question_rows(None, [])},
    )

    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Quiz.objects.exists()

    created = client.post(
        f"{QUIZZES}add/", {**_quiz_form(title="My quiz", course=str(mine.pk)), **_question_rows(None, [])}
    )

    assert created.status_code == 302
    quiz = Quiz.objects.get()
    assert (quiz.course_id, quiz.title, quiz.is_published) == (mine.pk, "My quiz", False)


def test_the_course_and_lesson_pickers_offer_only_the_instructors_own(instructor, other_instructor):
    mine = CourseFactory(instructor=instructor, title="Pick mine")
    LessonFactory(course=mine, title="Pick my lesson")
    LessonFactory(
        course=CourseFactory(instructor=other_instructor, title="Pick theirs"), title="Pick their lesson"
    )
    client = _logged_in(instructor)

    def choices(field: str) -> list[str]:
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": "quizzes", "model_name": "quiz", "field_name": field, "term": "Pick"},
        )
        assert response.status_code == 200
        return [row["text"] for row in response.json()["results"]]

    assert choices("course") == ["Pick mine"]
    assert choices("lesson") == ["1. Pick my lesson"]


def test_the_lesson_of_a_quiz_must_belong_to_its_course(instructor):
    course = CourseFactory(instructor=instructor)
    other_lesson = LessonFactory(course=CourseFactory(instructor=instructor))
    lesson = LessonFactory(course=course)
    quiz = _quiz(course)
    client = _logged_in(instructor)

    refused = client.post(
        _change_url(quiz), {**_quiz_form(quiz, lesson=str(other_lesson.pk)), **_question_rows(quiz, [])}
    )

    assert refused.status_code == 200
    assert "The lesson must belong to this course." in refused.content.decode()
    quiz.refresh_from_db()
    assert quiz.lesson_id is None

    client.post(_change_url(quiz), {**_quiz_form(quiz, lesson=str(lesson.pk)), **_question_rows(quiz, [])})

    quiz.refresh_from_db()
    assert quiz.lesson_id == lesson.pk


# --- questions inline ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {**CHOICE, "options": [{**o, "is_correct": True} for o in CHOICE["options"]]},
            "A multiple_choice question needs exactly one correct option.",
        ),
        (
            {
                **CHOICE,
                "options": [{"option_id": "a", "is_correct": True}, {"option_id": "b", "option_text": "B"}],
            },
            "option 1: option_text: This field is required.",
        ),
        ({**CHOICE, "options": '[{"option_id": "a",'}, "Enter a valid JSON."),
        ({**CHOICE, "options": {"option_id": "a"}}, "Expected a list of items"),
        (
            {"question_text": "Is water wet?", "question_type": "true_false", "correct_answer": "maybe"},
            "A true_false question needs correct_answer &quot;true&quot; or &quot;false&quot;.",
        ),
        ({**CHOICE, "points": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
    ids=[
        "two-correct",
        "option-without-text",
        "broken-json",
        "not-a-list",
        "true-false-answer",
        "negative-points",
    ],
)
def test_an_invalid_inline_question_shows_the_apis_message_and_saves_nothing(instructor, row, message):
    quiz = _quiz(CourseFactory(instructor=instructor), "Original title")
    client = _logged_in(instructor)

    response = client.post(
        _change_url(quiz), {**_quiz_form(quiz, title="Changed title"), **_question_rows(quiz, [row])}
    )

    assert response.status_code == 200  # the form again, with the message next to the field
    page = response.content.decode()
    assert message in page
    assert "needs at least 2 options" not in page  # the field's own error is not followed by the rule's
    quiz.refresh_from_db()
    assert (quiz.title, quiz.total_questions, quiz.total_points) == ("Original title", 0, Decimal("0.00"))
    assert not Question.objects.exists()

    # The same page with a valid question is saved: the failure came from the rule.
    client.post(
        _change_url(quiz), {**_quiz_form(quiz, title="Changed title"), **_question_rows(quiz, [CHOICE])}
    )

    quiz.refresh_from_db()
    assert (quiz.title, quiz.total_questions) == ("Changed title", 1)


def test_the_options_are_shown_as_readable_json_with_their_expected_shape(instructor):
    quiz = _quiz(CourseFactory(instructor=instructor), questions=1)

    page = _logged_in(instructor).get(_change_url(quiz)).content.decode()

    # Indented, one key a line (PostgreSQL's jsonb may order the keys differently from SQLite).
    assert re.search(r"\n\s+&quot;option_text&quot;: &quot;Paris&quot;,?\n", page)
    assert '[{"option_id": "a", "option_text": "...", "is_correct": true}' in page  # the help text


def test_inline_questions_added_changed_and_removed_keep_the_quiz_counters_right(instructor):
    quiz = _quiz(CourseFactory(instructor=instructor), questions=2)
    first, second = quiz.questions.order_by("order_index")
    rows = _existing_rows(quiz)
    rows[0]["points"] = "5.00"
    rows[1]["delete"] = True
    rows.append(
        {
            "question_text": "Spell the colour of the sky.",
            "question_type": "short_answer",
            "points": "3.00",
            "correct_answer": "blue",
            "accepted_answers": ["Blue sky"],
        }
    )

    response = _logged_in(instructor).post(
        _change_url(quiz), {**_quiz_form(quiz), **_question_rows(quiz, rows, initial=2)}
    )

    assert response.status_code == 302
    quiz.refresh_from_db()
    assert (quiz.total_questions, quiz.total_points) == (2, Decimal("8.00"))
    first.refresh_from_db()
    assert first.points == Decimal("5.00")
    assert not Question.objects.filter(pk=second.pk).exists()
    added = quiz.questions.get(question_type="short_answer")
    assert (added.order_index, added.correct_answer, added.accepted_answers) == (
        2,
        "blue",
        ["Blue sky"],
    )  # after the last remaining one
    assert added.options is None


def test_a_new_quiz_with_questions_in_the_same_form_counts_them(instructor):
    course = CourseFactory(instructor=instructor)

    response = _logged_in(instructor).post(
        f"{QUIZZES}add/",
        {**_quiz_form(title="Fresh quiz", course=str(course.pk)), **_question_rows(None, [CHOICE, CHOICE])},
    )

    assert response.status_code == 302
    quiz = Quiz.objects.get(title="Fresh quiz")
    assert (quiz.total_questions, quiz.total_points) == (2, Decimal("4.00"))
    assert list(quiz.questions.values_list("order_index", flat=True)) == [1, 2]


def test_a_question_students_answered_cannot_be_removed_inline(instructor):
    quiz = _quiz(CourseFactory(instructor=instructor, is_published=True), questions=1)
    _graded_attempt(quiz)
    rows = _existing_rows(quiz)
    rows[0]["delete"] = True

    response = _logged_in(instructor).post(
        _change_url(quiz), {**_quiz_form(quiz), **_question_rows(quiz, rows, initial=1)}, follow=True
    )

    # Django's own check on inline deletions (answers PROTECT their question) stops it in the form.
    assert "would require deleting the following protected related objects" in response.content.decode()
    quiz.refresh_from_db()
    assert quiz.total_questions == 1 and quiz.questions.count() == 1


# --- actions ---------------------------------------------------------------------------------------------


def test_publish_action_names_the_empty_quiz_and_still_publishes_the_others(instructor):
    course = CourseFactory(instructor=instructor)
    ready = _quiz(course, "Ready quiz", questions=1)
    empty = _quiz(course, "Empty quiz")

    response = _logged_in(instructor).post(
        QUIZZES,
        {"action": "publish_quizzes", "_selected_action": [str(ready.pk), str(empty.pk)]},
        follow=True,
    )

    page = response.content.decode()
    assert "Empty quiz: A quiz needs at least one question before it can be published." in page
    assert "1 quiz(zes) published." in page
    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.is_published and not empty.is_published


def test_unpublish_action(instructor):
    quiz = _quiz(CourseFactory(instructor=instructor), questions=1)
    services.quiz_publish(quiz=quiz)

    _logged_in(instructor).post(QUIZZES, {"action": "unpublish_quizzes", "_selected_action": [str(quiz.pk)]})

    quiz.refresh_from_db()
    assert not quiz.is_published


def test_publishing_is_not_a_field_of_the_quiz_form(instructor):
    quiz = _quiz(CourseFactory(instructor=instructor))
    client = _logged_in(instructor)

    client.post(_change_url(quiz), {**_quiz_form(quiz, is_published="on"), **_question_rows(quiz, [])})

    quiz.refresh_from_db()
    assert not quiz.is_published


# --- deleting --------------------------------------------------------------------------------------------


def test_an_instructor_deletes_a_quiz_nobody_attempted(instructor):
    quiz = _quiz(CourseFactory(instructor=instructor), questions=2)

    response = _logged_in(instructor).post(f"{QUIZZES}{quiz.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302 and response["Location"] == QUIZZES
    assert not Quiz.objects.filter(pk=quiz.pk).exists()
    assert not Question.objects.exists()
    assert LogEntry.objects.filter(object_id=str(quiz.pk), action_flag=3).count() == 1


def test_a_quiz_with_attempts_is_not_deleted(instructor):
    quiz = _quiz(CourseFactory(instructor=instructor, is_published=True), "Attempted quiz", questions=1)
    _graded_attempt(quiz)

    response = _logged_in(instructor).post(f"{QUIZZES}{quiz.pk}/delete/", {"post": "yes"})

    assert response.status_code == 200  # Django's page listing the attempts that stop the deletion
    assert "Cannot delete quiz" in response.content.decode()
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_bulk_delete_goes_through_the_service_and_names_the_attempted_quiz(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    attempted = _quiz(course, "Attempted quiz", questions=1)
    _graded_attempt(attempted)
    unused = _quiz(course, "Unused quiz", questions=1)
    selection = {"action": "delete_selected", "_selected_action": [str(attempted.pk), str(unused.pk)]}
    client = _logged_in(instructor)

    confirmation = client.post(QUIZZES, selection)
    assert confirmation.status_code == 200 and "Cannot delete" in confirmation.content.decode()

    # Confirmed anyway (an old tab, a race with a new attempt): the service decides per quiz.
    response = client.post(QUIZZES, {**selection, "post": "yes"}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Attempted quiz: This quiz has attempts; unpublish it instead of deleting it." in page
    assert "1 quiz(zes) deleted." in page
    assert Quiz.objects.filter(pk=attempted.pk).exists()
    assert not Quiz.objects.filter(pk=unused.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(attempted.pk)).exists()


def test_the_service_refusing_a_single_delete_is_a_message_not_a_500(admin, monkeypatch):
    """An attempt started between the confirmation page and the delete: `quiz_delete` says no."""
    from quizzes.admin import QuizAdmin

    quiz = _quiz(CourseFactory(is_published=True), "Raced quiz", questions=1)
    monkeypatch.setattr(QuizAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), []))
    _graded_attempt(quiz)

    response = _logged_in(admin).post(f"{QUIZZES}{quiz.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Raced quiz: This quiz has attempts" in page
    assert "was deleted successfully" not in page
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(quiz.pk)).exists()


# --- attempts ----------------------------------------------------------------------------------------------


def test_an_instructor_sees_only_the_attempts_at_their_own_quizzes(instructor, other_instructor):
    mine = _graded_attempt(
        _quiz(CourseFactory(instructor=instructor, is_published=True), "My quiz", questions=1)
    )
    theirs = _graded_attempt(
        _quiz(CourseFactory(instructor=other_instructor, is_published=True), "Their quiz", questions=1)
    )
    client = _logged_in(instructor)

    page = client.get(ATTEMPTS).content.decode()

    assert mine.enrollment.student.email in page
    assert theirs.enrollment.student.email not in page and "Their quiz" not in page
    assert client.get(_change_url(theirs))["Location"] == "/admin/"


def test_the_attempt_page_shows_the_answers_and_is_read_only(instructor, student):
    quiz = _quiz(CourseFactory(instructor=instructor, is_published=True), questions=1)
    attempt = _graded_attempt(quiz, student=student)
    client = _logged_in(instructor)

    page = client.get(_change_url(attempt))

    assert page.status_code == 200
    content = page.content.decode()
    assert student.email in content
    assert "Which city is the capital of France?" in content and "a: Paris" in content
    assert 'name="_save"' not in content and "/delete/" not in content

    refused = client.post(_change_url(attempt), {"status": "in_progress", "score": "0", "is_passed": ""})
    assert refused.status_code == 403
    assert client.get(f"{ATTEMPTS}add/").status_code == 403
    assert client.post(f"{ATTEMPTS}{attempt.pk}/delete/", {"post": "yes"}).status_code == 403
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.is_passed) == (AttemptStatus.GRADED, Decimal("2.00"), True)
    assert attempt.answers.count() == 1


def test_the_attempt_list_filters_by_status_and_searches_by_student(admin, student):
    quiz = _quiz(CourseFactory(is_published=True), questions=1)
    _graded_attempt(quiz, student=student)
    other = _graded_attempt(quiz)
    client = _logged_in(admin)

    page = client.get(ATTEMPTS, {"q": student.email, "status__exact": "graded"}).content.decode()

    assert student.email in page and other.enrollment.student.email not in page


# --- queries -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 15])
@pytest.mark.parametrize("persona", ["admin", "instructor"])
def test_the_quiz_list_costs_the_same_for_3_or_15_quizzes(
    request, persona, rows, instructor, django_assert_max_num_queries
):
    for i in range(rows):
        course = CourseFactory(instructor=instructor)
        services.quiz_create(
            course=course, data={"title": f"Quiz {i}", "lesson_id": LessonFactory(course=course).pk}
        )
    client = _logged_in(request.getfixturevalue(persona))

    # session, user, COUNT (filtered), COUNT (total), the page of quizzes joined with course and lesson
    with django_assert_max_num_queries(5):
        assert client.get(QUIZZES).status_code == 200


@pytest.mark.parametrize("rows", [3, 15])
@pytest.mark.parametrize("persona", ["admin", "instructor"])
def test_the_attempt_list_costs_the_same_for_3_or_15_attempts(
    request, persona, rows, instructor, django_assert_max_num_queries
):
    quiz = _quiz(CourseFactory(instructor=instructor, is_published=True), questions=1)
    for _ in range(rows):
        _graded_attempt(quiz)
    client = _logged_in(request.getfixturevalue(persona))

    # session, user, the quiz filter's choices, COUNT (filtered), COUNT (total), the page of attempts
    # joined with quiz and student
    with django_assert_max_num_queries(6):
        assert client.get(ATTEMPTS).status_code == 200


@pytest.mark.parametrize("rows", [3, 15])
def test_the_quiz_page_costs_the_same_for_3_or_15_questions(rows, instructor, django_assert_max_num_queries):
    quiz = _quiz(CourseFactory(instructor=instructor), questions=rows)
    client = _logged_in(instructor)

    # session, user, the quiz with course and lesson, its questions (+ the content type, when its cache
    # is still cold)
    with django_assert_max_num_queries(5):
        assert client.get(_change_url(quiz)).status_code == 200


@pytest.mark.parametrize("rows", [3, 15])
def test_the_attempt_page_costs_the_same_for_3_or_15_answers(rows, instructor, django_assert_max_num_queries):
    quiz = _quiz(CourseFactory(instructor=instructor, is_published=True), questions=rows)
    attempt = _graded_attempt(quiz)
    client = _logged_in(instructor)

    # session, user, the attempt with quiz, course and student, its answers with their questions
    # (+ the content type, when its cache is still cold)
    with django_assert_max_num_queries(5):
        assert client.get(_change_url(attempt)).status_code == 200
