"""1,000 certificates through a real Celery worker (issue 7): `python -m bench.certificates_worker`.

What it does (everything it starts is stopped at the end, also on errors and Ctrl-C):

1. A scratch PostgreSQL database, `lms_bench_certs` (on the server of BENCH_CERTS_DATABASE_URL, else
   of DATABASE_URL, else 127.0.0.1:5432), created and migrated when missing; Redis
   `redis://127.0.0.1:6379/7` (BENCH_CERTS_REDIS_URL) as the broker, flushed first; certificate PDFs
   to a temporary directory (UPLOAD_DIR), deleted at the end.
2. 1,000 completed enrollments without certificates (BENCH_CERTS_COUNT), made with `bulk_create`:
   a published course of one lesson, 1,000 students, their enrollments completed.
3. `celery -A lms_project worker -Q default,emails,progress,certificates` (the Makefile's `worker`
   target) with `--concurrency 2` (the machine's cores), production settings (DEBUG=false), and
   waits for it to say it is ready.
4. Enqueues the real task, `certificates.tasks.generate_certificate_task`, once per enrollment (what
   the completion hook enqueues: issue the certificate under the enrollment lock, then render and
   store its PDF), and polls the database until every enrollment has a valid certificate with a
   stored PDF (or nothing has moved for 120 s).
5. Prints: the wall time from the first enqueue to the last stored PDF, certificates/s, the task
   time per certificate from the worker's own log ("succeeded in Xs": median, p90, max), the
   issue-to-stored time from the rows (`pdf_rendered_at - issued_at`), errors (failed tasks,
   tracebacks in the worker log, certificates without PDF, PDF files missing on disk), the CPU of
   the worker processes and of the database's PostgreSQL backends. Then stops the worker and deletes
   the run's rows (certificates, enrollments, course, users) so the next run starts alike.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import BIN, log, manage, process_group
from bench.load import percentile
from bench.machine import background_busy, postgres_backends_cpu, postgres_cpu_delta, tree_cpu_seconds
from bench.run import ensure_database, server_environment

QUEUES = "default,emails,progress,certificates"  # as the Makefile's `worker` target
CONCURRENCY = 2
STALL_SECONDS = 120
TASK_DONE = re.compile(
    r"Task certificates\.tasks\.generate_certificate_task\[[^\]]+\] succeeded in ([0-9.]+)s"
)
TASK_FAILED = re.compile(r"Task certificates\.tasks\.generate_certificate_task\[[^\]]+\] raised")


def database_url() -> str:
    explicit = os.environ.get("BENCH_CERTS_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/lms"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"DATABASE_URL must point at PostgreSQL, not {parts.scheme!r}")
    return parts._replace(path="/lms_bench_certs").geturl()


def environment(url: str, redis_url: str, media: str) -> dict[str, str]:
    """Production settings (as `make bench` serves them), with the broker set: tasks go to Redis."""
    env = server_environment(url, redis_url)
    env.update(
        DJANGO_SETTINGS_MODULE="lms_project.settings",
        CELERY_BROKER_URL=redis_url,
        UPLOAD_DIR=media,
        FILE_STORAGE_PROVIDER="local",
    )
    return env


def running_worker(env: dict[str, str], log_path: Path) -> contextlib.AbstractContextManager:
    """The Celery worker in its own process group; SIGTERM to the group on the way out (a warm
    shutdown), SIGKILL if it is still there after 30 s."""
    command = [str(BIN / "celery"), "-A", "lms_project", "worker", "-Q", QUEUES, "--concurrency",
               str(CONCURRENCY), "-l", "info", "--hostname", f"bench-certs-{os.getpid()}@%h"]  # fmt: skip
    return process_group(command, env, log_path, stop_timeout=30)


def wait_ready(worker: subprocess.Popen, log_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode}:\n{log_path.read_text()[-3000:]}")
        if " ready." in log_path.read_text():
            return
        time.sleep(0.25)
    raise SystemExit(f"the worker was not ready within {timeout:.0f}s:\n{log_path.read_text()[-3000:]}")


def main() -> None:
    count = int(os.environ.get("BENCH_CERTS_COUNT") or 1000)
    url = database_url()
    redis_url = os.environ.get("BENCH_CERTS_REDIS_URL") or "redis://127.0.0.1:6379/7"
    name = ensure_database(url)
    media = tempfile.mkdtemp(prefix="lms-bench-certs-")
    env = environment(url, redis_url, media)
    log(f"database {name}: migrate; broker {redis_url} (flushed); media {media}")
    manage(env, "migrate", "--noinput")

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    os.environ.clear()
    os.environ.update(env)

    import django

    django.setup()

    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Role, User
    from certificates.models import Certificate, CertificateStatus
    from certificates.tasks import generate_certificate_task
    from courses.models import Course, Lesson
    from enrollments.models import Enrollment, EnrollmentStatus
    from lms_project.celery import app

    # --- data: one course, `count` students, their enrollments completed, no certificate yet -------
    tag = timezone.now().strftime("%Y%m%d%H%M%S")
    started = time.perf_counter()
    instructor = User.objects.create(
        email=f"certs-instructor-{tag}@bench.lms.local", full_name="Bench Instructor", role=Role.INSTRUCTOR
    )
    now = timezone.now()
    course = Course.objects.create(
        title=f"Certificates bench {tag}",
        slug=f"certificates-bench-{tag}",
        instructor=instructor,
        is_published=True,
        published_at=now,
        lessons_count=1,
    )
    Lesson.objects.create(
        course=course, title="The only lesson", slug="the-only-lesson", lesson_type="text", order_index=1
    )
    students = []
    for n in range(count):
        student = User(email=f"certs-{tag}-{n:05d}@bench.lms.local", full_name=f"Bench Student {n:05d}")
        student.set_unusable_password()
        students.append(student)
    User.objects.bulk_create(students, batch_size=1000)
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                student=student,
                course=course,
                status=EnrollmentStatus.COMPLETED,
                started_at=now,
                completed_at=now,
                progress_percentage=100,
                completed_lessons_count=1,
                total_lessons_count=1,
            )
            for student in students
        ],
        batch_size=1000,
    )
    Course.objects.filter(pk=course.pk).update(enrollments_count=count)
    enrollment_ids = [str(pk) for pk in Enrollment.objects.filter(course=course).values_list("pk", flat=True)]
    assert len(enrollment_ids) == count
    assert not Certificate.objects.filter(course=course).exists()
    log(
        f"created {count:,} completed enrollments without certificates "
        f"in {time.perf_counter() - started:.1f}s"
    )

    log_path = Path(media) / "worker.log"
    errors: list[str] = []
    try:
        with running_worker(env, log_path) as worker:
            wait_ready(worker, log_path)
            busy = background_busy(2.0)
            log(
                f"worker ready: celery -A lms_project worker -Q {QUEUES} --concurrency {CONCURRENCY} "
                f"(pid {worker.pid}); the machine is {busy:.0f}% busy with other work"
            )
            pg_before = postgres_backends_cpu(name)
            worker_cpu_before = tree_cpu_seconds(worker.pid)
            started = time.perf_counter()
            with app.producer_or_acquire() as producer:  # one broker connection for every message
                for enrollment_id in enrollment_ids:
                    generate_certificate_task.apply_async(args=[enrollment_id], producer=producer)
            enqueued = time.perf_counter() - started
            log(f"enqueued {count:,} generate_certificate_task messages in {enqueued:.2f}s")

            done, last_progress, last_done = 0, time.monotonic(), -1
            rendered = Certificate.objects.filter(course=course, status=CertificateStatus.VALID).exclude(
                pdf_key=""
            )
            next_report = time.monotonic() + 10
            while done < count:
                time.sleep(0.5)
                done = rendered.count()
                if done != last_done:
                    last_done, last_progress = done, time.monotonic()
                if time.monotonic() >= next_report:
                    elapsed = time.perf_counter() - started
                    log(f"  {elapsed:5.0f}s: {done:,} / {count:,} certificates with a stored PDF")
                    next_report += 10
                if worker.poll() is not None:
                    errors.append(f"the worker exited with {worker.returncode}")
                    break
                if time.monotonic() - last_progress > STALL_SECONDS:
                    errors.append(f"no progress for {STALL_SECONDS}s, stopped waiting at {done}")
                    break
            wall = time.perf_counter() - started
            worker_cpu = tree_cpu_seconds(worker.pid) - worker_cpu_before
            pg_cpu = postgres_cpu_delta(pg_before, postgres_backends_cpu(name))
        # The worker has stopped: its log is complete.
        worker_log = log_path.read_text()
        task_times = [float(seconds) for seconds in TASK_DONE.findall(worker_log)]
        failed = len(TASK_FAILED.findall(worker_log))
        tracebacks = worker_log.count("Traceback (most recent call last)")

        certificates = list(
            Certificate.objects.filter(course=course).values_list(
                "status", "pdf_key", "issued_at", "pdf_rendered_at"
            )
        )
        per_enrollment = (
            Certificate.objects.filter(course=course).values("enrollment").annotate(n=Count("pk"))
        )
        duplicates = sum(1 for row in per_enrollment if row["n"] > 1)
        without_pdf = sum(1 for _, key, _, _ in certificates if not key)
        missing_files = sum(1 for _, key, _, _ in certificates if key and not (Path(media) / key).is_file())
        issue_to_pdf = [
            (rendered_at - issued_at).total_seconds() * 1000
            for _, _, issued_at, rendered_at in certificates
            if rendered_at is not None
        ]
        if failed:
            errors.append(f"{failed} task(s) raised")
        if tracebacks:
            errors.append(f"{tracebacks} traceback(s) in the worker log ({log_path})")
        if duplicates:
            errors.append(f"{duplicates} enrollment(s) with more than one certificate")
        if len(certificates) != count or without_pdf or missing_files:
            errors.append(
                f"{len(certificates)} certificates for {count} enrollments, {without_pdf} without a PDF, "
                f"{missing_files} PDF file(s) missing on disk"
            )

        log()
        log(f"certificates through the Celery worker ({CONCURRENCY} processes, {os.cpu_count()} CPUs):")
        log(f"  certificates with a stored PDF: {done:,} / {count:,}")
        log(f"  wall time (first enqueue -> last PDF stored): {wall:.1f}s")
        log(f"  rate: {done / wall:.1f} certificates/s")
        stored_at = sorted(rendered_at for _, _, _, rendered_at in certificates if rendered_at is not None)
        warm = 5 * CONCURRENCY  # each worker process loads WeasyPrint and the fonts on its first render
        if len(stored_at) > 2 * warm:
            span = (stored_at[-1] - stored_at[warm - 1]).total_seconds()
            log(
                f"  steady rate (after the first {warm} PDFs, from pdf_rendered_at): "
                f"{(len(stored_at) - warm) / span:.1f} certificates/s"
            )
        if task_times:
            log(
                f"  task time in the worker (issue + render + store, {len(task_times):,} tasks): "
                f"median {statistics.median(task_times) * 1000:.0f} ms, "
                f"p90 {percentile(task_times, 90) * 1000:.0f} ms, max {max(task_times) * 1000:.0f} ms"
            )
        if issue_to_pdf:
            log(
                f"  issued_at -> pdf_rendered_at (render + store, from the rows): "
                f"median {statistics.median(issue_to_pdf):.0f} ms, p90 {percentile(issue_to_pdf, 90):.0f} ms"
            )
        log(
            f"  CPU: worker processes {worker_cpu:.1f}s ({worker_cpu / max(done, 1) * 1000:.0f} ms per "
            f"certificate), PostgreSQL backends {pg_cpu:.2f}s; load average {os.getloadavg()[0]:.1f}"
        )
        log(f"  errors: {'; '.join(errors) if errors else 'none'}")
    finally:
        Certificate.objects.filter(course=course).delete()
        Enrollment.objects.filter(course=course).delete()
        Lesson.objects.filter(course=course).delete()
        course.delete()
        User.objects.filter(email__startswith=f"certs-{tag}-").delete()
        instructor.delete()
        if not errors:
            shutil.rmtree(media, ignore_errors=True)
        else:
            log(f"kept {media} (worker.log, PDFs) for a look")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
