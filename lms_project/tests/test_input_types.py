"""JSON bodies must carry the JSON types the schema documents (found by schema fuzzing): no silent
coercion of 5 to "5", "5" to 5, 1 to true or 1.5 to Decimal("1.5"); a null list item is a 400."""

from __future__ import annotations

from decimal import Decimal

import pytest

from courses.models import Course
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import LessonProgress
from enrollments.tests.factories import EnrollmentFactory
from quizzes.models import Question
from quizzes.tests.factories import QuizFactory

pytestmark = pytest.mark.django_db


def _questions_url(quiz) -> str:
    return f"/api/v1/courses/{quiz.course_id}/quizzes/{quiz.pk}/questions"


def _question(**changes):
    body = {
        "question_text": "Which name is a valid Python variable?",
        "question_type": "multiple_choice",
        "points": "1.00",
        "options": [
            {"option_id": "a", "option_text": "2fast", "is_correct": False},
            {"option_id": "b", "option_text": "fast2", "is_correct": True},
        ],
    }
    return {**body, **changes}


def test_null_options_are_a_400_naming_the_field_not_a_500(instructor_client, instructor):
    quiz = QuizFactory(course__instructor=instructor)
    response = instructor_client.post(_questions_url(quiz), _question(options=[None, None]))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert "options" in response.json()["errors"]
    assert not Question.objects.filter(quiz=quiz).exists()


_OTHER = {"option_id": "b", "option_text": "y"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"points": 1.5}, "points"),  # a float decimal
        ({"points": True}, "points"),
        ({"question_text": 12345}, "question_text"),  # a number for a string
        ({"options": [{"option_id": 1, "option_text": "x", "is_correct": True}, _OTHER]}, "options"),
        ({"options": [{"option_id": "a", "option_text": "x", "is_correct": 1}, _OTHER]}, "options"),
    ],
)
def test_wrong_json_types_are_refused_not_coerced(instructor_client, instructor, changes, field):
    quiz = QuizFactory(course__instructor=instructor)
    response = instructor_client.post(_questions_url(quiz), _question(**changes))
    assert response.status_code == 400, response.content
    assert any(key.startswith(field) for key in response.json()["errors"])
    assert not Question.objects.filter(quiz=quiz).exists()


@pytest.mark.parametrize("points", ["2.50", 3])
def test_decimals_take_a_string_or_a_whole_number(instructor_client, instructor, points):
    quiz = QuizFactory(course__instructor=instructor)
    response = instructor_client.post(_questions_url(quiz), _question(points=points))
    assert response.status_code == 201, response.content
    assert Question.objects.get(quiz=quiz).points == Decimal(str(points))


def test_a_number_for_a_text_field_leaves_the_course_unchanged(instructor_client, instructor):
    course = CourseFactory(instructor=instructor, category="programming")
    response = instructor_client.patch(f"/api/v1/courses/{course.pk}", {"category": 5})
    assert response.status_code == 400
    assert response.json()["errors"] == {"category": ["Not a valid string."]}
    assert Course.objects.get(pk=course.pk).category == "programming"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_spent_seconds": "30"}, "time_spent_seconds"),
        ({"completion_percentage": 33.3}, "completion_percentage"),
    ],
)
def test_progress_refuses_strings_for_integers_and_floats_for_decimals(student, body, field):
    from conftest import client_for

    enrollment = EnrollmentFactory(student=student)
    lesson = LessonFactory(course=enrollment.course)
    url = f"/api/v1/enrollments/{enrollment.pk}/lessons/{lesson.pk}/progress"
    response = client_for(student).put(url, body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not LessonProgress.objects.filter(enrollment=enrollment).exists()
