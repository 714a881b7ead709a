"""The scene and the route table behind the permission matrix (test_permission_matrix.py), the IDOR
checks (test_idor.py) and the mass-assignment checks (test_mass_assignment.py).

`build_scenario()` makes, with factories (no API calls), one small world where every `{param}` of
every route names a real object: `instructor` owns a published course (two lessons, a quiz with a
true/false and an essay question, a spare quiz nobody attempted) and a draft course (one lesson and
a quiz); `student` completed the published course (progress on both lessons, a certificate, a
submitted attempt and one in progress) and uploaded a private and a public file. `other_student` is
enrolled nowhere and owns nothing; `other_instructor` owns nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, AdminFactory, InstructorFactory, StudentFactory
from accounts.tokens import issue_token_pair
from certificates.models import Certificate
from certificates.tests.factories import CertificateFactory
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.tests.factories import EnrollmentFactory, LessonProgressFactory
from files.models import UploadedFile
from files.tests.factories import UploadedFileFactory, upload
from quizzes.models import Answer, Attempt, AttemptStatus, Question, Quiz
from quizzes.tests.factories import AttemptFactory, QuizFactory, essay, true_false

ANONYMOUS, STUDENT, OTHER_STUDENT, INSTRUCTOR, OTHER_INSTRUCTOR, ADMIN = ROLES = (
    "anonymous",
    "student",
    "other_student",
    "instructor",
    "other_instructor",
    "admin",
)
PARAM = re.compile(r"{(\w+)}")


@dataclass
class Scenario:
    users: dict[str, User]
    clients: dict[str, APIClient]
    refresh_tokens: dict[str, str]  # the refresh token issued with each client's access token
    course: Course
    lesson: Lesson
    second_lesson: Lesson
    draft_course: Course
    draft_lesson: Lesson
    enrollment: Enrollment
    quiz: Quiz
    true_false: Question
    essay: Question
    submitted_attempt: Attempt
    open_attempt: Attempt
    spare_quiz: Quiz
    spare_question: Question
    draft_quiz: Quiz
    draft_question: Question
    certificate: Certificate
    file: UploadedFile
    public_file: UploadedFile
    extra: dict[str, Any] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """The default object behind each path parameter: the owner personas' own."""
        return {
            "user_id": self.users[STUDENT].pk,
            "instructor_id": self.users[INSTRUCTOR].pk,
            "course_id": self.course.pk,
            "lesson_id": self.lesson.pk,
            "enrollment_id": self.enrollment.pk,
            "quiz_id": self.quiz.pk,
            "question_id": self.true_false.pk,
            "attempt_id": self.submitted_attempt.pk,
            "file_id": self.file.pk,
            "certificate_id": self.certificate.pk,
            "certificate_number": self.certificate.certificate_number,
        }


