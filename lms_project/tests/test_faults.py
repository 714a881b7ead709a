"""Fault injection (issue 8, item 3): what the API does when something it depends on fails.

Each dependency is broken for real where a test can do it: a private redis-server is stopped, the
database connection goes through a TCP proxy that is cut (and PostgreSQL backends are terminated),
Celery publishes to a port nothing listens on, a tmpfs fills up under the upload storage. Only what
cannot be produced on demand is injected, at the lowest level: a disk filling up mid-write on
machines where the test may not mount a file system (`os.write` / the file's `write`), and WeasyPrint
failing (`HTML.write_pdf`).

Already covered elsewhere, not repeated here: the health endpoint and a 503 with a mocked database
cursor (test_system.py), rate-limit counting falling back and returning with a real Redis
(test_ratelimit.py), the sweeps on their own (certificates/tests/test_sweeps.py).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.tokens import issue_token_pair
from certificates import tasks as certificate_tasks
from certificates.models import Certificate, CertificateStatus
from certificates.services import pdf_key
from conftest import client_for
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus
from enrollments.tests.factories import EnrollmentFactory
from files.models import UploadedFile
from files.selectors import storage_used
from files.services import file_upload
from files.tests.conftest import stored_files, use_local_storage
from files.tests.factories import PDF
from lms_project.celery import app as celery_app
from lms_project.testing import free_port, postgres_only
from lms_project.tests.test_ratelimit import REDIS_OPTIONS

pytestmark = pytest.mark.fault

HEALTH = "/api/v1/health"
ME = "/api/v1/auth/me"
UPLOAD = "/api/v1/files/upload"
GENERIC_500 = {"detail": "Internal server error.", "code": "server_error"}


def _no_internals(body: bytes | str) -> None:
    """An error body tells the client what happened, never how the server is built."""
    text = body.decode() if isinstance(body, bytes) else body
    for leak in ("Traceback", 'File "', "psycopg", "OperationalError", "OSError", "Errno", "/work/"):
        assert leak not in text, f"the error body leaks {leak!r}: {text[:200]}"


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    """Local storage and Django's upload temp dir under tmp_path, so a test can list both."""
    root = use_local_storage(settings, tmp_path)
    root.mkdir()  # a tmpfs is mounted on it (full_disk_storage)
    settings.PUBLIC_BASE_URL = "https://lms.example.com"
    settings.CERTIFICATES_DIR = "certificates"
    return root


# --- 1. Redis stopped while the server runs ---------------------------------------------------------


@pytest.mark.django_db
def test_with_redis_stopped_health_says_cache_down_with_200_and_requests_still_succeed(
    settings, private_redis, student
):
    caches = copy.deepcopy(settings.CACHES)
    for alias in ("default", "ratelimit"):  # the cache and the rate-limit counters, as in production
        caches[alias] = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{private_redis.port}/0",
            "KEY_PREFIX": f"faults-{alias}",
            "OPTIONS": dict(REDIS_OPTIONS),
        }
    settings.CACHES = caches
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_REQUESTS_PER_MINUTE = 100
    settings.RATE_LIMIT_WINDOW_SECONDS = 3600
    anonymous, client = APIClient(), client_for(student)
    course = CourseFactory(is_published=True)
    LessonFactory(course=course)

    up = anonymous.get(HEALTH)
    assert (up.status_code, up.json()) == (200, {"status": "ok", "database": "up", "cache": "up"})
    assert client.get(ME).status_code == 200
    assert private_redis.client().keys("*faults-ratelimit*"), "counted in Redis while it is up"

    private_redis.stop()

    down = anonymous.get(HEALTH)
    assert (down.status_code, down.json()) == (200, {"status": "ok", "database": "up", "cache": "down"})
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == str(student.id)
    assert int(me["X-RateLimit-Remaining"]) < 100  # still counted (in process), still limited
    enrolled = client.post("/api/v1/enrollments", {"course_id": str(course.id)}, format="json")
    assert enrolled.status_code == 201, enrolled.content
    assert Enrollment.objects.filter(student=student, course=course, status=EnrollmentStatus.ACTIVE).exists()

    private_redis.start()

    back = anonymous.get(HEALTH)
    assert (back.status_code, back.json()) == (200, {"status": "ok", "database": "up", "cache": "up"})


# --- 2. PostgreSQL unreachable, then back ------------------------------------------------------------


