"""Reads of uploaded files, scoped to the caller.

Who may see a file (contract section 8): its uploader, admins (`files:manage_any`), and anyone, even
anonymous, when it `is_public`. Everybody else gets a 404, exactly as if it did not exist. Deleting
needs the uploader or an admin; a public file someone else may read but not delete is a 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Sum

from accounts.permissions import Perm, user_has_permission
from lms_project.exceptions import Forbidden, NotFound

from .models import UploadedFile


def can_manage(user: Any, file: UploadedFile) -> bool:
    """The uploader and admins manage a file (download it, link it, delete it)."""
    if not (user and user.is_authenticated):
        return False
    return file.uploader_id == user.pk or user_has_permission(user, Perm.FILES_MANAGE_ANY)


def file_list(
    *, user: Any, file_type: str | None = None, folder: str | None = None
) -> QuerySet[UploadedFile]:
    """The caller's own uploads, newest first (admins too: "my files" means mine)."""
    qs = UploadedFile.objects.filter(uploader_id=user.pk)
    if file_type:
        qs = qs.filter(file_type=file_type)
    if folder:
        qs = qs.filter(folder=folder)
    return qs.order_by("-created_at", "-id")


def file_get(*, file_id: Any, user: Any) -> UploadedFile:
    """A file the caller may download: theirs, any file for an admin, or a public one (404 otherwise)."""
    visible = Q(is_public=True)
    if user and user.is_authenticated:
        if user_has_permission(user, Perm.FILES_MANAGE_ANY):
            visible = Q()
        else:
            visible |= Q(uploader_id=user.pk)
    file = UploadedFile.objects.filter(visible, pk=file_id).first()
    if file is None:
        raise NotFound("File not found.")
    return file


def file_get_signed(*, file_id: Any) -> UploadedFile:
    """A file reached through a verified signed link (`links.verify_download`): the link was only
    issued to a caller allowed to download it, so it is the credential. 404 once the file is deleted."""
    file = UploadedFile.objects.filter(pk=file_id).first()
    if file is None:
        raise NotFound("File not found.")
    return file


def file_get_managed(*, file_id: Any, user: Any) -> UploadedFile:
    """A file the caller may delete: 404 when they cannot even see it, 403 when they only can see it
    (someone else's public file)."""
    file = file_get(file_id=file_id, user=user)
    if not can_manage(user, file):
        raise Forbidden("Only the uploader or an admin may do this.")
    return file


def storage_used(*, user_id: Any) -> int:
    """Bytes stored by a user (what counts against `UPLOAD_QUOTA_MB`)."""
    return UploadedFile.objects.filter(uploader_id=user_id).aggregate(total=Sum("file_size"))["total"] or 0
