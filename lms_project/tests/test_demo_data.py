"""`seed_demo_data`: the demo world, the scale data set, and the benchmark's helpers."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.tests.factories import StudentFactory
from bench.load import build_request, percentile, read_response
from certificates.models import Certificate, CertificateStatus
from courses.models import Course, Lesson, LessonType
from courses.tests.factories import CourseFactory
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.services import recalculate_progress, recount_course_counters
from lms_project import demo
from lms_project.demo import bulk
from lms_project.demo import scale as demo_scale
from quizzes import grading
from quizzes.models import Answer, Attempt, AttemptStatus, Question, QuestionType, Quiz, QuizType

pytestmark = pytest.mark.django_db

COURSE_COUNTERS = ("lessons_count", "enrollments_count", "rating_count", "rating_sum", "updated_at")
ENROLLMENT_COUNTERS = (
    "status",
    "completed_at",
    "completed_lessons_count",
    "total_lessons_count",
    "progress_percentage",
    "total_time_spent_seconds",
    "updated_at",
)


@pytest.fixture(autouse=True)
def _fast_scale_hashes(monkeypatch):
    """Argon2 costs ~0.1-0.5 s a hash here; only the login test needs the real thing."""
    monkeypatch.setattr(demo_scale, "SCALE_PASSWORD_HASHER", "md5")


def run(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo_data", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict[str, set]:
    """Every row that matters, with the fields a re-run or a recount could change."""
    return {
        "users": set(User.objects.values_list("id", "email", "password", "role", "updated_at")),
        "courses": set(Course.objects.values_list("id", "slug", "is_published", *COURSE_COUNTERS)),
        "lessons": set(Lesson.objects.values_list("id", "course_id", "order_index", "updated_at")),
        "enrollments": set(Enrollment.objects.values_list("id", *ENROLLMENT_COUNTERS)),
        "progress": set(
            LessonProgress.objects.values_list(
                "id", "status", "time_spent_seconds", "completed_at", "updated_at"
            )
        ),
        "quizzes": set(
            Quiz.objects.values_list("id", "is_published", "total_questions", "total_points", "updated_at")
        ),
        "questions": set(Question.objects.values_list("id", "quiz_id", "order_index", "updated_at")),
        "attempts": set(
            Attempt.objects.values_list("id", "status", "score", "max_score", "percentage", "is_passed")
        ),
        "answers": set(Answer.objects.values_list("id", "attempt_id", "points_earned", "is_correct")),
        "certificates": set(Certificate.objects.values_list("id", "certificate_number", "status", "pdf_key")),
    }


def recount_changes_nothing() -> None:
    before = snapshot()
    recount_course_counters()
    recalculate_progress()
    assert snapshot() == before


# --- The demo world --------------------------------------------------------------------------------


def test_demo_seed_creates_the_accounts_who_can_log_in():
    run()

    users = {user.email: user for user in User.objects.all()}
    assert set(users) == {"admin@lms.local", "instructor@lms.local", "student@lms.local", "learner@lms.local"}
    for email, password, role, name in [
        ("admin@lms.local", "LmsAdmin!2026", Role.ADMIN, "Demo Admin"),
        ("instructor@lms.local", "LmsTeach!2026", Role.INSTRUCTOR, "Demo Instructor"),
        ("student@lms.local", "LmsLearn!2026", Role.STUDENT, "Demo Student"),
        ("learner@lms.local", "LmsLearn!2026", Role.STUDENT, "Demo Learner"),
    ]:
        user = users[email]
        assert (user.role, user.full_name, user.is_active) == (role, name, True)
        assert user.check_password(password)


def test_demo_seed_creates_a_published_course_with_lessons_of_every_kind_and_a_draft():
    run()

    instructor = User.objects.get(email="instructor@lms.local")
    course = Course.objects.get(slug="python-from-zero")
    assert (course.title, course.instructor, course.is_published) == ("Python from Zero", instructor, True)
    assert course.published_at is not None
    lessons = list(course.lessons.order_by("order_index"))
    assert [lesson.order_index for lesson in lessons] == [1, 2, 3, 4, 5, 6]
    assert {lesson.lesson_type for lesson in lessons} == {
        LessonType.VIDEO,
        LessonType.TEXT,
        LessonType.ASSIGNMENT,
    }
    videos = [lesson for lesson in lessons if lesson.lesson_type == LessonType.VIDEO]
    assert videos and all(lesson.video_url.startswith("https://") for lesson in videos)
    assert [lesson.order_index for lesson in lessons if lesson.is_preview] == [1]
    texts = [lesson for lesson in lessons if lesson.lesson_type == LessonType.TEXT]
    assert all(lesson.content.startswith("# ") and "```python" in lesson.content for lesson in texts)
    # The demo student, and the learner who finished and rated it.
    assert (course.lessons_count, course.enrollments_count, course.rating_count, course.rating_sum) == (
        6,
        2,
        1,
        5,
    )

    draft = Course.objects.get(slug="web-apis-with-django")
    assert (draft.instructor, draft.is_published, draft.published_at) == (instructor, False, None)
    assert (draft.lessons_count, draft.enrollments_count) == (2, 0)
    assert Course.objects.count() == 2


def test_demo_seed_enrolls_the_student_with_two_lessons_done_and_one_under_way():
    run()

    # Passing the quiz of lesson 2 (already completed) changed none of these figures.
    enrollment = Enrollment.objects.get(student__email="student@lms.local")
    assert enrollment.course.slug == "python-from-zero"
    assert (
        enrollment.status,
        enrollment.completed_lessons_count,
        enrollment.total_lessons_count,
        enrollment.progress_percentage,
        enrollment.total_time_spent_seconds,
    ) == (EnrollmentStatus.ACTIVE, 2, 6, Decimal("33.33"), 540 + 960 + 420)
    assert enrollment.started_at is not None and enrollment.last_accessed_at is not None
    progress = list(enrollment.progress.order_by("lesson__order_index"))
    assert [(p.lesson.order_index, p.status) for p in progress] == [
        (1, ProgressStatus.COMPLETED),
        (2, ProgressStatus.COMPLETED),
        (3, ProgressStatus.IN_PROGRESS),
    ]
    assert progress[2].completion_percentage == Decimal("40.00")
    recount_changes_nothing()


def test_a_second_demo_seed_changes_nothing():
    run()
    before = snapshot()

    out = run()

    assert snapshot() == before
    for kind, present in [
        ("demo users", 4),
        ("demo courses", 2),
        ("demo lessons", 8),
        ("demo enrollments", 2),
        ("demo lesson progress", 9),
        ("demo quizzes", 1),
        ("demo questions", 5),
        ("demo quiz attempts", 1),
        ("demo certificates", 1),
    ]:
        assert f"{kind}: 0 created, {present} already present" in out


def test_demo_seed_keeps_an_existing_demo_account_as_it_is():
    StudentFactory(email="admin@lms.local", full_name="Someone Else")

    run()

    kept = User.objects.get(email="admin@lms.local")
    assert (kept.role, kept.full_name) == (Role.STUDENT, "Someone Else")
    assert User.objects.count() == 4


def test_demo_seed_skips_the_courses_when_the_demo_instructor_is_not_an_instructor():
    StudentFactory(email="instructor@lms.local")

    out = run()

    assert "demo courses skipped: instructor@lms.local is not an instructor account" in out
    assert "demo enrollment skipped" in out
    assert "demo quiz skipped" in out and "demo learner skipped" in out
    assert not Course.objects.exists()
    assert not Enrollment.objects.exists()
    assert not Quiz.objects.exists() and not Certificate.objects.exists()


def test_demo_quiz_has_every_question_type_and_the_demo_students_graded_attempt():
    run()

    quiz = Quiz.objects.get(course__slug="python-from-zero")
    assert (quiz.lesson.order_index, quiz.quiz_type, quiz.is_published) == (2, QuizType.GRADED, True)
    questions = list(quiz.questions.order_by("order_index"))
    assert {q.question_type for q in questions} == set(QuestionType.values)
    assert (quiz.total_questions, quiz.total_points) == (5, sum(q.points for q in questions))

    attempt = Attempt.objects.get(quiz=quiz)
    assert attempt.enrollment.student.email == "student@lms.local"
    assert (attempt.status, attempt.score, attempt.max_score, attempt.percentage, attempt.is_passed) == (
        AttemptStatus.GRADED,
        Decimal("6.00"),
        Decimal("8.00"),
        Decimal("75.00"),
        True,
    )
    answers = {a.question.question_type: a for a in attempt.answers.select_related("question")}
    assert set(answers) == set(QuestionType.values)
    assert answers[QuestionType.MULTIPLE_SELECT].points_earned == Decimal("1.00")  # one wrong pick
    essay = answers[QuestionType.ESSAY]
    assert (essay.points_earned, essay.is_correct, essay.graded_at is not None) == (
        Decimal("2.00"),
        False,
        True,
    )
    assert essay.feedback
    assert sum(a.points_earned for a in answers.values()) == attempt.score


def test_demo_learner_completed_the_course_and_has_a_valid_certificate_with_its_pdf(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "storage"), "base_url": None},
        },
    }
    with django_capture_on_commit_callbacks(execute=True):  # the completion hook, as after a commit
        out = run()

    enrollment = Enrollment.objects.get(student__email="learner@lms.local")
    assert (enrollment.status, enrollment.completed_lessons_count, enrollment.progress_percentage) == (
        EnrollmentStatus.COMPLETED,
        6,
        Decimal("100.00"),
    )
    assert enrollment.rating == 5 and enrollment.completed_at is not None
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == CertificateStatus.VALID and certificate.is_valid
    assert (certificate.student_name, certificate.course_title, certificate.instructor_name) == (
        "Demo Learner",
        "Python from Zero",
        "Demo Instructor",
    )
    assert enrollment.certificate_issued_at is not None
    assert certificate.pdf_key and certificate.pdf_rendered_at is not None  # rendered by the hook's task
    assert f"demo certificate: {certificate.certificate_number} for learner@lms.local" in out
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        run()

    assert snapshot() == before
    assert Certificate.objects.count() == 1
    recount_changes_nothing()


def test_demo_seed_issues_a_missing_certificate_of_the_learner_on_a_second_run():
    run()
    Certificate.objects.all().delete()  # e.g. the first run's task went to a broker with no worker

    out = run()

    certificate = Certificate.objects.get(enrollment__student__email="learner@lms.local")
    assert certificate.is_valid
    assert "demo certificates: 1 created, 0 already present" in out


def test_seed_refuses_a_negative_scale():
    with pytest.raises(CommandError, match="--scale"):
        run("--scale", "-1")

    assert not User.objects.exists()


# --- Scale -----------------------------------------------------------------------------------------


def test_scale_fraction_builds_the_shape_with_counters_a_recount_would_not_change():
    report = demo.seed_demo_data(scale=0.05)  # 50 students, 1 instructor, 5 courses

    shape = demo.ScaleShape.of(0.05)
    assert (shape.students, shape.instructors, shape.courses) == (50, 1, 5)
    scale_users = User.objects.filter(email__endswith="@scale.lms.local")
    assert scale_users.filter(role=Role.STUDENT).count() == 50
    assert scale_users.filter(role=Role.INSTRUCTOR).count() == 1
    courses = Course.objects.filter(slug__startswith="scale-course-").order_by("slug")
    assert courses.count() == 5
    assert set(courses.values_list("is_published", "lessons_count")) == {(True, 20)}
    assert Lesson.objects.filter(course__in=courses).count() == 100
    assert all(len(lesson.content) >= 1000 for lesson in Lesson.objects.filter(course=courses[0]))
    assert set(
        Lesson.objects.filter(course__in=courses, lesson_type=LessonType.VIDEO).values_list(
            "video_url", flat=True
        )
    ) >= {f"https://cdn.example.com/videos/{courses[0].slug}/01.mp4"}

    # Every student: the hot course plus the other four (at most 10 in all).
    enrollments = Enrollment.objects.filter(course__in=courses)
    assert enrollments.count() == 250
    assert set(enrollments.values_list("student_id", flat=True)) == set(
        scale_users.filter(role=Role.STUDENT).values_list("id", flat=True)
    )
    hot = courses[0]
    assert hot.enrollments_count == 50
    assert sum(course.enrollments_count for course in courses) == 250

    progress = LessonProgress.objects.filter(enrollment__in=enrollments)
    statuses = set(progress.values_list("status", flat=True))
    assert statuses == {ProgressStatus.COMPLETED, ProgressStatus.IN_PROGRESS}
    assert 1500 <= progress.count() <= 3500  # ~10 rows an enrollment
    rated = enrollments.filter(rating__isnull=False)
    assert rated.exists()
    assert not rated.filter(progress_percentage__lt=20).exists()
    assert sum(course.rating_count for course in courses) == rated.count()
    assert enrollments.filter(status=EnrollmentStatus.COMPLETED).exists()
    assert report.created["scale lesson progress"] == progress.count()

    recount_changes_nothing()


def test_scale_quizzes_and_attempts_are_consistent_with_their_answers():
    report = demo.seed_demo_data(scale=0.05)

    courses = Course.objects.filter(slug__startswith="scale-course-")
    quizzes = Quiz.objects.filter(course__in=courses).select_related("lesson")
    assert quizzes.count() == courses.count() == 5
    for quiz in quizzes:
        questions = list(quiz.questions.all())
        assert quiz.lesson.order_index == 20 and quiz.lesson.course_id == quiz.course_id
        assert (quiz.quiz_type, quiz.is_published) == (QuizType.GRADED, True)
        assert (quiz.total_questions, quiz.total_points) == (10, sum(q.points for q in questions))
        assert {q.question_type for q in questions} == set(QuestionType.values) - {QuestionType.ESSAY}

    attempts = list(
        Attempt.objects.filter(quiz__in=quizzes)
        .select_related("quiz", "enrollment")
        .prefetch_related("answers__question")
    )
    candidates = Enrollment.objects.filter(course__in=courses, progress_percentage__gt=50).count()
    assert 0.15 * candidates <= len(attempts) <= 0.55 * candidates  # about a third
    assert report.created["scale quiz attempts"] == len(attempts)
    assert report.created["scale answers"] == Answer.objects.filter(attempt__quiz__in=quizzes).count()
    assert {a.is_passed for a in attempts} == {True, False}
    for attempt in attempts:
        assert attempt.enrollment.course_id == attempt.quiz.course_id
        assert attempt.enrollment.progress_percentage > 50
        assert (attempt.status, attempt.attempt_number) == (AttemptStatus.GRADED, 1)
        answers = list(attempt.answers.all())
        assert len(answers) == 10 and {a.question.quiz_id for a in answers} == {attempt.quiz_id}
        for answer in answers:  # each answer graded as the grading rules would
            question = answer.question
            grade = grading.grade_answer(
                question_type=question.question_type,
                points=question.points,
                options=question.options,
                correct_answer=question.correct_answer,
                accepted_answers=question.accepted_answers,
                selected_option_id=answer.selected_option_id,
                selected_option_ids=answer.selected_option_ids,
                answer_text=answer.answer_text,
            )
            assert (answer.is_correct, answer.points_earned) == (grade.is_correct, grade.points)
        score = grading.quantize(sum(a.points_earned for a in answers))
        percent = grading.percentage(score, attempt.quiz.total_points)
        assert (attempt.score, attempt.max_score, attempt.percentage) == (
            score,
            attempt.quiz.total_points,
            percent,
        )
        assert attempt.is_passed == (percent >= attempt.quiz.passing_score)
        assert attempt.started_at < attempt.submitted_at <= attempt.deadline_at
        assert attempt.time_taken_seconds == (attempt.submitted_at - attempt.started_at).total_seconds()
        if attempt.is_passed:  # passing completes the quiz's lesson: it must be completed
            assert LessonProgress.objects.filter(
                enrollment=attempt.enrollment, lesson=attempt.quiz.lesson, status=ProgressStatus.COMPLETED
            ).exists()

    recount_changes_nothing()


def test_scale_seed_is_deterministic():
    demo.seed_demo_data(scale=0.02)
    first = snapshot()
    ids = {kind: {row[0] for row in rows} for kind, rows in first.items()}
    Attempt.objects.filter(quiz__course__slug__startswith="scale-course-").delete()  # protects the rest
    Enrollment.objects.filter(course__slug__startswith="scale-course-").delete()
    Course.objects.filter(slug__startswith="scale-course-").delete()
    User.objects.filter(email__endswith="@scale.lms.local").delete()

    demo.seed_demo_data(scale=0.02)

    # The demo world was kept, and every scale row came back with the same id.
    assert {kind: {row[0] for row in rows} for kind, rows in snapshot().items()} == ids


def test_scale_command_reports_counts_and_a_second_run_duplicates_nothing(monkeypatch):
    # A tiny unit, so the command's own path (argument, report, idempotence) runs in milliseconds.
    monkeypatch.setattr(demo_scale, "SCALE_UNIT", 12)
    monkeypatch.setattr(demo_scale, "SCALE_INSTRUCTORS_PER_UNIT", 2)
    monkeypatch.setattr(demo_scale, "SCALE_COURSES_PER_UNIT", 3)

    out = run("--scale", "1")

    assert "scale students: 12 created, 0 already present" in out
    assert "scale instructors: 2 created, 0 already present" in out
    assert "scale courses: 3 created, 0 already present" in out
    assert "scale lessons: 60 created, 0 already present" in out
    assert "scale enrollments: 36 created, 0 already present" in out
    assert "scale quizzes: 3 created, 0 already present" in out
    assert "scale questions: 30 created, 0 already present" in out
    assert "scale quiz attempts: " in out
    assert "steps: " in out and "scale_enrollments" in out and "scale_attempts" in out
    before = snapshot()

    out = run("--scale", "1")

    assert snapshot() == before
    assert "scale students: 0 created, 12 already present" in out
    assert "scale courses: 0 created, 3 already present" in out
    assert "scale courses already present: left as they are" in out
    assert "scale enrollments: 0 created, 36 already present" in out
    assert "scale enrollments already present: left as they are" in out
    assert "scale quizzes: 0 created, 3 already present" in out
    assert "scale quiz attempts already present: left as they are" in out


def test_scale_users_log_in_with_the_published_passwords(api_client, monkeypatch):
    monkeypatch.setattr(demo_scale, "SCALE_PASSWORD_HASHER", "argon2")  # what --scale stores

    demo.seed_demo_data(scale=0.01)

    hashes = set(User.objects.filter(email__endswith="@scale.lms.local").values_list("password", flat=True))
    assert len(hashes) == 2 and all(value.startswith("argon2$") for value in hashes)  # one per role
    for email, password in [
        ("student7@scale.lms.local", "LmsLearn!2026"),
        ("instructor1@scale.lms.local", "LmsTeach!2026"),
    ]:
        response = api_client.post(
            "/api/v1/auth/login", {"email": email, "password": password}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["user"]["email"] == email


def test_scale_history_is_in_the_past_and_in_order():
    demo.seed_demo_data(scale=0.02)

    enrollments = Enrollment.objects.filter(course__slug__startswith="scale-course-").select_related(
        "course", "student"
    )
    for enrollment in enrollments:
        assert enrollment.course.created_at < enrollment.course.published_at <= enrollment.enrolled_at
        assert enrollment.student.created_at <= enrollment.enrolled_at
        if enrollment.started_at:
            assert enrollment.enrolled_at < enrollment.started_at <= enrollment.last_accessed_at
            assert enrollment.last_accessed_at < enrollment.updated_at


# --- Writing in bulk (lms_project/demo/bulk.py) ----------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY and the index rebuild are PostgreSQL's; SQLite takes bulk_create (the tests above)",
)
LOADED_TABLES = ("enrollments_enrollment", "enrollments_lessonprogress", "quizzes_attempt", "quizzes_answer")


def schema_of(tables: tuple[str, ...]) -> dict[str, set]:
    """The tables' constraints (theirs and those pointing at them) and indexes, as PostgreSQL
    describes them: names, definitions, deferral modes and whether they were validated."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, condeferred,
                   convalidated
            FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])
            """,
            [list(tables), list(tables)],
        )
        constraints = set(cursor.fetchall())
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [list(tables)]
        )
        indexes = set(cursor.fetchall())
    return {"constraints": constraints, "indexes": indexes}


def vacuum_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # read the counters as they are now
        cursor.execute("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_uuid4_gives_the_ids_uuid_would_from_the_same_draws():
    ours, theirs = random.Random(7), random.Random(7)

    ids = [bulk.uuid4(ours) for _ in range(2000)]

    assert [uuid.UUID(int=i) for i in ids] == [uuid.UUID(int=theirs.getrandbits(128), version=4) for _ in ids]


def test_table_writes_the_given_columns_and_fills_the_others_with_now_and_the_defaults():
    course = CourseFactory()
    now = timezone.now() - timedelta(days=3)
    created_at = now - timedelta(days=30)
    lesson_id = bulk.uuid4(random.Random(1))
    table = bulk.Table(
        Lesson, ("id", "course_id", "title", "slug", "lesson_type", "order_index", "created_at"), now=now
    )
    table.rows.append((lesson_id, course.pk, "Intro", "intro", LessonType.TEXT, 1, created_at))

    assert table.flush() == 1

    assert (table.written, table.rows) == (1, [])
    lesson = Lesson.objects.get(pk=uuid.UUID(int=lesson_id))
    assert (lesson.course_id, lesson.title, lesson.lesson_type, lesson.order_index) == (
        course.pk,
        "Intro",
        LessonType.TEXT,
        1,
    )
    assert lesson.created_at == created_at  # given, not stamped
    assert (lesson.metadata, lesson.is_preview, lesson.content, lesson.parent_lesson_id) == (
        {},
        False,
        None,
        None,
    )
    assert now <= lesson.updated_at <= timezone.now()  # `now` by COPY, the flush's time by bulk_create
    assert table.flush() == 0 and Lesson.objects.filter(course=course).count() == 1


def test_table_refuses_rows_without_their_primary_key_or_with_unknown_columns():
    now = timezone.now()

    with pytest.raises(ValueError, match="primary key"):
        bulk.Table(Lesson, ("course_id", "title"), now=now)
    with pytest.raises(ValueError, match="no column"):
        bulk.Table(Lesson, ("id", "colour"), now=now)


@needs_postgres
@pytest.mark.postgres
def test_scale_seed_leaves_every_index_and_foreign_key_as_the_migrations_made_them():
    before = schema_of(LOADED_TABLES)

    demo.seed_demo_data(scale=0.02)

    assert Answer.objects.exists() and LessonProgress.objects.count() > 100  # the loads ran
    assert schema_of(LOADED_TABLES) == before


@needs_postgres
@pytest.mark.postgres
def test_a_failed_load_gets_its_indexes_and_foreign_keys_back_with_the_rollback():
    before = schema_of(LOADED_TABLES)

    with pytest.raises(ZeroDivisionError), transaction.atomic(), bulk.loading(Enrollment, LessonProgress):
        during = schema_of(LOADED_TABLES)
        _ = 1 / 0

    assert schema_of(LOADED_TABLES) == before
    # While loading, only the enrollments' primary key stayed: other tables' foreign keys need it.
    loaded = ("enrollments_enrollment", "enrollments_lessonprogress")
    assert {name for table, name, _ in during["indexes"] if table in loaded} == {
        "enrollments_enrollment_pkey"
    }
    assert {
        name for table, name, *_ in during["constraints"] if table in loaded and name.endswith("_pkey")
    } == {"enrollments_enrollment_pkey"}
    assert not [c for c in during["constraints"] if c[0] in loaded and "FOREIGN KEY" in c[2]]
    assert [c for c in during["constraints"] if c[0] == "quizzes_attempt" and "FOREIGN KEY" in c[2]]


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_loading_refuses_to_alter_tables_outside_a_transaction():
    # In autocommit each DROP would commit at once, and a failed load would leave the tables bare.
    before = schema_of(LOADED_TABLES)

    with pytest.raises(RuntimeError, match="inside a transaction"), bulk.loading(LessonProgress):
        pass

    assert schema_of(LOADED_TABLES) == before


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_scale_command_on_postgresql_commits_each_step_and_ends_with_vacuum(settings, tmp_path, monkeypatch):
    # Outside a test's transaction, as in real use: every step commits, then VACUUM ANALYZE runs.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "storage"), "base_url": None},
        },
    }
    monkeypatch.setattr(demo_scale, "SCALE_UNIT", 12)
    monkeypatch.setattr(demo_scale, "SCALE_INSTRUCTORS_PER_UNIT", 2)
    monkeypatch.setattr(demo_scale, "SCALE_COURSES_PER_UNIT", 3)
    before = schema_of(LOADED_TABLES)
    vacuums = vacuum_count("enrollments_lessonprogress")

    out = run("--scale", "1")

    assert "scale enrollments: 36 created, 0 already present" in out
    assert "analyze " in out
    assert schema_of(LOADED_TABLES) == before
    enrollments = Enrollment.objects.filter(course__slug__startswith="scale-course-")
    assert enrollments.count() == 36
    assert LessonProgress.objects.filter(enrollment__in=enrollments).count() > 0
    assert vacuum_count("enrollments_lessonprogress") == vacuums + 1
    recount_changes_nothing()


# --- Benchmark helpers -----------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks():
    assert percentile([], 50) is None
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([4.0, 1.0, 3.0, 2.0], 0) == 1.0
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile(list(range(1, 101)), 100) == 100


def test_build_request_sends_json_with_its_length():
    raw = build_request("PUT", "/x", host="127.0.0.1", headers={"Authorization": "Bearer t"}, body={"a": 1})

    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"PUT /x HTTP/1.1"
    assert b"Authorization: Bearer t" in head
    assert b"Content-Length: 7" in head
    assert body == b'{"a":1}'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", (200, b"hi", True)),
        (b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", (404, b"", False)),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
            (200, b"abcde", True),
        ),
    ],
)
def test_read_response_handles_lengths_chunks_and_close(raw, expected):
    async def parse() -> tuple[int, bytes, bool]:
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        return await read_response(reader)

    assert asyncio.run(parse()) == expected
