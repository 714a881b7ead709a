"""Parallel uploads of one user near the end of their quota, on real PostgreSQL connections."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from accounts.tokens import issue_token_pair
from files.models import UploadedFile
from files.tests.conftest import stored_files
from files.tests.factories import PDF, UploadedFileFactory, upload
from lms_project.testing import postgres_only, run_concurrently

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

MIB = 1024 * 1024
THREADS = 10


def test_parallel_uploads_near_the_quota_end_store_exactly_what_fits(settings, storage_root):
    settings.UPLOAD_QUOTA_MB = 1
    student = StudentFactory()
    size = 100 * 1024
    UploadedFileFactory(uploader=student, content=None, file_size=MIB - 3 * size)  # room for exactly 3
    token = f"Bearer {issue_token_pair(student).access_token}"
    content = PDF + b"\x00" * (size - len(PDF))

    def request() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        return client.post(
            "/api/v1/files/upload", {"file": upload("part.pdf", content)}, format="multipart"
        ).status_code

    statuses = run_concurrently([request] * THREADS)

    assert sorted(statuses) == [201] * 3 + [413] * (THREADS - 3)
    files = UploadedFile.objects.filter(uploader=student)
    assert files.count() == 4
    assert files.aggregate(total=Sum("file_size"))["total"] == MIB
    # The refused uploads left no bytes behind (some were stored before the locked check said no).
    assert len(stored_files(storage_root)) == 3