def _client(user: User | None) -> tuple[APIClient, str | None]:
    client = APIClient()
    if user is None:
        return client, None
    pair = issue_token_pair(user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    return client, pair.refresh_token


def build_scenario(users: dict[str, User] | None = None) -> Scenario:
    """The world described in the module docstring (about 40 rows; a few milliseconds on SQLite)."""
    users = users or {
        STUDENT: StudentFactory(full_name="Sam Student"),
        OTHER_STUDENT: StudentFactory(full_name="Olive Otherstudent"),
        INSTRUCTOR: InstructorFactory(full_name="Ivan Instructor"),
        OTHER_INSTRUCTOR: InstructorFactory(full_name="Olga Otherinstructor"),
        ADMIN: AdminFactory(full_name="Ada Admin"),
    }
    clients, refresh_tokens = {}, {}
    for role in ROLES:
        clients[role], refresh_tokens[role] = _client(users.get(role))

    student, instructor = users[STUDENT], users[INSTRUCTOR]
    now = timezone.now()
    course = CourseFactory(instructor=instructor, is_published=True, title="Python from Zero")
    lesson, second_lesson = LessonFactory(course=course), LessonFactory(course=course)
    draft_course = CourseFactory(instructor=instructor, is_published=False, title="Rust, a draft")
    draft_lesson = LessonFactory(course=draft_course)
    course.refresh_from_db()

    # The student finished the course: both lessons completed, a certificate issued.
    enrollment = EnrollmentFactory(
        student=student,
        course=course,
        status=EnrollmentStatus.COMPLETED,
        started_at=now - timedelta(days=3),
        completed_at=now - timedelta(days=1),
        progress_percentage=Decimal("100.00"),
        completed_lessons_count=2,
        total_lessons_count=2,
        total_time_spent_seconds=1200,
    )
    for done in (lesson, second_lesson):
        LessonProgressFactory(
            enrollment=enrollment,
            lesson=done,
            status=ProgressStatus.COMPLETED,
            started_at=now - timedelta(days=2),
            completed_at=now - timedelta(days=1),
            time_spent_seconds=600,
            completion_percentage=Decimal("100.00"),
        )
    certificate = CertificateFactory(enrollment=enrollment)

    # A quiz with an essay: one attempt submitted (waiting for its essay grade), one in progress.
    quiz = QuizFactory(course=course, title="Checkpoint")
    tf_question, essay_question = true_false(quiz), essay(quiz)
    submitted_attempt = AttemptFactory(
        quiz=quiz,
        enrollment=enrollment,
        status=AttemptStatus.SUBMITTED,
        started_at=now - timedelta(hours=2),
        submitted_at=now - timedelta(hours=1),
        score=Decimal("1.00"),
        question_order=[str(tf_question.pk), str(essay_question.pk)],
    )
    Answer.objects.create(
        attempt=submitted_attempt,
        question=tf_question,
        answer_text="true",
        is_correct=True,
        points_earned=Decimal("1.00"),
    )
    Answer.objects.create(attempt=submitted_attempt, question=essay_question, answer_text="My essay.")
    open_attempt = AttemptFactory(
        quiz=quiz,
        enrollment=enrollment,
        question_order=[str(tf_question.pk), str(essay_question.pk)],
    )
    spare_quiz = QuizFactory(course=course, title="Spare quiz")
    spare_question = true_false(spare_quiz)
    draft_quiz = QuizFactory(course=draft_course, title="Draft quiz")
    draft_question = true_false(draft_quiz)

    file = UploadedFileFactory(uploader=student, original_filename="notes.pdf")
    public_file = UploadedFileFactory(uploader=student, original_filename="syllabus.pdf", is_public=True)
    return Scenario(
        users=users,
        clients=clients,
        refresh_tokens=refresh_tokens,
        course=course,
        lesson=lesson,
        second_lesson=second_lesson,
        draft_course=draft_course,
        draft_lesson=draft_lesson,
        enrollment=enrollment,
        quiz=quiz,
        true_false=tf_question,
        essay=essay_question,
        submitted_attempt=submitted_attempt,
        open_attempt=open_attempt,
        spare_quiz=spare_quiz,
        spare_question=spare_question,
        draft_quiz=draft_quiz,
        draft_question=draft_question,
        certificate=certificate,
        file=file,
        public_file=public_file,
    )


# --- the database, before and after ------------------------------------------------------------------

SNAPSHOT_MODELS: tuple[type[models.Model], ...] = (
    User,
    Course,
    Lesson,
    Enrollment,
    LessonProgress,
    Quiz,
    Question,
    Attempt,
    Answer,
    UploadedFile,
    Certificate,
)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the scene's tables (a few dozen): a refused request must leave them all alone.
    (Sorted here rather than by the database: the ORM's ORDER BY compilation costs more than the
    query on tables this small.)"""
    return {
        model.__name__: sorted(model.objects.order_by().values_list(), key=lambda row: str(row[0]))
        for model in SNAPSHOT_MODELS
    }


@contextmanager
def shared_scene(django_db_blocker) -> Iterator[Scenario]:
    """One scene for a whole module, inside a transaction that is rolled back at the end. Each test
    (marked `django_db`) runs in a savepoint inside it, rolled back after the test, so every test
    starts from the same untouched scene, as if it had built its own, at a fraction of the cost
    (building one takes ~40 inserts). Tests must not change the scene's Python objects in place."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_scenario()
        transaction.set_rollback(True)


# --- requests ------------------------------------------------------------------------------------------

Body = dict[str, Any] | Callable[[Scenario, str], dict[str, Any]] | None
Params = Callable[[Scenario], dict[str, Any]] | None


def resolve(template: str, values: dict[str, Any]) -> str:
    return PARAM.sub(lambda m: str(values[m.group(1)]), template)


def send(client: APIClient, method: str, path: str, body: dict[str, Any] | None, *, multipart: bool = False):
    if method == "GET":
        return client.get(path)
    if multipart:
        return client.post(path, body or {}, format="multipart")
    return getattr(client, method.lower())(path, body if body is not None else {}, format="json")


def is_error_shape(response) -> bool:
    """The one error shape: a JSON object with a human `detail` and a stable snake_case `code`."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    body = response.json()
    return (
        isinstance(body, dict)
        and isinstance(body.get("detail"), str)
        and isinstance(body.get("code"), str)
        and re.fullmatch(r"[a-z][a-z0-9_]*", body["code"]) is not None
    )


def random_id() -> uuid.UUID:
    return uuid.uuid4()


# --- valid bodies, so that a 400 never hides a missing permission check ----------------------------------

NEW_PASSWORD = "Another-Horse-Battery-7"


def _register(s: Scenario, role: str) -> dict[str, Any]:
    return {"email": f"new-{role}@example.com", "password": NEW_PASSWORD, "full_name": "New Person"}


def _login(s: Scenario, role: str) -> dict[str, Any]:
    return {"email": s.users[STUDENT].email, "password": DEFAULT_PASSWORD}


def _refresh(s: Scenario, role: str) -> dict[str, Any]:
    return {"refresh_token": issue_token_pair(s.users[STUDENT]).refresh_token}


def _logout(s: Scenario, role: str) -> dict[str, Any]:
    # The caller's own refresh token (someone else's is a 401 by design, docs/api.md "Logout").
    return {"refresh_token": s.refresh_tokens.get(role) or s.refresh_tokens[STUDENT]}


def _upload(s: Scenario, role: str) -> dict[str, Any]:
    return {"file": upload("handout.pdf"), "folder": "handouts"}


def _reorder(s: Scenario, role: str) -> dict[str, Any]:
    return {"lesson_ids": [str(s.second_lesson.pk), str(s.lesson.pk)]}


def _enroll(s: Scenario, role: str) -> dict[str, Any]:
    return {"course_id": str(s.course.pk)}


def _submit(s: Scenario, role: str) -> dict[str, Any]:
    return {
        "answers": [
            {"question_id": str(s.true_false.pk), "answer_text": "true"},
            {"question_id": str(s.essay.pk), "answer_text": "Generators are lazy iterators."},
        ]
    }


def _grade(s: Scenario, role: str) -> dict[str, Any]:
    return {"grades": [{"question_id": str(s.essay.pk), "points_earned": "4.00", "feedback": "Good."}]}


BODIES: dict[str, Body] = {
    "POST /api/v1/auth/register": _register,
    "POST /api/v1/auth/login": _login,
    "POST /api/v1/auth/refresh": _refresh,
    "POST /api/v1/auth/logout": _logout,
    "POST /api/v1/users": {
        "email": "made-by-admin@example.com",
        "password": NEW_PASSWORD,
        "full_name": "Grace Hopper",
        "role": "instructor",
    },
    "PATCH /api/v1/users/me": {"full_name": "Renamed Me"},
    "PATCH /api/v1/users/{user_id}": {"full_name": "Renamed Student"},
    "POST /api/v1/courses": {"title": "A brand new course", "category": "programming"},
    "PATCH /api/v1/courses/{course_id}": {"title": "Renamed course", "description": "New words."},
    "POST /api/v1/courses/{course_id}/lessons": {
        "title": "Extra lesson",
        "lesson_type": "text",
        "content": "More.",
    },
    "POST /api/v1/courses/{course_id}/lessons/reorder": _reorder,
    "PATCH /api/v1/lessons/{lesson_id}": {"title": "Renamed lesson"},
    "POST /api/v1/enrollments": _enroll,
    "PUT /api/v1/enrollments/{enrollment_id}/lessons/{lesson_id}/progress": {
        "status": "completed",
        "time_spent_seconds": 900,
        "last_position_seconds": 30,
    },
    "POST /api/v1/enrollments/{enrollment_id}/lessons/{lesson_id}/complete": {"time_spent_seconds": 900},
    "POST /api/v1/enrollments/{enrollment_id}/review": {"rating": 5, "review": "Clear and well paced."},
    "POST /api/v1/courses/{course_id}/quizzes": {"title": "Another quiz"},
    "PATCH /api/v1/courses/{course_id}/quizzes/{quiz_id}": {"title": "Renamed quiz"},
    "POST /api/v1/courses/{course_id}/quizzes/{quiz_id}/questions": {
        "question_text": "Is Python dynamically typed?",
        "question_type": "true_false",
        "correct_answer": "true",
    },
    "PATCH /api/v1/courses/{course_id}/quizzes/{quiz_id}/questions/{question_id}": {
        "question_text": "Reworded?"
    },
    "POST /api/v1/quizzes/{quiz_id}/attempts/{attempt_id}/submit": _submit,
    "POST /api/v1/quizzes/{quiz_id}/attempts/{attempt_id}/grade": _grade,
    "POST /api/v1/files/upload": _upload,
    "POST /api/v1/certificates/enrollments/{enrollment_id}/generate": {},
    "POST /api/v1/certificates/{certificate_id}/revoke": {"reason": "Issued by mistake."},
}
MULTIPART = {"POST /api/v1/files/upload"}


def body_for(route: str, s: Scenario, role: str) -> dict[str, Any] | None:
    body = BODIES.get(route)
    return body(s, role) if callable(body) else body
