"""Streaming multipart upload handler: size limit, SHA-256 and a temp file, chunk by chunk.

Django's default handlers keep files under 2.5 MB in memory and write larger ones to a temp file
without any limit, and DRF parses multipart bodies for every view that lists `MultiPartParser`
(ours is a default parser). This handler, set globally in `FILE_UPLOAD_HANDLERS`, replaces both:

- a request whose `Content-Length` already says it is too large is refused before a byte is read;
- otherwise the file bytes are counted as they arrive and the upload is aborted the moment they pass
  `MAX_UPLOAD_MB`, so a client can never make us store (or hold in memory) more than that;
- the SHA-256 is computed on the way, so nobody reads the file a second time to checksum it;
- every chunk goes straight to a named temp file, which `FileSystemStorage` then moves (renames)
  into place and S3/Azure upload in parts. At most one chunk (64 KiB) is in memory at a time.

Only the first file part named `file` is kept: other file parts are skipped (their bytes are read
and dropped, never stored), so a request cannot stash files the view does not look at.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from .exceptions import ApplicationError

MIB = 1024 * 1024
UPLOAD_FIELD = "file"
# Room in the request body for the multipart boundaries, part headers and the small form fields
# (`folder`, `is_public`) next to the file.
MULTIPART_OVERHEAD_BYTES = 1 * MIB


def max_upload_bytes() -> int:
    """`MAX_UPLOAD_MB` in bytes (MB means MiB, as the contract says)."""
    return settings.MAX_UPLOAD_MB * MIB


class FileTooLarge(ApplicationError, RequestDataTooBig):
    """413 `file_too_large`. Also a `RequestDataTooBig`, so a multipart body parsed outside DRF
    (a plain Django view) is still refused (400 by Django) instead of becoming a 500."""

    def __init__(self) -> None:
        super().__init__(
            f"The file is larger than the {settings.MAX_UPLOAD_MB} MB limit.",
            code="file_too_large",
            status=413,
        )


class HashedTemporaryUploadedFile(TemporaryUploadedFile):
    """An upload on disk with the SHA-256 of its bytes (hex), computed while it was received."""

    sha256: str | None = None


class StreamingUploadHandler(FileUploadHandler):
    chunk_size = 64 * 1024

    # `self.file` exists only while the kept file is being received: Django's parser closes (and so
    # deletes) `handler.file` whenever it skips a part, which must not hit a completed upload.
    file: HashedTemporaryUploadedFile

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.max_bytes = max_upload_bytes()
        self.received = 0
        self.kept = False
        self.hasher = hashlib.sha256()

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        # The declared length is a cheap early refusal; the real guard is the count in
        # `receive_data_chunk`, which does not trust the header.
        if content_length and content_length > self.max_bytes + MULTIPART_OVERHEAD_BYTES:
            raise FileTooLarge()
        return None  # let Django's parser read the parts

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != UPLOAD_FIELD or self.kept:
            raise SkipFile()
        self.kept = True
        self.file = HashedTemporaryUploadedFile(self.file_name, self.content_type, 0, self.charset)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self._discard()  # Django's parser closes only completed files on errors
            raise FileTooLarge()
        self.hasher.update(raw_data)
        self.file.write(raw_data)
        return None  # consumed: no later handler sees the chunk

    def file_complete(self, file_size: int) -> HashedTemporaryUploadedFile:
        upload = self.file
        del self.file
        upload.flush()
        upload.seek(0)
        upload.size = file_size
        upload.sha256 = self.hasher.hexdigest()
        return upload

    def upload_interrupted(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if hasattr(self, "file"):
            self.file.close()  # a NamedTemporaryFile: closing deletes it
            del self.file