class TcpProxy:
    """127.0.0.1:<port> forwarded to the real database server. `cut()` drops every open connection
    and stops listening (new connections are refused), `restore()` listens on the same port again:
    to the application, exactly a database that goes away and comes back."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below (Linux)
            listener.close()
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            self._close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(sink)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


class Wsgi:
    """Requests through Django's real WSGI handler, so `request_started` / `request_finished` run
    `close_old_connections` as they do under gunicorn (the test client switches that off)."""

    def __init__(self) -> None:
        self.app = WSGIHandler()

    def get(self, path: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if token:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started["status"], started["headers"] = status, dict(headers)

        response = self.app(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()  # request_finished
        return int(started["status"].split()[0]), started["headers"], body


@pytest.fixture
def wsgi() -> Wsgi:
    return Wsgi()


@pytest.fixture
def database_through_proxy():
    """The default connection reaches PostgreSQL through a TcpProxy for the test's duration."""
    settings_dict = connection.settings_dict
    original = settings_dict["HOST"], settings_dict["PORT"]
    proxy = TcpProxy(original[0] or "127.0.0.1", int(original[1] or 5432))
    proxy.restore()
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(proxy.port)
    try:
        yield proxy
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = original
        proxy.cut()


def _backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_database_outage_is_503_without_a_trace_and_the_app_recovers_without_a_restart(
    database_through_proxy, wsgi, student, caplog
):
    token = issue_token_pair(student).access_token
    status, _, body = wsgi.get(ME, token)
    assert status == 200 and str(student.id) in body.decode()

    database_through_proxy.cut()  # the open connection dies, new ones are refused

    status, _, body = wsgi.get(HEALTH)
    assert (status, body) == (503, b'{"status":"degraded","database":"down","cache":"up"}')
    with caplog.at_level(logging.ERROR, logger="lms.errors"):
        status, headers, body = wsgi.get(ME, token)
    assert status == 503
    assert body.startswith(b"{") and b'"code":"service_unavailable"' in body
    assert headers["Retry-After"] == "5"
    _no_internals(body)
    assert [r.getMessage() for r in caplog.records if r.name == "lms.errors"] == [
        "database unavailable: OperationalError"
    ]

    database_through_proxy.restore()  # the same process, the same handler: no restart

    assert wsgi.get(HEALTH)[:1] == (200,)
    status, _, body = wsgi.get(ME, token)
    assert status == 200 and str(student.id) in body.decode()
    assert Enrollment.objects.count() == 0 and connection.is_usable()  # the test's own reads work too


