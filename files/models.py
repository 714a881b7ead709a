from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact


class FileType(models.TextChoices):
    VIDEO = "video", "Video"
    IMAGE = "image", "Image"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class StorageProvider(models.TextChoices):
    LOCAL = "local", "Local disk"
    S3 = "s3", "Amazon S3"
    AZURE = "azure", "Azure Blob Storage"


class UploadedFile(models.Model):
    """One uploaded file: the bytes live in the storage under `storage_key`, this row is the metadata.

    `filename` is the random name we stored it under; `original_filename` is what the client called
    it (metadata only, never a path). `storage_key` is never exposed: downloads go through the API.
    Rows are written by `files.services` only, which keeps bytes and row together.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a user with files is deactivated, never deleted with (or without) their files.
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploaded_files"
    )
    filename = models.CharField(max_length=255)
    original_filename = models.CharField(max_length=255)
    storage_key = models.CharField(max_length=1024, unique=True)
    file_type = models.CharField(max_length=20, choices=FileType.choices)
    mime_type = models.CharField(max_length=127)
    file_size = models.PositiveBigIntegerField()
    folder = models.CharField(max_length=255)
    is_public = models.BooleanField(default=False)
    storage_provider = models.CharField(max_length=20, choices=StorageProvider.choices)
    checksum_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(file_type__in=FileType.values), name="uploaded_file_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(storage_provider__in=StorageProvider.values),
                name="uploaded_file_provider_valid",
            ),
            # Empty uploads are refused (`empty_file`); a row always describes real bytes.
            models.CheckConstraint(condition=Q(file_size__gte=1), name="uploaded_file_size_positive"),
            models.CheckConstraint(
                condition=Exact(Length("checksum_sha256"), 64), name="uploaded_file_checksum_hex64"
            ),
            models.CheckConstraint(
                condition=~Q(filename="") & ~Q(original_filename="") & ~Q(mime_type=""),
                name="uploaded_file_names_present",
            ),
            # The service validates folders fully; these keep a raw insert from escaping the prefix.
            models.CheckConstraint(
                condition=~Q(folder="") & ~Q(folder__startswith="/") & ~Q(folder__contains=".."),
                name="uploaded_file_folder_relative",
            ),
        ]
        indexes = [
            # my-files (newest first) and the quota SUM over a user's files.
            models.Index(fields=["uploader", "-created_at"], name="uploaded_file_owner_newest_idx"),
            # my-files filtered by type or folder.
            models.Index(
                fields=["uploader", "file_type", "-created_at"], name="uploaded_file_owner_type_idx"
            ),
            models.Index(fields=["uploader", "folder", "-created_at"], name="uploaded_file_owner_folder_idx"),
        ]

    def __str__(self) -> str:
        return self.original_filename

    @property
    def file_url(self) -> str:
        """The API path that serves the bytes (after checking who asks)."""
        return f"{settings.API_V1_PREFIX}/files/download/{self.id}"
