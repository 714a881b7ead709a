"""Lock order (issue 8, item 4): every service takes its row locks in the project-wide order
course -> enrollment -> attempt (certificates and lesson progress after the enrollment), so two
requests that touch overlapping rows through different entry points wait for each other instead of
deadlocking.

Two checks, both on PostgreSQL (SQLite has no row locks):
- the order, read from the SQL: each service runs alone under CaptureQueriesContext and the tables
  its locking statements (`SELECT ... FOR [NO KEY] UPDATE`, `UPDATE`, `DELETE`) reach are checked
  against the documented order;
- the behaviour: mixed operations on one course and its enrollments run together on real connections,
  many rounds; none may fail (a deadlock is PostgreSQL error 40P01, an OperationalError the API turns
  into a 503), and the stored counters must equal a recount afterwards.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from accounts.tokens import issue_token_pair
from certificates import services as certificate_services
from certificates.models import Certificate, CertificateStatus
from certificates.tests.factories import CompletedEnrollmentFactory
from courses import services as course_services
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments import services as enrollment_services
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.tests.factories import EnrollmentFactory
from lms_project.testing import postgres_only, run_concurrently
from quizzes import services as quiz_services
from quizzes.models import Attempt, AttemptStatus
from quizzes.tests.factories import QuizFactory, true_false

pytestmark = [pytest.mark.race, postgres_only, pytest.mark.django_db(transaction=True)]

# The documented order (docs/architecture.md, each service's docstring). Lesson progress, attempts
# and certificates hang off an enrollment and are locked after it.
RANK = {
    "courses_course": 0,
    "enrollments_enrollment": 1,
    "enrollments_lessonprogress": 2,
    "quizzes_attempt": 2,
    "certificates_certificate": 2,
}
# Lessons are changed only under their course's lock (courses/services.py), which orders them.
UNDER_THE_COURSE = {"courses_lesson"}
# Row-lock strength: a stronger lock on a row already held is a new lock (and can deadlock too).
STRENGTH = {"FOR NO KEY UPDATE": 1, "UPDATE": 1, "FOR UPDATE": 2, "DELETE": 2}

_LOCKING_SELECT = re.compile(r"\bFOR (NO KEY UPDATE|UPDATE)(?: OF ([^;]+?))?(?: NOWAIT| SKIP LOCKED)?$")


def locks_taken(sql: str) -> list[tuple[str, int]]:
    """The (table, strength) row locks one statement takes, in the order PostgreSQL takes them for a
    join (the FROM table, then the joined ones). Tables outside the order (users, quizzes) are left
    out; so are the KEY SHARE locks of foreign-key checks, which only conflict with FOR UPDATE and
    DELETE, both taken under the course lock."""
    sql = sql.strip()
    if sql.startswith("UPDATE "):
        tables, strength = [re.match(r'UPDATE "(\w+)"', sql).group(1)], STRENGTH["UPDATE"]
    elif sql.startswith("DELETE FROM "):
        tables, strength = [re.match(r'DELETE FROM "(\w+)"', sql).group(1)], STRENGTH["DELETE"]
    else:
        match = _LOCKING_SELECT.search(sql)
        if match is None:
            return []
        strength = STRENGTH[f"FOR {match.group(1)}"]
        if match.group(2):  # FOR UPDATE OF "a", "b": only those
            tables = re.findall(r'"(\w+)"', match.group(2))
        else:  # every table of the FROM clause and its joins is locked
            tables = re.findall(r'(?:FROM|JOIN) "(\w+)"', sql.split(" WHERE ")[0])
    return [(table, strength) for table in tables if table in RANK or table in UNDER_THE_COURSE]


def order_violations(statements: list[str]) -> list[str]:
    """Locks that break the order, transaction by transaction: a table locked after a table later in
    the order (re-locking a held row at the same or a weaker strength is free), or a lesson locked
    without its course."""
    held: dict[str, int] = {}
    highest = -1
    problems = []
    for sql in statements:
        if sql in ("BEGIN", "COMMIT", "ROLLBACK"):
            held, highest = {}, -1
            continue
        for table, strength in locks_taken(sql):
            if table in UNDER_THE_COURSE:
                if "courses_course" not in held:
                    problems.append(f"{table} locked without the course lock: {sql[:160]}")
                continue
            if held.get(table, 0) >= strength:
                continue
            if RANK[table] < highest:
                problems.append(f"{table} locked after a rank-{highest} table: {sql[:160]}")
            held[table] = strength
            highest = max(highest, RANK[table])
    return problems


def test_the_parser_reads_the_locks_of_each_statement_kind():
    assert locks_taken('SELECT 1 FROM "courses_course" WHERE x FOR NO KEY UPDATE') == [("courses_course", 1)]
    joined = 'SELECT * FROM "enrollments_enrollment" INNER JOIN "courses_course" ON (a) WHERE b FOR UPDATE'
    assert locks_taken(joined) == [("enrollments_enrollment", 2), ("courses_course", 2)]
    assert locks_taken(joined.replace("FOR UPDATE", 'FOR UPDATE OF "enrollments_enrollment"')) == [
        ("enrollments_enrollment", 2)
    ]
    assert locks_taken('UPDATE "courses_course" SET x = 1') == [("courses_course", 1)]
    assert locks_taken('DELETE FROM "courses_lesson" WHERE id = 1') == [("courses_lesson", 2)]
    assert locks_taken('SELECT * FROM "courses_course" WHERE id = 1') == []
    # The violations the order forbids, and the re-lock it allows.
    assert order_violations([joined]) != []
    assert order_violations(['SELECT 1 FROM "courses_course" FOR UPDATE', joined]) == []
    upgrade = ['SELECT 1 FROM "courses_course" FOR NO KEY UPDATE', joined]  # NO KEY UPDATE -> FOR UPDATE
    assert order_violations(upgrade) != []
    assert order_violations(['DELETE FROM "courses_lesson" WHERE id = 1']) != []
    # Each transaction starts afresh.
    assert (
        order_violations(
            [
                'UPDATE "enrollments_enrollment" SET x = 1',
                "COMMIT",
                joined.replace("FOR UPDATE", 'FOR UPDATE OF "courses_course"'),
            ]
        )
        == []
    )


# --- 1. the order, read from the SQL each service sends --------------------------------------------


@pytest.fixture
def scene(monkeypatch) -> dict[str, Any]:
    """A published course with three lessons (the last one carries a graded one-question quiz) and
    the people around it."""
    monkeypatch.setattr("certificates.pdf.render_certificate_pdf", lambda certificate, **kw: b"%PDF-1.4 stub")
    instructor = InstructorFactory()
    course = CourseFactory(instructor=instructor, is_published=True)
    lessons = LessonFactory.create_batch(3, course=course)
    quiz = QuizFactory(course=course, lesson=lessons[-1])
    question = true_false(quiz, answer="true")
    course.refresh_from_db()
    return {
        "admin": AdminFactory(),
        "instructor": instructor,
        "course": course,
        "lessons": lessons,
        "quiz": quiz,
        "answers": [{"question_id": str(question.pk), "answer_text": "true"}],
    }


def _locks_in_order(label: str, call: Callable[[], Any], report: dict[str, list[str]]) -> Any:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    statements = [query["sql"] for query in captured.captured_queries]
    assert any(locks_taken(sql) for sql in statements), f"{label}: took no lock at all?"
    report[label] = order_violations(statements)
    return result


def test_every_service_locks_course_then_enrollment_then_attempt(scene):
    course, lessons, quiz = scene["course"], scene["lessons"], scene["quiz"]
    student = StudentFactory()
    report: dict[str, list[str]] = {}

    enrollment, _ = _locks_in_order(
        "enroll",
        lambda: enrollment_services.enrollment_enroll(actor=student, course_id=course.pk),
        report,
    )
    _locks_in_order("drop", lambda: enrollment_services.enrollment_drop(enrollment=enrollment), report)
    _locks_in_order(
        "enroll again",
        lambda: enrollment_services.enrollment_enroll(actor=student, course_id=course.pk),
        report,
    )
    for lesson in lessons[:2]:
        _locks_in_order(
            f"progress {lesson.order_index}",
            lambda lesson=lesson: enrollment_services.progress_update(
                user=student, enrollment=enrollment, lesson_id=lesson.pk, data={"status": "completed"}
            ),
            report,
        )
    _locks_in_order(
        "review",
        lambda: enrollment_services.enrollment_review(enrollment=enrollment, rating=4, review="Good."),
        report,
    )
    attempt, _ = _locks_in_order(
        "attempt start", lambda: quiz_services.attempt_start(user=student, quiz=quiz), report
    )
    _locks_in_order(
        "attempt submit (completes the course)",
        lambda: quiz_services.attempt_submit(user=student, attempt=attempt, answers=scene["answers"]),
        report,
    )
    certificate, _ = _locks_in_order(
        "certificate issue",
        lambda: certificate_services.certificate_issue(enrollment_id=enrollment.pk, actor=student),
        report,
    )
    _locks_in_order(
        "certificate render",
        lambda: certificate_services.certificate_render_pdf(certificate_id=certificate.pk),
        report,
    )
    _locks_in_order(
        "certificate revoke",
        lambda: certificate_services.certificate_revoke(
            certificate=certificate, actor=scene["admin"], reason="Test."
        ),
        report,
    )
    new_lesson = _locks_in_order(
        "lesson create",
        lambda: course_services.lesson_create(course=course, data={"title": "Extra", "lesson_type": "text"}),
        report,
    )
    _locks_in_order(
        "lesson update",
        lambda: course_services.lesson_update(lesson=new_lesson, data={"title": "Extra 2"}),
        report,
    )
    _locks_in_order(
        "lesson reorder",
        lambda: course_services.lesson_reorder(
            course=course, lesson_ids=[new_lesson.pk, *(lesson.pk for lesson in lessons)]
        ),
        report,
    )
    _locks_in_order("lesson delete", lambda: course_services.lesson_delete(lesson=lessons[0]), report)
    _locks_in_order(
        "recalculate progress", lambda: enrollment_services.recalculate_progress(course_id=course.pk), report
    )

    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.GRADED  # the scene really ran
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.REVOKED
    violations = [f"{label}: {problem}" for label, problems in report.items() for problem in problems]
    assert violations == [], "\n".join(violations)
    assert len(report) == 16


# --- 2. the behaviour: mixed operations on overlapping rows, together ---------------------------------

ROUNDS = int(__import__("os").environ.get("LOCK_ORDER_ROUNDS", "12"))


def _client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user).access_token}")
    return client


def _call(name: str, client: APIClient, method: str, url: str, body: dict | None = None) -> Callable:
    def request() -> tuple[str, int, bytes]:
        response = getattr(client, method)(url, body or {}, format="json")
        return name, response.status_code, response.content

    return request


EXPECTED = {
    "enroll": {200, 201},
    "drop": {200},
    "complete": {200},
    "progress on the lesson being deleted": {200, 404},
    "quiz submit": {200},
    "certificate generate": {200, 201, 409},  # 409 once the certificate is revoked
    "certificate revoke": {200, 409},
    "review": {200},
    "lesson create": {201},
    "lesson delete": {204},
}


def _recount_snapshot(course: Course) -> dict[str, Any]:
    course.refresh_from_db()
    return {
        "course": (course.lessons_count, course.enrollments_count, course.rating_count, course.rating_sum),
        "enrollments": sorted(
            Enrollment.objects.filter(course=course).values_list(
                "pk",
                "status",
                "completed_lessons_count",
                "total_lessons_count",
                "total_time_spent_seconds",
                "progress_percentage",
            )
        ),
    }


def test_mixed_operations_on_one_course_never_deadlock_and_leave_true_counters(scene):
    course, quiz, instructor = scene["course"], scene["quiz"], scene["instructor"]
    mover, learner, quiz_taker, graduate, reviewer = StudentFactory.create_batch(5)
    moving = EnrollmentFactory(student=mover, course=course)
    learning = EnrollmentFactory(student=learner, course=course)
    EnrollmentFactory(student=quiz_taker, course=course)
    graduated = CompletedEnrollmentFactory(student=graduate, course=course)
    reviewing = EnrollmentFactory(student=reviewer, course=course)
    for lesson in scene["lessons"]:  # the reviewer has done everything (100%: may review)
        enrollment_services.progress_update(
            user=reviewer, enrollment=reviewing, lesson_id=lesson.pk, data={"status": "completed"}
        )
    certificate, _ = certificate_services.certificate_issue(enrollment_id=graduated.pk, actor=graduate)
    clients = {user: _client(user) for user in (mover, learner, quiz_taker, graduate, reviewer, instructor)}
    admin_client = _client(scene["admin"])
    outcomes: list[tuple[str, int, bytes]] = []

    for round_number in range(ROUNDS):
        # Set the round up (serially): a lesson to delete with progress on it, one the learner has
        # not done yet, and an attempt in progress.
        doomed = course_services.lesson_create(
            course=course, data={"title": f"Doomed {round_number}", "lesson_type": "text"}
        )
        enrollment_services.progress_update(
            user=reviewer, enrollment=reviewing, lesson_id=doomed.pk, data={"time_spent_seconds": 30}
        )
        todo = course_services.lesson_create(
            course=course, data={"title": f"Todo {round_number}", "lesson_type": "text"}
        )
        enrollment_services.progress_update(  # the reviewer stays above 20% as lessons are added
            user=reviewer, enrollment=reviewing, lesson_id=todo.pk, data={"status": "completed"}
        )
        attempt, _ = quiz_services.attempt_start(user=quiz_taker, quiz=quiz)
        learning_url = f"/api/v1/enrollments/{learning.pk}/lessons"

        outcomes += run_concurrently(
            [
                _call("enroll", clients[mover], "post", "/api/v1/enrollments", {"course_id": str(course.pk)}),
                _call("drop", clients[mover], "post", f"/api/v1/enrollments/{moving.pk}/drop"),
                _call("complete", clients[learner], "post", f"{learning_url}/{todo.pk}/complete"),
                _call(
                    "progress on the lesson being deleted",
                    clients[learner],
                    "put",
                    f"{learning_url}/{doomed.pk}/progress",
                    {"completion_percentage": 50, "time_spent_seconds": 60},
                ),
                _call(
                    "quiz submit",
                    clients[quiz_taker],
                    "post",
                    f"/api/v1/quizzes/{quiz.pk}/attempts/{attempt.pk}/submit",
                    {"answers": scene["answers"]},
                ),
                _call(
                    "certificate generate",
                    clients[graduate],
                    "post",
                    f"/api/v1/certificates/enrollments/{graduated.pk}/generate",
                ),
                _call(
                    "review",
                    clients[reviewer],
                    "post",
                    f"/api/v1/enrollments/{reviewing.pk}/review",
                    {"rating": 1 + round_number % 5, "review": f"Round {round_number}: clear and useful."},
                ),
                _call(
                    "lesson create",
                    clients[instructor],
                    "post",
                    f"/api/v1/courses/{course.pk}/lessons",
                    {"title": f"New {round_number}", "lesson_type": "text"},
                ),
                _call("lesson delete", clients[instructor], "delete", f"/api/v1/lessons/{doomed.pk}"),
                *(
                    [
                        _call(
                            "certificate revoke",
                            admin_client,
                            "post",
                            f"/api/v1/certificates/{certificate.pk}/revoke",
                            {"reason": "Test."},
                        )
                    ]
                    if round_number == ROUNDS // 2
                    else []
                ),
            ]
        )

    unexpected = [
        (name, status, body[:200]) for name, status, body in outcomes if status not in EXPECTED[name]
    ]
    # A deadlock (40P01) or a lock timeout is an OperationalError: 503 service_unavailable.
    assert unexpected == [], "\n".join(map(str, unexpected))
    assert len(outcomes) == ROUNDS * 9 + 1

    # The state is consistent: every stored counter equals a recount from the rows.
    stored = _recount_snapshot(course)
    enrollment_services.recount_course_counters()
    enrollment_services.recalculate_progress(course_id=course.pk)
    recounted = _recount_snapshot(course)
    drift = [
        (before, after)
        for before, after in zip(stored["enrollments"], recounted["enrollments"], strict=True)
        if before != after
    ]
    assert drift == [], "stored counters differ from a recount:\n" + "\n".join(map(str, drift))
    assert recounted["course"] == stored["course"]
    assert course.lessons_count == Lesson.objects.filter(course=course).count() == 3 + 2 * ROUNDS
    assert (
        not Enrollment.objects.filter(
            course=course, status=EnrollmentStatus.ACTIVE, total_lessons_count__gt=0
        )
        .filter(completed_lessons_count__gte=F("total_lessons_count"))
        .exists()
    )
    # Certificates: at most one valid per enrollment, and `certificate_issued_at` agrees with it.
    per_enrollment = Certificate.objects.values("enrollment").annotate(
        valid=Count("pk", filter=Q(status=CertificateStatus.VALID))
    )
    assert all(row["valid"] <= 1 for row in per_enrollment)
    graduated.refresh_from_db()
    assert graduated.certificate_issued_at is None  # revoked mid-way, never re-issued by a student
    # Every submitted attempt was graded once and completed the quiz's lesson.
    assert Attempt.objects.filter(quiz=quiz).exclude(status=AttemptStatus.GRADED).count() == 0
    assert Attempt.objects.filter(quiz=quiz).count() == ROUNDS
    assert (
        LessonProgress.objects.filter(
            enrollment__student=quiz_taker, lesson=quiz.lesson, status=ProgressStatus.COMPLETED
        ).count()
        == 1
    )


# --- 3. a recount that waits for a progress write ------------------------------------------------------


def _wait_for_lock_wait(sql_start: str, timeout: float = 10) -> None:
    """Until another backend waits for a row lock in a statement starting with `sql_start`."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE %s",
                [sql_start + "%"],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail(f"nobody waited on a lock in {sql_start!r}")