def _terminate(pid: int) -> None:
    """pg_terminate_backend from another connection (what a failover or a DBA's kill does)."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_terminated_database_connection_is_replaced_before_the_next_request_uses_it(wsgi, student):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True  # settings.py, for PostgreSQL
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # persistent: the case that needs the check
    token = issue_token_pair(student).access_token
    assert wsgi.get(ME, token)[0] == 200
    pid = _backend_pid()

    _terminate(pid)
    status, _, body = wsgi.get(ME, token)

    assert status == 200, body  # not a 503: the dead connection was noticed and replaced first
    assert _backend_pid() != pid


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_without_health_checks_a_terminated_connection_fails_one_request(wsgi, student):
    """The contrast that shows what CONN_HEALTH_CHECKS buys: without it the first request after the
    backend died is a 503 (clean, in the error shape), and only the next one gets a new connection."""
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    try:
        token = issue_token_pair(student).access_token
        assert wsgi.get(ME, token)[0] == 200
        _terminate(_backend_pid())

        failed = wsgi.get(ME, token)
        recovered = wsgi.get(ME, token)
    finally:
        connection.close()
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    assert failed[0] == 503 and b'"code":"service_unavailable"' in failed[2]
    _no_internals(failed[2])
    assert recovered[0] == 200


# --- 3. Celery broker unreachable at enqueue time ---------------------------------------------------


class BrokerDown:
    """Celery publishes for real (not eager) to a broker URL where nothing listens."""

    KEYS = ("task_always_eager", "broker_url")

    def __init__(self) -> None:
        self.saved = {key: celery_app.conf[key] for key in self.KEYS}
        # Connection and producer pools remember their broker: the outage gets its own, and the
        # suite's are put back untouched afterwards (closing them would break every later enqueue).
        self.saved_pools = celery_app._pool, celery_app.amqp._producer_pool
        self.down = False

    def start(self) -> None:
        celery_app._pool, celery_app.amqp._producer_pool = None, None
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
        self.down = True

    def restore(self) -> None:
        """The broker is back (in tests: tasks run inline again, as everywhere else in the suite)."""
        if not self.down:
            return
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool, celery_app.amqp._producer_pool = self.saved_pools
        for key, value in self.saved.items():
            celery_app.conf[key] = value
        self.down = False


@pytest.fixture
def broker_down():
    broker = BrokerDown()
    broker.start()
    try:
        yield broker
    finally:
        broker.restore()


@pytest.mark.django_db
def test_completing_a_course_while_the_broker_is_down_succeeds_and_the_sweeps_catch_up(
    storage, student, broker_down, caplog, django_capture_on_commit_callbacks
):
    course = CourseFactory(is_published=True)
    lesson = LessonFactory(course=course)
    enrollment = EnrollmentFactory(student=student, course=course)
    url = f"/api/v1/enrollments/{enrollment.pk}/lessons/{lesson.pk}/complete"
    caplog.set_level(logging.ERROR, logger="lms.jobs")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(student).post(url)

    assert response.status_code == 200, response.content
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert [r.getMessage() for r in caplog.records if r.name == "lms.jobs"] == [
        "could not enqueue certificates.tasks.generate_certificate_task",
        "could not enqueue enrollments.tasks.send_course_completed_email_task",
    ]
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    assert mail.outbox == []

    # The hourly sweep (run by a worker while the broker is still down): the row is issued; its
    # PDF render cannot be enqueued, and that is logged too.
    caplog.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_tasks.issue_missing_certificates_task() == 1
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert (certificate.status, certificate.pdf_key) == (CertificateStatus.VALID, "")
    assert certificate.certificate_number
    assert [r.getMessage() for r in caplog.records if r.name == "lms.jobs"] == [
        "could not enqueue certificates.tasks.render_certificate_pdf_task"
    ]

    broker_down.restore()
    assert certificate_tasks.render_missing_certificate_pdfs_task() == 1  # the daily sweep

    certificate.refresh_from_db()
    assert certificate.pdf_key == pdf_key(certificate.certificate_number)
    with default_storage.open(certificate.pdf_key, "rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert certificate_tasks.render_missing_certificate_pdfs_task() == 0
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


# --- 4. Storage write failure mid-upload ------------------------------------------------------------

UPLOAD_SIZE = 256 * 1024
ROOM = 64 * 1024  # bytes the disk takes before it is full


def _big_pdf() -> bytes:
    return PDF + b"%" + b"x" * (UPLOAD_SIZE - len(PDF) - 1)


def _pdf_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("week-1.pdf", _big_pdf(), content_type="application/pdf")


class _FillingDiskOS:
    """`os` as `django.core.files.move` sees it when the upload temp dir and the storage are on two
    file systems (rename fails with EXDEV, so the bytes are copied) and the storage's file system is
    full after `room` bytes (the write that passes it writes what fits, then raises ENOSPC)."""

    def __init__(self, room: int) -> None:
        self.room = room

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def rename(self, src: str, dst: str) -> None:
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), src)

    def write(self, fd: int, data: bytes) -> int:
        if len(data) > self.room:
            os.write(fd, data[: self.room])
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return os.write(fd, data)


def _assert_nothing_kept(response, storage: Path, upload_tmp: Path, user) -> None:
    assert response.status_code == 500, response.content
    assert response.json() == GENERIC_500
    _no_internals(response.content)
    assert not UploadedFile.objects.exists()
    assert storage_used(user_id=user.pk) == 0
    assert stored_files(storage) == [], "a partial file was left in the storage"
    assert stored_files(upload_tmp) == [], "the upload's temp file was left behind"


@pytest.mark.django_db
def test_a_disk_full_mid_upload_is_a_clean_500_and_leaves_no_row_no_bytes_no_quota(
    storage, settings, student, monkeypatch, caplog
):
    monkeypatch.setattr("django.core.files.move.os", _FillingDiskOS(room=ROOM))
    caplog.set_level(logging.ERROR, logger="lms.errors")

    response = client_for(student).post(
        UPLOAD, {"file": _pdf_upload(), "folder": "notes"}, format="multipart"
    )

    _assert_nothing_kept(response, storage, Path(settings.FILE_UPLOAD_TEMP_DIR), student)
    (record,) = [r for r in caplog.records if r.name == "lms.errors"]
    assert record.exc_info[0] is OSError and record.exc_info[1].errno == errno.ENOSPC  # logged, not shown
    monkeypatch.undo()  # the disk has room again: the same upload goes through
    retry = client_for(student).post(UPLOAD, {"file": _pdf_upload()}, format="multipart")
    assert retry.status_code == 201
    assert storage_used(user_id=student.pk) == UPLOAD_SIZE


class _FailingWriteOS:
    """`os` as `FileSystemStorage._save` sees it: the file it opens for writing fails its third
    `write` with ENOSPC (two 64 KiB chunks are on disk by then)."""

    def __init__(self) -> None:
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def fdopen(self, fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        file = os.fdopen(fd, mode, *args, **kwargs)
        real_write = file.write

        def write(data: bytes) -> int:
            self.writes += 1
            if self.writes == 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(data)

        file.write = write
        return file


@pytest.mark.django_db
def test_a_write_error_while_the_storage_streams_a_file_leaves_no_partial_file(storage, student, monkeypatch):
    """The other write path of FileSystemStorage: content without a temp file (scripts, the admin)
    is written chunk by chunk through the file object."""
    fake_os = _FailingWriteOS()
    monkeypatch.setattr("django.core.files.storage.filesystem.os", fake_os)
    content = ContentFile(_big_pdf(), name="week-1.pdf")

    with pytest.raises(OSError, match="No space left"):
        file_upload(uploader=student, upload=content)

    assert fake_os.writes == 3
    assert not UploadedFile.objects.exists()
    assert stored_files(storage) == [], "a partial file was left in the storage"


@pytest.fixture
def full_disk_storage(storage, settings):
    """The storage on a real 64 KiB tmpfs (the upload temp dir stays on the normal disk). Needs root
    and a kernel that lets this process mount; skipped otherwise."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={ROOM}", "lms-test-full", str(storage)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield storage
    finally:
        subprocess.run(["umount", "-l", str(storage)], check=False)


