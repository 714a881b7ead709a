"""The small, hand-written demo world, created through the apps' services so every counter is right.

Each step creates what is missing and leaves existing rows alone (it does not repair or update
them), so running the command again changes nothing.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role, User
from accounts.services import user_create
from certificates.models import Certificate
from certificates.services import certificate_issue_automatic
from courses.models import Course, Lesson
from courses.services import course_create, course_publish, lesson_create
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.services import enrollment_enroll, enrollment_review, progress_update
from lms_project.exceptions import Conflict
from quizzes.models import Attempt, Question, QuestionType, Quiz
from quizzes.services import (
    attempt_grade,
    attempt_start,
    attempt_submit,
    question_create,
    quiz_create,
    quiz_publish,
)

from . import content
from .base import DEMO_ACCOUNTS, DEMO_INSTRUCTOR, DEMO_LEARNER, DEMO_STUDENT, SeedReport


def seed_accounts(report: SeedReport) -> None:
    """The four demo logins. An existing account keeps its password, name and role."""
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(email=account.email).exists():
            report.count("demo users", existing=1)
            continue
        try:
            user_create(
                email=account.email, password=account.password, full_name=account.full_name, role=account.role
            )
        except Conflict:  # created by a concurrent run between the check and the insert
            report.count("demo users", existing=1)
        else:
            report.count("demo users", created=1)


def _seed_course(
    report: SeedReport,
    instructor: User,
    fields: dict[str, Any],
    lessons: tuple[dict[str, Any], ...],
    *,
    publish: bool,
) -> None:
    existing = Course.objects.filter(slug=fields["slug"]).first()
    if existing is not None:
        report.count("demo courses", existing=1)
        report.count("demo lessons", existing=Lesson.objects.filter(course=existing).count())
        return
    course = course_create(instructor=instructor, **fields)
    for lesson in lessons:
        lesson_create(course=course, data=lesson)
    if publish:
        course_publish(course=course)
    report.count("demo courses", created=1)
    report.count("demo lessons", created=len(lessons))


def seed_courses(report: SeedReport) -> None:
    """ "Python from Zero" (published, six lessons of every kind) and a draft, both owned by the demo
    instructor. A course whose slug exists is left as it is, whoever owns it."""
    instructor = User.objects.filter(email=DEMO_INSTRUCTOR.email).first()
    if instructor is None or instructor.role not in (Role.INSTRUCTOR, Role.ADMIN):
        report.note(f"demo courses skipped: {DEMO_INSTRUCTOR.email} is not an instructor account")
        return
    _seed_course(report, instructor, content.PYTHON_COURSE, content.PYTHON_LESSONS, publish=True)
    _seed_course(report, instructor, content.DRAFT_COURSE, content.DRAFT_LESSONS, publish=False)


def seed_enrollments(report: SeedReport) -> None:
    """The demo student in "Python from Zero": two lessons completed, the third under way.

    Through `progress_update`, so the enrollment's counters and percentage come from the same rules
    as the API's. An existing enrollment is left as it is (the student may have moved on since).
    """
    student = User.objects.filter(email=DEMO_STUDENT.email, role=Role.STUDENT).first()
    course = Course.objects.filter(slug=content.PYTHON_COURSE_SLUG, is_published=True).first()
    if student is None or course is None:
        report.note(
            f"demo enrollment skipped: needs the student {DEMO_STUDENT.email} and the published course "
            f"{content.PYTHON_COURSE_SLUG!r}"
        )
        return
    if Enrollment.objects.filter(student=student, course=course).exists():
        report.count("demo enrollments", existing=1)
        report.count(
            "demo lesson progress",
            existing=LessonProgress.objects.filter(
                enrollment__student=student, enrollment__course=course
            ).count(),
        )
        return
    enrollment, _ = enrollment_enroll(actor=student, course_id=course.pk)
    lessons = Lesson.objects.filter(course=course).order_by("order_index")[: len(content.DEMO_PROGRESS)]
    for lesson, data in zip(lessons, content.DEMO_PROGRESS, strict=False):
        progress_update(user=student, enrollment=enrollment, lesson_id=lesson.pk, data=dict(data))
    report.count("demo enrollments", created=1)
    report.count("demo lesson progress", created=len(lessons))


def _demo_course() -> Course | None:
    return Course.objects.filter(slug=content.PYTHON_COURSE_SLUG, is_published=True).first()


def _demo_quiz() -> Quiz | None:
    return Quiz.objects.filter(
        course__slug=content.PYTHON_COURSE_SLUG, lesson__order_index=content.DEMO_QUIZ_LESSON_ORDER
    ).first()


def seed_quiz(report: SeedReport) -> None:
    """A published, graded quiz on lesson 2 of "Python from Zero": one question of each type. A lesson
    that already has a quiz keeps it (whatever it is)."""
    course = _demo_course()
    lesson = (
        Lesson.objects.filter(course=course, order_index=content.DEMO_QUIZ_LESSON_ORDER).first()
        if course is not None
        else None
    )
    if lesson is None:
        report.note(f"demo quiz skipped: needs the published course {content.PYTHON_COURSE_SLUG!r}")
        return
    existing = Quiz.objects.filter(lesson=lesson).first()
    if existing is not None:
        report.count("demo quizzes", existing=1)
        report.count("demo questions", existing=Question.objects.filter(quiz=existing).count())
        return
    quiz = quiz_create(course=course, data={**content.DEMO_QUIZ, "lesson_id": lesson.pk})
    for question in content.DEMO_QUIZ_QUESTIONS:
        question_create(quiz=quiz, data=dict(question))
    quiz_publish(quiz=quiz)
    report.count("demo quizzes", created=1)
    report.count("demo questions", created=len(content.DEMO_QUIZ_QUESTIONS))


def seed_quiz_attempt(report: SeedReport) -> None:
    """The demo student's graded attempt at the demo quiz: submitted through the services (the four
    auto-graded answers score 4 of 5 points), then the essay graded by hand (2 of 3): 6 / 8 = 75%,
    passed. Passing completes the quiz's lesson, which the demo student had already completed, so
    the stated progress (2 of 6 lessons, 33.33%) stays. An existing attempt is left as it is."""
    student = User.objects.filter(email=DEMO_STUDENT.email, role=Role.STUDENT).first()
    quiz = _demo_quiz()
    enrollment = (
        Enrollment.objects.filter(student=student, course_id=quiz.course_id).first()
        if student is not None and quiz is not None
        else None
    )
    if enrollment is None or enrollment.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED):
        report.note("demo quiz attempt skipped: needs the demo quiz and the demo student's enrollment")
        return
    if Attempt.objects.filter(enrollment=enrollment, quiz=quiz).exists():
        report.count(
            "demo quiz attempts", existing=Attempt.objects.filter(enrollment=enrollment, quiz=quiz).count()
        )
        return
    questions = list(Question.objects.filter(quiz=quiz).order_by("order_index"))
    if [q.question_type for q in questions] != [q["question_type"] for q in content.DEMO_QUIZ_QUESTIONS]:
        report.note("demo quiz attempt skipped: the demo quiz's questions were changed")
        return
    attempt, _ = attempt_start(user=student, quiz=quiz)
    answers = [
        {"question_id": question.pk, **given}
        for question, given in zip(questions, content.DEMO_ATTEMPT_ANSWERS, strict=True)
    ]
    attempt = attempt_submit(user=student, attempt=attempt, answers=answers)
    essays = [q for q in questions if q.question_type == QuestionType.ESSAY]
    attempt = attempt_grade(
        attempt=attempt, grades=[{"question_id": q.pk, **content.DEMO_ESSAY_GRADE} for q in essays]
    )
    report.count("demo quiz attempts", created=1)
    completed = Enrollment.objects.get(pk=enrollment.pk).completed_lessons_count
    report.note(
        f"demo quiz: {DEMO_STUDENT.email} scored {attempt.score} / {attempt.max_score} "
        f"({attempt.percentage}%, {'passed' if attempt.is_passed else 'failed'}) on lesson "
        f"{content.DEMO_QUIZ_LESSON_ORDER}, already completed: still {completed} of "
        f"{len(content.PYTHON_LESSONS)} lessons done"
    )


def seed_learner(report: SeedReport) -> None:
    """The second demo student: every lesson of "Python from Zero" completed (through
    `progress_update`, so the enrollment completes and the completion hook runs after commit), a
    five-star review, and the certificate, issued here through the certificates service so that it
    exists even when the hook's task is queued for a worker. With no broker, the hook's task renders
    the PDF inline after commit. An existing enrollment is left as it is; only a missing certificate
    is issued."""
    learner = User.objects.filter(email=DEMO_LEARNER.email, role=Role.STUDENT).first()
    course = _demo_course()
    if learner is None or course is None:
        report.note(
            f"demo learner skipped: needs the student {DEMO_LEARNER.email} and the published course "
            f"{content.PYTHON_COURSE_SLUG!r}"
        )
        return
    enrollment = Enrollment.objects.filter(student=learner, course=course).first()
    just_completed = enrollment is None
    if enrollment is not None:
        report.count("demo enrollments", existing=1)
        report.count(
            "demo lesson progress", existing=LessonProgress.objects.filter(enrollment=enrollment).count()
        )
    else:
        enrollment, _ = enrollment_enroll(actor=learner, course_id=course.pk)
        lessons = list(Lesson.objects.filter(course=course).order_by("order_index"))
        for index, lesson in enumerate(lessons):
            seconds = content.DEMO_LEARNER_SECONDS[index % len(content.DEMO_LEARNER_SECONDS)]
            progress_update(
                user=learner,
                enrollment=enrollment,
                lesson_id=lesson.pk,
                data={"status": ProgressStatus.COMPLETED, "time_spent_seconds": seconds},
            )
        enrollment_review(enrollment=enrollment, **content.DEMO_LEARNER_REVIEW)
        report.count("demo enrollments", created=1)
        report.count("demo lesson progress", created=len(lessons))
    if Certificate.objects.filter(enrollment=enrollment).exists():
        report.count("demo certificates", existing=1)
        return
    # Just completed: the completion hook's task renders the PDF after commit, so no second render.
    certificate = certificate_issue_automatic(
        enrollment_id=enrollment.pk, render_after_commit=not just_completed
    )
    if certificate is None:
        report.note(f"demo certificate skipped: {DEMO_LEARNER.email} has not completed the course")
        return
    report.count("demo certificates", created=1)
    report.note(f"demo certificate: {certificate.certificate_number} for {DEMO_LEARNER.email}")
