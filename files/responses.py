"""HTTP responses that carry a file's bytes (local storage) or send the client to the cloud (S3/Azure).

Every download is an attachment with the stored MIME type (derived from the checked extension, never
the uploader's claim), `nosniff`, and a sandboxing CSP, so an uploaded HTML or SVG file can never run
as a page of our origin. Local files stream in chunks (`FileResponse`, `sendfile` under gunicorn);
a single byte range (`Range: bytes=a-b`) is honoured, which video players need to seek (Safari
will not play a video from a server without it).
"""

from __future__ import annotations

import logging
import re
from typing import IO, Any

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase

from lms_project.exceptions import ApplicationError, NotFound

from .content import attachment_disposition
from .links import remote_download_url
from .models import UploadedFile
from .storage import file_storage

logger = logging.getLogger("lms.files")

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private",
}


class _Slice:
    """A read-only window `[start, start + length)` of a file, for `FileResponse`. Deliberately no
    `fileno()`: a server's sendfile would send the whole file instead of the window."""

    def __init__(self, handle: IO[bytes], start: int, length: int) -> None:
        handle.seek(start)
        self.handle = handle
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """`(first, last)` byte positions of a single `Range: bytes=...` request, or None to send the
    whole file (no header, several ranges, or one we do not understand: RFC 9110 lets us ignore it).
    Raises 416 `range_not_satisfiable` for a range that starts past the end."""
    match = _RANGE.match((header or "").strip())
    if not match or (not match[1] and not match[2]):
        return None
    if not match[1]:  # "bytes=-500": the last 500 bytes
        suffix = int(match[2])
        if suffix == 0:
            raise _unsatisfiable(size)
        return max(size - suffix, 0), size - 1
    first = int(match[1])
    if match[2] and int(match[2]) < first:
        return None  # "bytes=9-5" is invalid: ignored
    if first >= size:
        raise _unsatisfiable(size)
    return first, min(int(match[2]), size - 1) if match[2] else size - 1


def _unsatisfiable(size: int) -> ApplicationError:
    return ApplicationError(
        "The requested range is outside the file.",
        code="range_not_satisfiable",
        status=416,
        headers={"Content-Range": f"bytes */{size}"},
    )


def local_file_response(request: Any, file: UploadedFile) -> HttpResponseBase:
    try:
        handle = file_storage().open(file.storage_key, "rb")
    except FileNotFoundError:
        logger.error("file %s: bytes missing from storage (%s)", file.id, file.storage_key)
        raise NotFound("File not found.") from None
    try:
        size = handle.size
        span = byte_range(request.headers.get("Range"), size)
    except BaseException:
        handle.close()
        raise
    if span is None:
        response = FileResponse(handle, content_type=file.mime_type)
        response["Content-Length"] = str(size)
    else:
        first, last = span
        response = FileResponse(
            _Slice(handle, first, last - first + 1), status=206, content_type=file.mime_type
        )
        response["Content-Length"] = str(last - first + 1)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = attachment_disposition(file.original_filename)
    for name, value in DOWNLOAD_HEADERS.items():
        response[name] = value
    return response


def remote_redirect_response(file: UploadedFile) -> HttpResponse:
    """307 to a presigned S3 / Azure SAS URL valid `FILE_DOWNLOAD_URL_EXPIRE_SECONDS`. Not cacheable:
    a cached redirect would outlive its signature."""
    response = HttpResponse(status=307)
    response["Location"] = remote_download_url(file)
    response["Cache-Control"] = "no-store"
    return response
