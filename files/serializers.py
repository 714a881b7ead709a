"""Shapes of the files API (contract section 8)."""

from __future__ import annotations

from rest_framework import serializers

from lms_project.serializers import InputSerializer

from .models import FileType, StorageProvider
from .services import DEFAULT_FOLDER


class UploadedFileOut(serializers.Serializer):
    id = serializers.UUIDField()
    filename = serializers.CharField(help_text="The random name the file is stored under.")
    original_filename = serializers.CharField(help_text="The uploader's file name (metadata only).")
    file_url = serializers.CharField(help_text="API path that downloads the file (after access checks).")
    file_type = serializers.ChoiceField(choices=FileType.choices)
    mime_type = serializers.CharField()
    file_size = serializers.IntegerField(help_text="Bytes.")
    folder = serializers.CharField()
    is_public = serializers.BooleanField()
    storage_provider = serializers.ChoiceField(choices=StorageProvider.choices)
    checksum_sha256 = serializers.CharField(help_text="SHA-256 of the bytes, lower-case hex.")
    created_at = serializers.DateTimeField()


class FileUploadIn(InputSerializer):
    # Emptiness, size, type and content are the service's rules, with their own error codes.
    file = serializers.FileField(allow_empty_file=True, help_text="The file (multipart part named `file`).")
    folder = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default=DEFAULT_FOLDER,
        help_text="Letters, digits, '-', '_' and '/' between names; no '..', no leading '/'. "
        f"Default (also when blank): {DEFAULT_FOLDER}.",
    )
    is_public = serializers.BooleanField(
        required=False, default=False, help_text="Public files can be downloaded by anyone, even anonymously."
    )

    def validate_folder(self, value: str) -> str:
        return value or DEFAULT_FOLDER


class FileListQuery(InputSerializer):
    file_type = serializers.ChoiceField(choices=FileType.choices, required=False)
    folder = serializers.CharField(required=False, max_length=255)


class DownloadUrlOut(serializers.Serializer):
    url = serializers.CharField(help_text="Absolute URL; works without an Authorization header.")
    expires_at = serializers.DateTimeField()
