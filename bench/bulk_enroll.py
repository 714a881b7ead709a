"""Bulk enrollment of 10,000 students (issue 7: "< 2 s"): `python -m bench.bulk_enroll`.

Against the PostgreSQL server of DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/lms),
in a scratch database of its own, `lms_bench_bulk` (BENCH_BULK_DATABASE to name another), created
and migrated when missing; the database of DATABASE_URL itself is never written. Steps:

1. Make sure 10,000 students exist (`bulk-student-NNNNN@bench.lms.local`, created once with
   `bulk_create`, unusable passwords), an admin and an instructor.
2. BENCH_BULK_RUNS times (3): a new published course, then `enrollments.services.bulk_enroll` of the
   10,000 ids, as `manage.py bulk_enroll` calls it, timed with `time.perf_counter()` around the call
   (one transaction: the course lock, 7 statements, the commit). Each run checks that 10,000 rows
   exist and that `Course.enrollments_count` says 10,000. Then the same call again (everyone
   already enrolled: the idempotent path).
3. Prints each run, the median against the 2 s target, and the SQL statements of one run; then
   deletes the bench courses and their enrollments (the students stay for the next run).

Tasks run inline and Redis is not used (nothing is enqueued by a bulk enroll anyway).
"""

from __future__ import annotations

import os
import statistics
import time
from urllib.parse import urlsplit

from bench.harness import log, manage
from bench.machine import background_busy, postgres_backends_cpu, postgres_cpu_delta
from bench.run import ensure_database

STUDENTS = 10_000
TARGET_SECONDS = 2.0
DOMAIN = "bench.lms.local"


def scratch_url() -> str:
    base = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/lms"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"DATABASE_URL must point at PostgreSQL, not {parts.scheme!r}")
    return parts._replace(path="/" + (os.environ.get("BENCH_BULK_DATABASE") or "lms_bench_bulk")).geturl()


def django_environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, LMS_IGNORE_DOTENV="true", DJANGO_SETTINGS_MODULE="lms_project.settings")
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)  # inline tasks, local caches: nothing but PostgreSQL is measured
    return env


def main() -> None:
    url = scratch_url()
    name = ensure_database(url)
    env = django_environment(url)
    log(f"database {name}: migrate")
    manage(env, "migrate", "--noinput")
    os.environ.clear()
    os.environ.update(env)

    import django

    django.setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Role, User
    from courses.models import Course
    from enrollments.models import Enrollment
    from enrollments.services import bulk_enroll

    emails = [f"bulk-student-{n:05d}@{DOMAIN}" for n in range(STUDENTS)]
    have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    if len(have) < STUDENTS:
        started = time.perf_counter()
        users = []
        for email in emails:
            if email not in have:
                user = User(email=email, full_name=f"Bulk Student {email[13:18]}", role=Role.STUDENT)
                user.set_unusable_password()
                users.append(user)
        User.objects.bulk_create(users, batch_size=2000)
        log(f"created {len(users):,} students in {time.perf_counter() - started:.2f}s")
    admin, _ = User.objects.get_or_create(
        email=f"bulk-admin@{DOMAIN}", defaults={"full_name": "Bulk Admin", "role": Role.ADMIN}
    )
    instructor, _ = User.objects.get_or_create(
        email=f"bulk-instructor@{DOMAIN}", defaults={"full_name": "Bulk Instructor", "role": Role.INSTRUCTOR}
    )
    ids = list(User.objects.filter(email__in=emails).values_list("pk", flat=True))
    assert len(ids) == STUDENTS, len(ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a long-lived database would have

    runs = int(os.environ.get("BENCH_BULK_RUNS") or 3)
    timings, again, courses, statements = [], [], [], []
    busy = background_busy(2.0)
    log(f"machine: {os.cpu_count()} CPUs, {busy:.0f}% busy with other work before the runs")
    log(f"bulk_enroll of {STUDENTS:,} students into a new course, {runs} run(s):")
    try:
        for run in range(runs):
            now = timezone.now()
            course = Course.objects.create(
                title=f"Bulk bench {now:%Y%m%d%H%M%S%f}",
                slug=f"bulk-bench-{now:%Y%m%d%H%M%S%f}",
                instructor=instructor,
                is_published=True,
                published_at=now,
            )
            courses.append(course.pk)
            steps: list[tuple[float, str]] = []

            def timed(execute, sql, params, many, context, steps=steps):
                began = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    steps.append((time.perf_counter() - began, " ".join(sql.split())[:60]))

            pg_before = postgres_backends_cpu(name)
            with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed):
                started, cpu = time.perf_counter(), time.process_time()
                result = bulk_enroll(course=course, students_or_ids=ids, actor=admin)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            pg_cpu = postgres_cpu_delta(pg_before, postgres_backends_cpu(name))
            stored = Enrollment.objects.filter(course=course).count()
            counter = Course.objects.values_list("enrollments_count", flat=True).get(pk=course.pk)
            if (result.created, stored, counter) != (STUDENTS, STUDENTS, STUDENTS):
                raise SystemExit(f"run {run + 1}: created {result.created}, {stored} rows, counter {counter}")
            started = time.perf_counter()
            repeat = bulk_enroll(course=course, students_or_ids=ids, actor=admin)
            repeat_elapsed = time.perf_counter() - started
            if repeat.created or repeat.already_enrolled != STUDENTS:
                raise SystemExit(f"run {run + 1}: the repeat created {repeat.created}")
            timings.append(elapsed)
            again.append(repeat_elapsed)
            statements = [q["sql"] for q in queries.captured_queries]
            log(
                f"  run {run + 1}: {elapsed:.3f}s ({STUDENTS / elapsed:,.0f} enrollments/s; CPU: Python "
                f"{cpu:.3f}s, PostgreSQL {pg_cpu:.3f}s); rows {stored:,}, counter {counter:,}; "
                f"repeat (all already enrolled) {repeat_elapsed:.3f}s"
            )
            log("    " + ", ".join(f"{sql.split()[0]} {seconds:.3f}s" for seconds, sql in steps))
    finally:
        Enrollment.objects.filter(course_id__in=courses).delete()
        Course.objects.filter(pk__in=courses).delete()

    median = statistics.median(timings)
    verdict = "PASS" if median < TARGET_SECONDS else "FAIL"
    log(
        f"bulk enroll {STUDENTS:,} students: median {median:.3f}s over {runs} run(s) "
        f"(min {min(timings):.3f}s, max {max(timings):.3f}s), target < {TARGET_SECONDS:.0f} s: {verdict}; "
        f"repeat median {statistics.median(again):.3f}s"
    )
    log(f"load average after: {os.getloadavg()[0]:.1f}")
    log(f"SQL statements in one run: {len(statements)}")
    for sql in statements:
        log(f"  {sql[:110]}{'...' if len(sql) > 110 else ''}")
    if verdict == "FAIL":
        raise SystemExit(1)


if __name__ == "__main__":
    main()
