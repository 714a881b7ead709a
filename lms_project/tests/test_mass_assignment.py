"""Mass assignment (issue 8): privileged, derived and foreign-key fields smuggled into request
bodies are ignored (docs/api.md "Unknown fields ... are ignored, never applied") or refused with a
4xx, and the database row keeps its value. Every test also shows the legitimate part of the request
took effect, so the field was ignored by design rather than the whole request failing.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role, User
from certificates.models import Certificate, CertificateStatus
from courses.models import Course, Lesson
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from files.models import FileType, UploadedFile
from files.tests.factories import upload
from lms_project.tests.matrix_data import (
    ADMIN,
    ANONYMOUS,
    INSTRUCTOR,
    OTHER_INSTRUCTOR,
    OTHER_STUDENT,
    STUDENT,
    Scenario,
    shared_scene,
)
from quizzes.models import Attempt, AttemptStatus, Question, Quiz

pytestmark = pytest.mark.security

A = "/api/v1"
LONG_AGO = "2001-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def module_scene(django_db_setup, django_db_blocker):
    with shared_scene(django_db_blocker) as scene:
        yield scene


@pytest.fixture
def scene(module_scene, db) -> Scenario:
    """The module's scene, seen from this test's savepoint (rolled back after it)."""
    return module_scene


def _row(model, pk) -> dict[str, Any]:
    return model.objects.filter(pk=pk).values().get()


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {key for key in before if before[key] != after[key]}


# --- users ------------------------------------------------------------------------------------------


def test_a_student_cannot_raise_their_own_privileges_through_patch_me(scene: Scenario):
    student = scene.users[STUDENT]
    before = _row(User, student.pk)

    response = scene.clients[STUDENT].patch(
        f"{A}/users/me",
        {
            "full_name": "Sam Renamed",
            "role": Role.ADMIN,
            "is_active": False,
            "is_staff": True,
            "is_superuser": True,
            "email_verified": True,
            "email": "takeover@example.com",
            "id": str(uuid.uuid4()),
            "created_at": LONG_AGO,
            "last_login_at": LONG_AGO,
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["full_name"], body["role"], body["is_active"], body["email"]) == (
        "Sam Renamed",
        Role.STUDENT,
        True,
        student.email,
    )
    assert _changed(before, _row(User, student.pk)) == {"full_name", "updated_at"}
    # Still a student on the next request (roles are read from the database, not the token).
    assert scene.clients[STUDENT].get(f"{A}/users").status_code == 403


def test_a_privileged_field_alone_changes_nothing_at_all(scene: Scenario):
    student = scene.users[STUDENT]
    before = _row(User, student.pk)
    response = scene.clients[STUDENT].patch(f"{A}/users/me", {"role": Role.INSTRUCTOR}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == Role.STUDENT
    assert _row(User, student.pk) == before


@pytest.mark.parametrize("role", [Role.ADMIN, Role.INSTRUCTOR])
def test_sign_up_cannot_choose_a_privileged_role(scene: Scenario, role: str):
    users_before = User.objects.count()
    response = scene.clients[ANONYMOUS].post(
        f"{A}/auth/register",
        {
            "email": "climber@example.com",
            "password": "Another-Horse-Battery-7",
            "full_name": "Climber",
            "role": role,
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_allowed"
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="climber@example.com").exists()


def test_sign_up_ignores_activation_and_staff_flags(scene: Scenario):
    response = scene.clients[ANONYMOUS].post(
        f"{A}/auth/register",
        {
            "email": "newbie@example.com",
            "password": "Another-Horse-Battery-7",
            "full_name": "Newbie",
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "email_verified": True,
            "id": str(uuid.uuid4()),
        },
        format="json",
    )
    assert response.status_code == 201
    user = User.objects.get(email="newbie@example.com")
    assert (user.role, user.is_active, user.is_staff, user.is_superuser) == (Role.STUDENT, True, False, False)
    assert str(user.pk) == response.json()["user"]["id"]


def test_an_admin_cannot_change_a_users_email_or_id_through_patch(scene: Scenario):
    student = scene.users[STUDENT]
    before = _row(User, student.pk)
    response = scene.clients[ADMIN].patch(
        f"{A}/users/{student.pk}",
        {
            "full_name": "Sam Edited",
            "email": "changed@example.com",
            "id": str(uuid.uuid4()),
            "created_at": LONG_AGO,
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["email"] == student.email
    assert _changed(before, _row(User, student.pk)) == {"full_name", "updated_at"}


# --- courses and lessons ----------------------------------------------------------------------------

COURSE_SMUGGLE = {
    "instructor_id": None,  # filled in with another instructor's id
    "instructor": None,
    "is_published": True,
    "published_at": LONG_AGO,
    "lessons_count": 42,
    "enrollments_count": 1000,
    "rating_count": 50,
    "rating_sum": 250,
    "average_rating": "5.00",
    "created_at": LONG_AGO,
    "id": None,
}


def _smuggle_course(scene: Scenario) -> dict[str, Any]:
    other = scene.users[OTHER_INSTRUCTOR]
    return {
        **COURSE_SMUGGLE,
        "instructor_id": str(other.pk),
        "instructor": str(other.pk),
        "id": str(uuid.uuid4()),
    }


def test_a_new_course_belongs_to_its_creator_unpublished_with_zero_counters(scene: Scenario):
    response = scene.clients[INSTRUCTOR].post(
        f"{A}/courses", {"title": "Hand-made course", **_smuggle_course(scene)}, format="json"
    )
    assert response.status_code == 201
    course = Course.objects.get(pk=response.json()["id"])
    assert course.instructor_id == scene.users[INSTRUCTOR].pk
    assert (course.is_published, course.published_at) == (False, None)
    assert (course.lessons_count, course.enrollments_count, course.rating_count, course.rating_sum) == (
        0,
        0,
        0,
        0,
    )
    assert course.created_at.year == timezone.now().year
    assert response.json()["average_rating"] is None


def test_patching_a_course_cannot_move_publish_or_recount_it(scene: Scenario):
    course = scene.draft_course
    before = _row(Course, course.pk)
    response = scene.clients[INSTRUCTOR].patch(
        f"{A}/courses/{course.pk}",
        {"description": "Now with exercises.", "slug": "stolen-slug", **_smuggle_course(scene)},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["is_published"] is False
    assert _changed(before, _row(Course, course.pk)) == {"description", "updated_at"}
    # The draft is still the instructor's and still hidden from everyone else.
    assert scene.clients[OTHER_INSTRUCTOR].get(f"{A}/courses/{course.pk}").status_code == 404


def test_a_lesson_is_created_in_the_course_of_the_url_whatever_the_body_says(scene: Scenario):
    course, elsewhere = scene.course, scene.draft_course
    elsewhere_before = _row(Course, elsewhere.pk)
    response = scene.clients[INSTRUCTOR].post(
        f"{A}/courses/{course.pk}/lessons",
        {
            "title": "Smuggled lesson",
            "lesson_type": "text",
            "course_id": str(elsewhere.pk),
            "id": str(uuid.uuid4()),
        },
        format="json",
    )
    assert response.status_code == 201
    lesson = Lesson.objects.get(pk=response.json()["id"])
    assert lesson.course_id == course.pk
    assert _row(Course, elsewhere.pk) == elsewhere_before


def test_patching_a_lesson_cannot_move_it_to_another_course(scene: Scenario):
    lesson = scene.lesson
    before = _row(Lesson, lesson.pk)
    response = scene.clients[INSTRUCTOR].patch(
        f"{A}/lessons/{lesson.pk}",
        {
            "title": "Renamed lesson",
            "course_id": str(scene.draft_course.pk),
            "course": str(scene.draft_course.pk),
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["course_id"] == str(scene.course.pk)
    assert _changed(before, _row(Lesson, lesson.pk)) == {"title", "updated_at"}


# --- enrollments, progress, reviews -----------------------------------------------------------------


def test_enrolling_cannot_enroll_someone_else_or_start_completed(scene: Scenario):
    student_enrollment = _row(Enrollment, scene.enrollment.pk)
    response = scene.clients[OTHER_STUDENT].post(
        f"{A}/enrollments",
        {
            "course_id": str(scene.course.pk),
            "student_id": str(scene.users[STUDENT].pk),  # only admins may pass it
            "status": EnrollmentStatus.COMPLETED,
            "progress_percentage": "100.00",
            "completed_lessons_count": 2,
            "certificate_issued_at": LONG_AGO,
            "rating": 5,
        },
        format="json",
    )
    assert response.status_code == 201
    enrollment = Enrollment.objects.get(pk=response.json()["id"])
    assert enrollment.student_id == scene.users[OTHER_STUDENT].pk
    assert (enrollment.status, enrollment.progress_percentage) == (EnrollmentStatus.ACTIVE, Decimal("0.00"))
    assert (enrollment.completed_lessons_count, enrollment.certificate_issued_at, enrollment.rating) == (
        0,
        None,
        None,
    )
    assert _row(Enrollment, scene.enrollment.pk) == student_enrollment


def test_progress_writes_ignore_other_enrollments_lessons_and_scores(scene: Scenario):
    enrollment, lesson = scene.enrollment, scene.lesson
    progress = LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)
    before = _row(LessonProgress, progress.pk)
    rows_before = LessonProgress.objects.count()
    response = scene.clients[STUDENT].put(
        f"{A}/enrollments/{enrollment.pk}/lessons/{lesson.pk}/progress",
        {
            "time_spent_seconds": 700,
            "student_id": str(scene.users[OTHER_STUDENT].pk),
            "enrollment_id": str(uuid.uuid4()),
            "lesson_id": str(scene.second_lesson.pk),
            "id": str(uuid.uuid4()),
            "score": "100.00",
            "completed_at": LONG_AGO,
            "started_at": LONG_AGO,
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["enrollment_id"], body["lesson_id"]) == (
        str(progress.pk),
        str(enrollment.pk),
        str(lesson.pk),
    )
    after = _row(LessonProgress, progress.pk)
    assert after["time_spent_seconds"] == 700
    assert (after["completed_at"], after["started_at"], after["status"]) == (
        before["completed_at"],
        before["started_at"],
        ProgressStatus.COMPLETED,
    )
    assert LessonProgress.objects.count() == rows_before


def test_a_review_sets_only_the_rating_and_the_text(scene: Scenario):
    enrollment = scene.enrollment
    before = _row(Enrollment, enrollment.pk)
    response = scene.clients[STUDENT].post(
        f"{A}/enrollments/{enrollment.pk}/review",
        {
            "rating": 4,
            "review": "Clear and well paced.",
            "status": EnrollmentStatus.DROPPED,
            "student_id": str(scene.users[OTHER_STUDENT].pk),
            "course_id": str(scene.draft_course.pk),
            "progress_percentage": "0.00",
        },
        format="json",
    )
    assert response.status_code == 200
    assert _changed(before, _row(Enrollment, enrollment.pk)) <= {
        "rating",
        "review",
        "reviewed_at",
        "updated_at",
    }
    enrollment.refresh_from_db()
    assert (enrollment.rating, enrollment.status, enrollment.student_id, enrollment.course_id) == (
        4,
        EnrollmentStatus.COMPLETED,
        scene.users[STUDENT].pk,
        scene.course.pk,
    )


# --- quizzes --------------------------------------------------------------------------------------


def test_a_new_quiz_is_unpublished_empty_and_in_the_course_of_the_url(scene: Scenario):
    response = scene.clients[INSTRUCTOR].post(
        f"{A}/courses/{scene.course.pk}/quizzes",
        {
            "title": "Smuggled quiz",
            "course_id": str(scene.draft_course.pk),
            "is_published": True,
            "total_questions": 9,
            "total_points": "99.00",
        },
        format="json",
    )
    assert response.status_code == 201
    quiz = Quiz.objects.get(pk=response.json()["id"])
    assert (quiz.course_id, quiz.is_published, quiz.total_questions, quiz.total_points) == (
        scene.course.pk,
        False,
        0,
        Decimal("0.00"),
    )


def test_patching_a_quiz_cannot_recount_it_or_move_it(scene: Scenario):
    quiz = scene.quiz
    before = _row(Quiz, quiz.pk)
    response = scene.clients[INSTRUCTOR].patch(
        f"{A}/courses/{scene.course.pk}/quizzes/{quiz.pk}",
        {
            "title": "Renamed quiz",
            "course_id": str(scene.draft_course.pk),
            "total_questions": 9,
            "total_points": "99.00",
        },
        format="json",
    )
    assert response.status_code == 200
    assert _changed(before, _row(Quiz, quiz.pk)) == {"title", "updated_at"}


def test_a_question_lands_in_the_quiz_of_the_url(scene: Scenario):
    spare_before = _row(Quiz, scene.spare_quiz.pk)
    response = scene.clients[INSTRUCTOR].post(
        f"{A}/courses/{scene.course.pk}/quizzes/{scene.quiz.pk}/questions",
        {
            "question_text": "Is this the right quiz?",
            "question_type": "true_false",
            "correct_answer": "true",
            "quiz_id": str(scene.spare_quiz.pk),
            "order_index": 1,
        },
        format="json",
    )
    assert response.status_code == 201
    question = Question.objects.get(pk=response.json()["id"])
    assert question.quiz_id == scene.quiz.pk
    assert _row(Quiz, scene.spare_quiz.pk) == spare_before


def test_a_submitted_attempt_is_graded_by_the_server_not_by_the_body(scene: Scenario):
    attempt, quiz = scene.open_attempt, scene.quiz
    response = scene.clients[STUDENT].post(
        f"{A}/quizzes/{quiz.pk}/attempts/{attempt.pk}/submit",
        {
            "answers": [
                {
                    "question_id": str(scene.true_false.pk),
                    "answer_text": "false",  # wrong: the key is "true"
                    "is_correct": True,
                    "points_earned": "1.00",
                }
            ],
            "score": "100.00",
            "max_score": "1.00",
            "percentage": "100.00",
            "is_passed": True,
            "status": AttemptStatus.GRADED,
        },
        format="json",
    )
    assert response.status_code == 200
    attempt.refresh_from_db()
    # The essay is unanswered, so the attempt waits for a manager; the true/false answer scored 0.
    assert (attempt.status, attempt.score, attempt.percentage, attempt.is_passed) == (
        AttemptStatus.SUBMITTED,
        Decimal("0.00"),
        None,
        None,
    )
    assert attempt.max_score == quiz.total_points
    answer = attempt.answers.get(question=scene.true_false)
    assert (answer.is_correct, answer.points_earned) == (False, Decimal("0.00"))


def test_grading_computes_the_result_whatever_the_body_claims(scene: Scenario):
    attempt, quiz = scene.submitted_attempt, scene.quiz
    response = scene.clients[INSTRUCTOR].post(
        f"{A}/quizzes/{quiz.pk}/attempts/{attempt.pk}/grade",
        {
            "grades": [{"question_id": str(scene.essay.pk), "points_earned": "1.00", "is_correct": True}],
            "score": "6.00",
            "percentage": "100.00",
            "is_passed": True,
        },
        format="json",
    )
    assert response.status_code == 200
    attempt.refresh_from_db()
    # 1 (true/false) + 1 (essay) out of 6: 33.33%, below the 70.00 pass mark.
    assert (attempt.status, attempt.score, attempt.percentage, attempt.is_passed) == (
        AttemptStatus.GRADED,
        Decimal("2.00"),
        Decimal("33.33"),
        False,
    )


def test_a_student_cannot_grade_their_own_essay(scene: Scenario):
    attempt = scene.submitted_attempt
    before = _row(Attempt, attempt.pk)
    response = scene.clients[STUDENT].post(
        f"{A}/quizzes/{scene.quiz.pk}/attempts/{attempt.pk}/grade",
        {"grades": [{"question_id": str(scene.essay.pk), "points_earned": "5.00"}]},
        format="json",
    )
    assert response.status_code == 403
    assert _row(Attempt, attempt.pk) == before


# --- files and certificates -------------------------------------------------------------------------


def test_an_upload_ignores_owner_path_type_and_checksum_fields(scene: Scenario):
    response = scene.clients[STUDENT].post(
        f"{A}/files/upload",
        {
            "file": upload("handout.pdf"),
            "uploader_id": str(scene.users[ADMIN].pk),
            "uploader": str(scene.users[ADMIN].pk),
            "storage_key": "../../etc/passwd",
            "filename": "evil.html",
            "mime_type": "text/html",
            "file_type": FileType.VIDEO,
            "file_size": 1,
            "checksum_sha256": "0" * 64,
            "storage_provider": "s3",
        },
        format="multipart",
    )
    assert response.status_code == 201
    file = UploadedFile.objects.get(pk=response.json()["id"])
    assert file.uploader_id == scene.users[STUDENT].pk
    assert (file.mime_type, file.file_type, file.storage_provider) == (
        "application/pdf",
        FileType.DOCUMENT,
        "local",
    )
    assert file.file_size > 1 and file.checksum_sha256 != "0" * 64
    assert ".." not in file.storage_key and file.filename != "evil.html"


def test_generating_a_certificate_ignores_its_facts_in_the_body(scene: Scenario):
    certificate = scene.certificate
    before = _row(Certificate, certificate.pk)
    count = Certificate.objects.count()
    response = scene.clients[STUDENT].post(
        f"{A}/certificates/enrollments/{scene.enrollment.pk}/generate",
        {
            "certificate_number": "CERT-20010101-AAAAAAAAAA",
            "student_name": "Somebody Else",
            "course_title": "A Course Never Taken",
            "status": CertificateStatus.REVOKED,
            "student_id": str(scene.users[OTHER_STUDENT].pk),
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["certificate_number"] == certificate.certificate_number
    assert _row(Certificate, certificate.pk) == before
    assert Certificate.objects.count() == count


def test_revoking_records_the_real_revoker_and_time(scene: Scenario):
    certificate = scene.certificate
    response = scene.clients[INSTRUCTOR].post(
        f"{A}/certificates/{certificate.pk}/revoke",
        {"reason": "Issued by mistake.", "revoked_by": str(scene.users[ADMIN].pk), "revoked_at": LONG_AGO},
        format="json",
    )
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_by_id == scene.users[INSTRUCTOR].pk
    assert certificate.revoked_at.year == timezone.now().year
    assert certificate.status == CertificateStatus.REVOKED
