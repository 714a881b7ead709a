"""Grading rules (contract section 6), as pure functions: no database, easy to table-test.

- unanswered: 0 points, not correct;
- multiple_choice: full points for the correct option id;
- multiple_select: `points * max(0, (right_chosen - wrong_chosen) / right_total)`, correct only when
  exactly the right set is chosen;
- true_false / short_answer: trimmed, case-insensitive, inner whitespace collapsed, compared with
  `correct_answer` or any of `accepted_answers`;
- essay: not graded automatically (`None`, `None`) until a manager grades it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Grade:
    is_correct: bool | None
    points: Decimal | None


def normalize_text(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def correct_option_ids(options: list[dict[str, Any]] | None) -> set[str]:
    return {str(option["option_id"]) for option in options or [] if option.get("is_correct")}


def grade_answer(
    *,
    question_type: str,
    points: Decimal,
    options: list[dict[str, Any]] | None = None,
    correct_answer: str | None = None,
    accepted_answers: list[str] | None = None,
    selected_option_id: str | None = None,
    selected_option_ids: list[str] | None = None,
    answer_text: str | None = None,
) -> Grade:
    points = Decimal(points)
    if question_type == "essay":
        return Grade(None, None)
    if question_type == "multiple_choice":
        if selected_option_id is None:
            return Grade(False, Decimal("0.00"))
        right = str(selected_option_id) in correct_option_ids(options)
        return Grade(right, quantize(points) if right else Decimal("0.00"))
    if question_type == "multiple_select":
        correct = correct_option_ids(options)
        chosen = {str(option_id) for option_id in selected_option_ids or []}
        if not chosen or not correct:
            return Grade(False, Decimal("0.00"))
        ratio = Decimal(len(chosen & correct) - len(chosen - correct)) / Decimal(len(correct))
        return Grade(chosen == correct, quantize(points * max(Decimal(0), ratio)))
    if question_type in ("true_false", "short_answer"):
        given = normalize_text(answer_text)
        if not given:
            return Grade(False, Decimal("0.00"))
        keys = {normalize_text(correct_answer)} | {normalize_text(a) for a in accepted_answers or []}
        right = given in keys - {""}
        return Grade(right, quantize(points) if right else Decimal("0.00"))
    raise ValueError(f"unknown question type {question_type!r}")


def percentage(score: Decimal, max_score: Decimal) -> Decimal:
    """score / max x 100 with 2 decimals; an attempt worth 0 points scores 100%."""
    if max_score <= 0:
        return Decimal("100.00")
    return min(quantize(Decimal(score) * 100 / Decimal(max_score)), Decimal("100.00"))
