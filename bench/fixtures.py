"""Benchmark fixtures made through the services: `python -m bench.fixtures < spec.json` (run by bench.run).

With the server's environment (same database, same SECRET_KEY), before the server starts:

- a published 20-question quiz on the hot course, auto-graded types only (8 multiple_choice,
  4 multiple_select, 4 true_false, 4 short_answer), no lesson, no time limit, `max_attempts` null,
  created with `quizzes.services` (quiz_create, question_create x 20, quiz_publish) the first time and
  reused afterwards (found by its title); plus the answers the load generator submits (16 of 20
  right, so the attempt is graded and passed);
- access tokens (`accounts.tokens.issue_token_pair`, as a login would mint them, without paying
  bcrypt 64 times) for a pool of scale students enrolled in the hot course, for the hot course's
  instructor and for an admin;
- a certificate (`certificates.services.certificate_issue`, no PDF render queued) on a completed
  enrollment, for the verification endpoints and the PDF render timing.

Input (stdin, JSON): {"hot_slug", "students"}. Output (stdout): one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from typing import Any

QUIZ_TITLE = "Bench quiz: 20 auto-graded questions (bench/fixtures.py)"


def _question_specs() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    for n in range(8):
        specs.append(
            {
                "question_type": "multiple_choice",
                "question_text": f"Multiple choice {n + 1}: which option is right?",
                "options": [
                    {"option_id": key, "option_text": f"Option {key}", "is_correct": key == "b"}
                    for key in "abcd"
                ],
            }
        )
    for n in range(4):
        specs.append(
            {
                "question_type": "multiple_select",
                "question_text": f"Multiple select {n + 1}: which options are right?",
                "options": [
                    {"option_id": key, "option_text": f"Option {key}", "is_correct": key in "ac"}
                    for key in "abcd"
                ],
            }
        )
    for n in range(4):
        specs.append(
            {
                "question_type": "true_false",
                "question_text": f"True or false {n + 1}?",
                "correct_answer": "true",
            }
        )
    for n in range(4):
        specs.append(
            {
                "question_type": "short_answer",
                "question_text": f"Short answer {n + 1}: name the framework.",
                "correct_answer": "Django",
                "accepted_answers": ["django web framework"],
            }
        )
    return specs


def _quiz(course: Any) -> Any:
    from quizzes import services
    from quizzes.models import Quiz

    quiz = Quiz.objects.filter(course=course, title=QUIZ_TITLE).first()
    if quiz is not None and quiz.is_published and quiz.total_questions == 20:
        return quiz
    if quiz is not None:  # an interrupted earlier setup: start again (it has no attempts yet)
        services.quiz_delete(quiz=quiz)
    quiz = services.quiz_create(
        course=course,
        data={
            "title": QUIZ_TITLE,
            "quiz_type": "graded",
            "passing_score": Decimal("70.00"),
            "max_attempts": None,
            "time_limit_minutes": None,
            "shuffle_questions": True,
            "shuffle_options": True,
        },
    )
    for spec in _question_specs():
        services.question_create(quiz=quiz, data={**spec, "points": Decimal("1.00")})
    return services.quiz_publish(quiz=quiz)


def _answers(quiz: Any) -> list[dict[str, Any]]:
    """Every question answered; 16 of 20 right (one wrong per type), so the attempt passes at 80%."""
    answers = []
    wrong_done: set[str] = set()
    for question in quiz.questions.order_by("order_index"):
        kind = question.question_type
        wrong = kind not in wrong_done
        wrong_done.add(kind)
        answer: dict[str, Any] = {"question_id": str(question.pk)}
        if kind == "multiple_choice":
            answer["selected_option_id"] = "a" if wrong else "b"
        elif kind == "multiple_select":
            answer["selected_option_ids"] = ["a"] if wrong else ["a", "c"]
        elif kind == "true_false":
            answer["answer_text"] = "false" if wrong else "true"
        else:
            answer["answer_text"] = "Flask" if wrong else " django "
        answers.append(answer)
    return answers


def main() -> None:
    spec = json.load(sys.stdin)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_project.settings")
    import django

    django.setup()
    from accounts.models import Role, User
    from accounts.tokens import issue_token_pair
    from certificates.models import Certificate, CertificateStatus
    from certificates.services import certificate_issue
    from courses.models import Course
    from enrollments.models import Enrollment, EnrollmentStatus

    hot = Course.objects.select_related("instructor").get(slug=spec["hot_slug"])
    quiz = _quiz(hot)
    pool = list(
        Enrollment.objects.filter(
            course=hot,
            status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED],
            student__role=Role.STUDENT,
            student__is_active=True,
        )
        .select_related("student")
        .order_by("student__email")[: spec["students"]]
    )
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("created_at").first()

    certificate = (
        Certificate.objects.filter(status=CertificateStatus.VALID, course__slug__startswith="scale-")
        .order_by("issued_at")
        .first()
    )
    if certificate is None:
        completed = (
            Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED, course__slug__startswith="scale-")
            .order_by("enrolled_at")
            .first()
        )
        certificate, _ = certificate_issue(enrollment_id=completed.pk, actor=None, render_after_commit=False)

    print(
        json.dumps(
            {
                "quiz_id": str(quiz.pk),
                "quiz_questions": quiz.total_questions,
                "answers": _answers(quiz),
                "student_tokens": [issue_token_pair(e.student).access_token for e in pool],
                "instructor_id": str(hot.instructor_id),
                "instructor_token": issue_token_pair(hot.instructor).access_token,
                "admin_token": issue_token_pair(admin).access_token if admin else None,
                "certificate_id": str(certificate.pk),
                "certificate_number": certificate.certificate_number,
            }
        )
    )


if __name__ == "__main__":
    main()