def test_a_recount_that_waited_for_a_progress_write_counts_that_write(scene):
    """A lesson was added or removed (the recount runs after that commit) while a student's progress
    write held their enrollment: the recount's UPDATE waits for the row, and must then count the
    lesson the write completed."""
    course, lesson = scene["course"], scene["lessons"][0]
    enrollment = EnrollmentFactory(course=course)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def progress_write() -> None:
        try:
            with transaction.atomic():
                enrollment_services.progress_update(
                    user=enrollment.student,
                    enrollment=enrollment,
                    lesson_id=lesson.pk,
                    data={"status": "completed"},
                )
                holding.set()
                release.wait(10)  # still holding the enrollment row
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    def recount() -> None:
        try:
            holding.wait(10)
            enrollment_services.recalculate_progress(course_id=course.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=progress_write), threading.Thread(target=recount)]
    for thread in threads:
        thread.start()
    try:
        _wait_for_lock_wait('SELECT "enrollments_enrollment"."id" AS "pk" FROM "enrollments_enrollment"')
    finally:
        release.set()
        for thread in threads:
            thread.join(20)
    assert errors == []

    enrollment.refresh_from_db()
    assert LessonProgress.objects.filter(enrollment=enrollment, status=ProgressStatus.COMPLETED).count() == 1
    assert enrollment.completed_lessons_count == 1