@pytest.mark.django_db
def test_a_really_full_disk_mid_upload_is_a_clean_500_and_leaves_nothing(
    full_disk_storage, settings, student
):
    response = client_for(student).post(UPLOAD, {"file": _pdf_upload()}, format="multipart")

    _assert_nothing_kept(response, full_disk_storage, Path(settings.FILE_UPLOAD_TEMP_DIR), student)
    assert shutil.disk_usage(full_disk_storage).used == 0


# --- 5. PDF rendering failure -----------------------------------------------------------------------


@pytest.fixture
def weasyprint_broken(monkeypatch):
    import weasyprint

    def write_pdf(self, *args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("cairo: out of memory")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", write_pdf)
    return monkeypatch


@pytest.mark.django_db
def test_a_failed_render_on_generate_keeps_the_certificate_and_the_sweep_renders_it(
    storage, student, weasyprint_broken, caplog, django_capture_on_commit_callbacks
):
    from certificates.tests.factories import CompletedEnrollmentFactory

    enrollment = CompletedEnrollmentFactory(student=student)
    client = client_for(student)
    caplog.set_level(logging.ERROR)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/certificates/enrollments/{enrollment.pk}/generate")

    assert response.status_code == 201, response.content
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert response.json()["certificate_number"] == certificate.certificate_number
    assert (certificate.status, certificate.pdf_key, certificate.pdf_rendered_at) == (
        CertificateStatus.VALID,
        "",
        None,
    )
    assert any(
        r.name == "lms.jobs" and "render_certificate_pdf_task" in r.getMessage() for r in caplog.records
    )

    # A download while rendering still fails: a clean 500, nothing stored, the row untouched.
    download = client.get(f"/api/v1/certificates/{certificate.pk}/download")
    assert (download.status_code, download.json()) == (500, GENERIC_500)
    _no_internals(download.content)
    assert stored_files(storage) == []

    weasyprint_broken.undo()
    assert certificate_tasks.render_missing_certificate_pdfs_task() == 1

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID and certificate.pdf_rendered_at is not None
    with default_storage.open(certificate.pdf_key, "rb") as stored:
        assert stored.read(5) == b"%PDF-"
    download = client.get(f"/api/v1/certificates/{certificate.pk}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_a_failed_render_on_completion_keeps_the_issued_certificate(
    storage, student, weasyprint_broken, django_capture_on_commit_callbacks
):
    course = CourseFactory(is_published=True)
    lesson = LessonFactory(course=course)
    enrollment = EnrollmentFactory(student=student, course=course)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(student).post(
            f"/api/v1/enrollments/{enrollment.pk}/lessons/{lesson.pk}/complete"
        )

    assert response.status_code == 200
    certificate = Certificate.objects.get(enrollment=enrollment)  # issued, committed before the render
    assert (certificate.status, certificate.pdf_key) == (CertificateStatus.VALID, "")
    enrollment.refresh_from_db()
    assert enrollment.certificate_issued_at == certificate.issued_at

    weasyprint_broken.undo()
    assert certificate_tasks.render_missing_certificate_pdfs_task() == 1
    certificate.refresh_from_db()
    with default_storage.open(certificate.pdf_key, "rb") as stored:
        assert stored.read(5) == b"%PDF-"
