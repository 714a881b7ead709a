"""The grading rules of contract section 6, as a table over `quizzes.grading` (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quizzes.grading import Grade, grade_answer, percentage

A, B, C, D = "a", "b", "c", "d"


def _options(*correct: str, ids: str = "abc") -> list[dict]:
    return [{"option_id": i, "option_text": i.upper(), "is_correct": i in correct} for i in ids]


ONE_RIGHT = _options(B)  # multiple_choice: b is right
TWO_OF_THREE = _options(A, B)  # multiple_select: a and b right, c wrong
THREE_OF_FOUR = _options(A, B, C, ids="abcd")  # multiple_select: a, b, c right, d wrong


CASES = [
    # -- unanswered: 0 points, not correct (essays stay ungraded) --
    (
        "unanswered multiple_choice",
        {"question_type": "multiple_choice", "options": ONE_RIGHT},
        Grade(False, "0.00"),
    ),
    (
        "unanswered multiple_select",
        {"question_type": "multiple_select", "options": TWO_OF_THREE},
        Grade(False, "0.00"),
    ),
    (
        "empty selection multiple_select",
        {"question_type": "multiple_select", "options": TWO_OF_THREE, "selected_option_ids": []},
        Grade(False, "0.00"),
    ),
    (
        "unanswered true_false",
        {"question_type": "true_false", "correct_answer": "true"},
        Grade(False, "0.00"),
    ),
    (
        "blank short_answer",
        {"question_type": "short_answer", "correct_answer": "def", "answer_text": "   "},
        Grade(False, "0.00"),
    ),
    # -- multiple_choice: the correct option id --
    (
        "multiple_choice right",
        {"question_type": "multiple_choice", "options": ONE_RIGHT, "selected_option_id": B},
        Grade(True, "1.00"),
    ),
    (
        "multiple_choice wrong",
        {"question_type": "multiple_choice", "options": ONE_RIGHT, "selected_option_id": A},
        Grade(False, "0.00"),
    ),
    (
        "multiple_choice right worth 3 points",
        {"question_type": "multiple_choice", "options": ONE_RIGHT, "selected_option_id": B, "points": "3"},
        Grade(True, "3.00"),
    ),
    # -- multiple_select: points x max(0, (right_chosen - wrong_chosen) / right_total) --
    (
        "multiple_select one of two right: half",
        {"question_type": "multiple_select", "options": TWO_OF_THREE, "selected_option_ids": [A]},
        Grade(False, "0.50"),
    ),
    (
        "multiple_select one right and one wrong: nothing",
        {"question_type": "multiple_select", "options": TWO_OF_THREE, "selected_option_ids": [A, C]},
        Grade(False, "0.00"),
    ),
    (
        "multiple_select only wrong: never below zero",
        {"question_type": "multiple_select", "options": TWO_OF_THREE, "selected_option_ids": [C]},
        Grade(False, "0.00"),
    ),
    (
        "multiple_select all right: full",
        {"question_type": "multiple_select", "options": TWO_OF_THREE, "selected_option_ids": [B, A]},
        Grade(True, "1.00"),
    ),
    (
        "multiple_select all right plus a wrong one: not correct, partial",
        {"question_type": "multiple_select", "options": TWO_OF_THREE, "selected_option_ids": [A, B, C]},
        Grade(False, "0.50"),
    ),
    (
        "multiple_select 2 points, two of three right chosen",
        {
            "question_type": "multiple_select",
            "options": THREE_OF_FOUR,
            "selected_option_ids": [A, B],
            "points": "2",
        },
        Grade(False, "1.33"),
    ),
    (
        "multiple_select 2 points, one of three right chosen",
        {
            "question_type": "multiple_select",
            "options": THREE_OF_FOUR,
            "selected_option_ids": [C],
            "points": "2",
        },
        Grade(False, "0.67"),
    ),
    # -- true_false: trimmed, case-insensitive --
    (
        "true_false exact",
        {"question_type": "true_false", "correct_answer": "true", "answer_text": "true"},
        Grade(True, "1.00"),
    ),
    (
        "true_false upper case",
        {"question_type": "true_false", "correct_answer": "true", "answer_text": "TRUE"},
        Grade(True, "1.00"),
    ),
    (
        "true_false padded",
        {"question_type": "true_false", "correct_answer": "true", "answer_text": " true "},
        Grade(True, "1.00"),
    ),
    (
        "true_false wrong",
        {"question_type": "true_false", "correct_answer": "true", "answer_text": "false"},
        Grade(False, "0.00"),
    ),
    (
        "true_false yes is not true",
        {"question_type": "true_false", "correct_answer": "true", "answer_text": "yes"},
        Grade(False, "0.00"),
    ),
    # -- short_answer: trimmed, case-insensitive, inner whitespace collapsed, accepted answers --
    (
        "short_answer normalised",
        {"question_type": "short_answer", "correct_answer": "Hello World", "answer_text": "  Hello   World "},
        Grade(True, "1.00"),
    ),
    (
        "short_answer key with odd spacing and case",
        {"question_type": "short_answer", "correct_answer": " hello  WORLD", "answer_text": "hello world"},
        Grade(True, "1.00"),
    ),
    (
        "short_answer tabs and newlines collapse too",
        {"question_type": "short_answer", "correct_answer": "hello world", "answer_text": "hello\t\n world"},
        Grade(True, "1.00"),
    ),
    (
        "short_answer accepted answer",
        {
            "question_type": "short_answer",
            "correct_answer": "def",
            "accepted_answers": ["def keyword", "DEF statement"],
            "answer_text": "def   Statement",
        },
        Grade(True, "1.00"),
    ),
    (
        "short_answer wrong",
        {
            "question_type": "short_answer",
            "correct_answer": "def",
            "accepted_answers": ["function"],
            "answer_text": "lambda",
        },
        Grade(False, "0.00"),
    ),
    (
        "short_answer missing inner space is a different answer",
        {"question_type": "short_answer", "correct_answer": "hello world", "answer_text": "helloworld"},
        Grade(False, "0.00"),
    ),
    # -- essay: graded by hand --
    ("essay answered", {"question_type": "essay", "answer_text": "A long essay."}, Grade(None, None)),
    ("essay unanswered", {"question_type": "essay"}, Grade(None, None)),
]


@pytest.mark.parametrize(("case", "given", "expected"), CASES, ids=[case for case, _, _ in CASES])
def test_grade_answer_follows_the_contract(case, given, expected):
    given = {"points": "1", **given}
    given["points"] = Decimal(given["points"])

    grade = grade_answer(**given)

    points = None if expected.points is None else Decimal(expected.points)
    assert grade == Grade(expected.is_correct, points)
    if points is not None:
        assert str(grade.points) == expected.points  # always two decimals


def test_an_unknown_question_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown question type"):
        grade_answer(question_type="matching", points=Decimal(1))


@pytest.mark.parametrize(
    ("score", "max_score", "expected"),
    [
        ("4", "5", "80.00"),
        ("2", "3", "66.67"),  # rounded
        ("1", "3", "33.33"),
        ("1", "800", "0.13"),  # 0.125 rounds half up, not to even
        ("1.33", "2", "66.50"),
        ("0", "5", "0.00"),
        ("5", "5", "100.00"),
        ("6", "5", "100.00"),  # never above 100 (the quiz lost points after the attempt)
        ("0", "0", "100.00"),  # a quiz worth 0 points cannot be failed
    ],
)
def test_percentage_rounds_to_two_decimals_half_up(score, max_score, expected):
    assert str(percentage(Decimal(score), Decimal(max_score))) == expected
