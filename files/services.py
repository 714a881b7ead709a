"""Uploading and deleting files: the bytes in the storage and the row that describes them, together.

Locks: `file_upload` holds the uploader's user row (`SELECT ... FOR NO KEY UPDATE`) while it checks
the quota and inserts the file row, so parallel uploads of one user cannot each pass a quota check that
only some of them fit. It takes no other lock, and the bytes are written before the lock is taken,
so a slow upload to S3 never holds a lock or an open transaction.

No half states: bytes written for a row that is then not committed are deleted at once; a deleted
row's bytes are removed after the deletion commits (bytes without a row waste space, a row without
bytes would be a broken download).
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile as IncomingFile
from django.db import transaction

from accounts.models import User
from lms_project.exceptions import ApplicationError
from lms_project.uploads import MIB, FileTooLarge, max_upload_bytes

from .content import clean_original_filename, content_matches, extension_of, file_type_for, mime_type_for
from .models import UploadedFile
from .selectors import storage_used
from .storage import file_storage, provider_of

logger = logging.getLogger("lms.files")

DEFAULT_FOLDER = "uploads"
MAX_FOLDER_LENGTH = 255
# Segments of letters, digits, "-" and "_", joined by "/": no "..", no leading "/", no empty segment.
_FOLDER = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")


def validate_folder(folder: str) -> str:
    if len(folder) > MAX_FOLDER_LENGTH or not _FOLDER.fullmatch(folder):
        message = (
            "Use letters, digits, '-', '_' and '/' between names (no '..', no leading '/', no empty "
            f"part), at most {MAX_FOLDER_LENGTH} characters."
        )
        raise ApplicationError(f"folder: {message}", code="invalid_folder", errors={"folder": [message]})
    return folder


def _refuse_file(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, errors={"file": [message]})


def _check_quota(user_id: object, size: int) -> None:
    quota = settings.UPLOAD_QUOTA_MB * MIB
    used = storage_used(user_id=user_id)
    if used + size > quota:
        raise ApplicationError(
            f"This upload would exceed your storage quota of {settings.UPLOAD_QUOTA_MB} MB "
            f"({used} of {quota} bytes used).",
            code="quota_exceeded",
            status=413,
        )


def _sha256(upload: IncomingFile) -> str:
    # Uploads through the API arrive hashed by the upload handler; other callers (tests, scripts) not.
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _delete_bytes(storage: Storage, key: str) -> None:
    try:
        storage.delete(key)
    except Exception:  # the row is gone either way; an orphan costs space, not correctness
        logger.exception("could not delete stored file %s", key)


def file_upload(
    *, uploader: User, upload: IncomingFile, folder: str = DEFAULT_FOLDER, is_public: bool = False
) -> UploadedFile:
    """Store `upload` for `uploader` and return its row. The caller checked `files:upload`.

    Refusals, all before anything is stored: 400 `invalid_folder`, `empty_file`,
    `extension_not_allowed`, `content_mismatch`; 413 `file_too_large`, `quota_exceeded`.
    The stored name is random (`<uuid hex>.<ext>` under `FILE_STORAGE_PREFIX/<folder>/`); the client's
    name is kept as metadata only. Must not run inside another transaction (the row has to be
    committed when this returns, or the bytes it keeps would have no row).
    """
    folder = validate_folder(folder)
    original = clean_original_filename(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise _refuse_file("The file is empty.", "empty_file")
    if size > max_upload_bytes():
        raise FileTooLarge()
    ext = extension_of(original)
    if ext not in settings.ALLOWED_UPLOAD_EXTENSIONS:
        allowed = ", ".join(settings.ALLOWED_UPLOAD_EXTENSIONS)
        raise _refuse_file(
            f"Files of this type are not accepted. Allowed: {allowed}.", "extension_not_allowed"
        )
    if not content_matches(ext, upload):
        raise _refuse_file(f"The file's content is not a .{ext} file.", "content_mismatch")
    # Unlocked first look, so a user over quota is refused before their bytes are stored.
    _check_quota(uploader.pk, size)

    checksum = getattr(upload, "sha256", None) or _sha256(upload)
    mime_type = mime_type_for(ext)
    # S3 and Azure store the object with the file object's content type: ours, not the client's.
    upload.content_type = mime_type
    storage = file_storage()
    filename = f"{uuid.uuid4().hex}.{ext}"
    name = f"{settings.FILE_STORAGE_PREFIX}/{folder}/{filename}"
    try:
        key = storage.save(name, upload, max_length=1024)
    except BaseException:
        # A write that fails part-way (disk full, connection lost) can leave the bytes written so far
        # (FileSystemStorage does). The name is a fresh random one, so whatever is there is ours.
        _delete_bytes(storage, name)
        raise
    try:
        with transaction.atomic(durable=True):
            # NO KEY UPDATE: serialises this user's uploads without blocking inserts that merely
            # reference the user (enrollments, tokens), which take KEY SHARE.
            User.objects.select_for_update(no_key=True).filter(pk=uploader.pk).values_list("pk").get()
            _check_quota(uploader.pk, size)
            return UploadedFile.objects.create(
                uploader=uploader,
                filename=filename,
                original_filename=original,
                storage_key=key,
                file_type=file_type_for(ext),
                mime_type=mime_type,
                file_size=size,
                folder=folder,
                is_public=is_public,
                storage_provider=provider_of(storage),
                checksum_sha256=checksum,
            )
    except BaseException:
        _delete_bytes(storage, key)
        raise


@transaction.atomic
def file_delete(*, file: UploadedFile) -> None:
    """Delete a file's row, then (after commit) its bytes. The caller checked that the actor is the
    uploader or holds `files:manage_any` (`selectors.file_get_managed`). Deleting twice is harmless."""
    UploadedFile.objects.filter(pk=file.pk).delete()
    storage, key = file_storage(), file.storage_key
    transaction.on_commit(lambda: _delete_bytes(storage, key))
