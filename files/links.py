"""Signed, expiring download links that work without a bearer header (`<video src>`, `<a href>`).

Local storage: the API's own download route with `?signature=<timestamp>:<mac>`, a Django
`TimestampSigner` signature (HMAC with `SECRET_KEY`, salted for this purpose) over the file id and
the time it was issued; the route checks it before (and instead of) authentication and refuses a
tampered one (403 `invalid_signature`) or one older than `FILE_DOWNLOAD_URL_EXPIRE_SECONDS` (403
`link_expired`). S3 and Azure: the cloud's own presigned / SAS URL with the same lifetime.

A link is only ever made for a caller who may download the file: authorise first, then sign.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.utils import timezone

from lms_project.exceptions import Forbidden

from .content import attachment_disposition
from .models import UploadedFile
from .storage import file_storage, is_local, remote_signed_url

SIGNATURE_PARAM = "signature"


class _DownloadSigner(signing.TimestampSigner):
    """A `TimestampSigner` that can sign as of a given time (`issued_at`, epoch seconds)."""

    def __init__(self, issued_at: int | None = None) -> None:
        super().__init__(salt="files.download-link")
        self.issued_at = issued_at

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) if self.issued_at is None else self.issued_at)


def sign_download(file_id: Any, *, issued_at: int | None = None) -> str:
    """The `signature` query value for a file: `<timestamp>:<mac>` (the id is in the path)."""
    signed = _DownloadSigner(issued_at).sign(str(file_id))
    return signed.removeprefix(f"{file_id}:")


def verify_download(file_id: Any, signature: str) -> None:
    """Raise 403 unless `signature` was made by `sign_download` for this file, and is still fresh."""
    try:
        value = _DownloadSigner().unsign(
            f"{file_id}:{signature}", max_age=settings.FILE_DOWNLOAD_URL_EXPIRE_SECONDS
        )
    except signing.SignatureExpired:
        raise Forbidden("This download link has expired. Ask for a new one.", code="link_expired") from None
    except signing.BadSignature:
        raise Forbidden("This download link is not valid.", code="invalid_signature") from None
    if value != str(file_id):
        raise Forbidden("This download link is not valid.", code="invalid_signature")


def remote_download_url(file: UploadedFile) -> str:
    """S3/Azure: a URL the cloud answers directly, with our MIME type and attachment disposition."""
    return remote_signed_url(
        file_storage(),
        file.storage_key,
        expire_seconds=settings.FILE_DOWNLOAD_URL_EXPIRE_SECONDS,
        content_type=file.mime_type,
        content_disposition=attachment_disposition(file.original_filename),
    )


def download_link(*, file: UploadedFile, request: Any) -> tuple[str, datetime]:
    """`(absolute url, expires_at)` for a file the caller was authorised to download."""
    lifetime = settings.FILE_DOWNLOAD_URL_EXPIRE_SECONDS
    if is_local(file_storage()):
        issued_at = int(time.time())
        query = urlencode({SIGNATURE_PARAM: sign_download(file.id, issued_at=issued_at)})
        url = request.build_absolute_uri(f"{file.file_url}?{query}")
        return url, datetime.fromtimestamp(issued_at + lifetime, tz=UTC)
    expires_at = timezone.now().replace(microsecond=0) + timedelta(seconds=lifetime)
    return remote_download_url(file), expires_at
