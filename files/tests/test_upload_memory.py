"""Uploads over MAX_UPLOAD_MB are refused with 413 while streaming, in small, constant memory.

The request goes through Django's real WSGI handler (as under gunicorn) with the multipart body read
from a file on disk (`wsgi.input`), so nothing in the test itself holds the body in memory; the
body file is sparse, so making it costs neither time nor disk. tracemalloc measures the peak of
Python memory during the request.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import orjson
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from accounts.tokens import issue_token_pair
from files.models import UploadedFile
from files.tests.conftest import stored_files
from files.tests.factories import MP4

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
BOUNDARY = "lms-test-boundary-7MA4YWxkTrZu0gW"
PEAK_LIMIT = 20 * MIB


def _write_multipart_body(path: Path, file_size: int) -> int:
    """A multipart body with a `file` part of `file_size` bytes (an MP4 header, then zeros)."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="folder"\r\n\r\nlectures\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="lecture.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    with path.open("wb") as body:
        body.write(head + MP4)
        body.seek(len(head) + file_size)  # a hole: zeros that are never written
        body.write(tail)
    return path.stat().st_size


class CountingReader:
    """`wsgi.input` that remembers how many bytes the application read."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.stream.readline(size)
        self.read_bytes += len(data)
        return data


@contextmanager
def _keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes "old" database connections around each request; the test's
    connection holds the test transaction, so (like Django's test client) keep it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _post_through_wsgi(body_path: Path, size: int, token: str) -> tuple[int, dict, int, int]:
    """POST the body file to /api/v1/files/upload; return (status, json, bytes read, peak memory)."""
    statuses: list[str] = []
    with body_path.open("rb") as raw, _keep_test_connection():
        wsgi_input = CountingReader(raw)
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/files/upload",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "testserver",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(size),
            "wsgi.input": wsgi_input,
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        handler = WSGIHandler()
        # Warm up (URL conf, views, DRF imports) outside the measurement: an anonymous empty POST.
        warm_up = {**environ, "CONTENT_LENGTH": "0", "wsgi.input": CountingReader(raw)}
        del warm_up["HTTP_AUTHORIZATION"]
        handler(warm_up, lambda status, headers, exc_info=None: None).close()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            result = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
            try:
                content = b"".join(result)
            finally:
                result.close()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return int(statuses[0].split()[0]), orjson.loads(content), wsgi_input.read_bytes, peak


@pytest.mark.parametrize(
    ("file_size", "refused_before_reading"),
    [
        # 150 MiB: the declared Content-Length already says no; nothing is read.
        (150 * MIB, True),
        # One byte over the limit: the body passes the Content-Length pre-check, so this is the
        # count of received bytes stopping the upload (after the limit, before the end).
        (100 * MIB + 1, False),
    ],
    ids=["150MB-declared", "limit-plus-one-streamed"],
)
def test_an_upload_over_the_limit_is_refused_with_413_in_small_memory(
    settings, student, tmp_path, storage_root, upload_tmp, file_size, refused_before_reading
):
    settings.MAX_UPLOAD_MB = 100
    body_path = tmp_path / "body.multipart"
    size = _write_multipart_body(body_path, file_size)

    status, body, read, peak = _post_through_wsgi(body_path, size, issue_token_pair(student).access_token)

    assert (status, body["code"]) == (413, "file_too_large")
    assert peak < PEAK_LIMIT, f"peak traced memory {peak / MIB:.1f} MiB"
    if refused_before_reading:
        assert read == 0
    else:
        assert 100 * MIB <= read < 101 * MIB  # stopped at the limit, not after the whole body
    assert not UploadedFile.objects.exists()
    assert stored_files(storage_root) == []
    assert list(upload_tmp.iterdir()) == []


def test_the_same_path_accepts_a_file_within_the_limit(settings, student, tmp_path, storage_root):
    settings.MAX_UPLOAD_MB = 2
    body_path = tmp_path / "body.multipart"
    size = _write_multipart_body(body_path, 2 * MIB)

    status, body, read, peak = _post_through_wsgi(body_path, size, issue_token_pair(student).access_token)

    assert status == 201, body
    assert read == size
    assert (body["file_size"], body["folder"], body["file_type"]) == (2 * MIB, "lectures", "video")
    assert stored_files(storage_root)[0].stat().st_size == 2 * MIB
    assert peak < PEAK_LIMIT
