"""Uploaded files in the Django admin: a read-only register for admins.

Files are created by uploads through the API (which streams, checks and hashes them); the admin
only looks them up (by the owner's e-mail or the original name) and deletes them, through
`file_delete` like the API, which removes the stored bytes after the row. Instructors hold no right
on files here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from . import services
from .models import UploadedFile


@admin.register(UploadedFile)
class UploadedFileAdmin(admin.ModelAdmin):
    list_display = (
        "original_filename",
        "uploader_email",
        "file_type",
        "size",
        "folder",
        "is_public",
        "storage_provider",
        "created_at",
    )
    list_filter = ("file_type", "storage_provider", "is_public")
    search_fields = ("uploader__email", "original_filename")
    list_select_related = ("uploader",)
    raw_id_fields = ("uploader",)
    ordering = ("-created_at",)
    fields = (
        "id",
        "original_filename",
        "download",
        "uploader",
        "file_type",
        "mime_type",
        "size",
        "folder",
        "is_public",
        "storage_provider",
        "filename",
        "storage_key",
        "checksum_sha256",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through the API, which checks size, type, content and quota

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Uploader", ordering="uploader__email")
    def uploader_email(self, obj: UploadedFile) -> str:
        return obj.uploader.email

    @admin.display(description="Size", ordering="file_size")
    def size(self, obj: UploadedFile) -> str:
        return filesizeformat(obj.file_size)

    @admin.display(description="Download")
    def download(self, obj: UploadedFile) -> str:
        return format_html('<a href="{}">{}</a>', obj.file_url, obj.file_url)

    def delete_model(self, request: HttpRequest, obj: UploadedFile) -> None:
        services.file_delete(file=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[UploadedFile]) -> None:
        for file in queryset:
            services.file_delete(file=file)
