"""GET /files/my-files and DELETE /files/{id} (contract section 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import client_for
from files.models import FileType, UploadedFile
from files.tests.conftest import stored_files
from files.tests.factories import MP4, PDF, UploadedFileFactory

pytestmark = pytest.mark.django_db

MY_FILES = "/api/v1/files/my-files"


def _aged(file: UploadedFile, minutes: int) -> UploadedFile:
    UploadedFile.objects.filter(pk=file.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return file


def _ids(response) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


# --- my-files --------------------------------------------------------------------------------------


def test_my_files_lists_only_my_files_newest_first(student, other_student, student_client):
    old = _aged(UploadedFileFactory(uploader=student), 30)
    new = _aged(UploadedFileFactory(uploader=student), 5)
    UploadedFileFactory(uploader=other_student, is_public=True)

    response = student_client.get(MY_FILES)

    assert response.status_code == 200
    body = response.json()
    assert _ids(response) == [str(new.id), str(old.id)]
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (2, 1, 20, 1)
    item = body["items"][0]
    assert set(item) == {
        "id",
        "filename",
        "original_filename",
        "file_url",
        "file_type",
        "mime_type",
        "file_size",
        "folder",
        "is_public",
        "storage_provider",
        "checksum_sha256",
        "created_at",
    }
    assert item["file_url"] == f"/api/v1/files/download/{new.id}"


def test_my_files_is_paginated_with_link_headers(student, student_client):
    files = [_aged(UploadedFileFactory(uploader=student, content=None), minutes) for minutes in range(5)]

    response = student_client.get(MY_FILES, {"page": 2, "page_size": 2})

    body = response.json()
    assert _ids(response) == [str(files[2].id), str(files[3].id)]
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (5, 2, 2, 3)
    assert 'rel="prev"' in response["Link"] and 'rel="next"' in response["Link"]
    assert student_client.get(MY_FILES, {"page": 9}).json()["items"] == []
    assert student_client.get(MY_FILES, {"page": 0}).status_code == 400


def test_my_files_filters_by_type_and_folder(student, student_client):
    video = UploadedFileFactory(uploader=student, content=MP4, file_type=FileType.VIDEO, folder="lectures")
    doc = UploadedFileFactory(uploader=student, folder="lectures")
    UploadedFileFactory(uploader=student, folder="lectures/extra")

    assert _ids(student_client.get(MY_FILES, {"file_type": "video"})) == [str(video.id)]
    assert set(_ids(student_client.get(MY_FILES, {"folder": "lectures"}))) == {str(video.id), str(doc.id)}
    assert _ids(student_client.get(MY_FILES, {"folder": "lectures", "file_type": "document"})) == [
        str(doc.id)
    ]

    response = student_client.get(MY_FILES, {"file_type": "spreadsheet"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_my_files_costs_the_same_queries_for_any_number_of_files(
    student, student_client, django_assert_num_queries
):
    UploadedFileFactory.create_batch(2, uploader=student, content=None)
    with django_assert_num_queries(3):  # the caller (+ deny-list EXISTS), COUNT, the page of files
        assert student_client.get(MY_FILES).status_code == 200

    UploadedFileFactory.create_batch(15, uploader=student, content=None)
    with django_assert_num_queries(3):
        response = student_client.get(MY_FILES, {"file_type": "document"})
    assert response.json()["total"] == 17


def test_my_files_needs_authentication(api_client):
    response = api_client.get(MY_FILES)
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


# --- delete ----------------------------------------------------------------------------------------


def test_the_uploader_deletes_the_bytes_and_the_record(
    student, student_client, storage_root, django_capture_on_commit_callbacks
):
    file = UploadedFileFactory(uploader=student, content=PDF)
    kept = UploadedFileFactory(uploader=student, content=PDF)
    assert (storage_root / file.storage_key).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.delete(f"/api/v1/files/{file.id}")

    assert response.status_code == 204
    assert not UploadedFile.objects.filter(pk=file.pk).exists()
    assert stored_files(storage_root) == [storage_root / kept.storage_key]
    assert student_client.get(f"/api/v1/files/download/{file.id}").status_code == 404
    assert student_client.delete(f"/api/v1/files/{file.id}").status_code == 404


def test_an_admin_deletes_anyones_file(
    admin_client, student, storage_root, django_capture_on_commit_callbacks
):
    file = UploadedFileFactory(uploader=student, content=PDF)

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.delete(f"/api/v1/files/{file.id}").status_code == 204

    assert not UploadedFile.objects.exists()
    assert stored_files(storage_root) == []


def test_someone_elses_public_file_is_readable_but_not_deletable(other_student, student, storage_root):
    file = UploadedFileFactory(uploader=student, is_public=True, content=PDF)

    response = client_for(other_student).delete(f"/api/v1/files/{file.id}")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert UploadedFile.objects.filter(pk=file.pk).exists()
    assert (storage_root / file.storage_key).exists()


def test_bytes_are_kept_until_the_deletion_commits(student, student_client, storage_root):
    file = UploadedFileFactory(uploader=student, content=PDF)

    # The test's transaction never commits: the row is gone for the request, the bytes wait.
    assert student_client.delete(f"/api/v1/files/{file.id}").status_code == 204

    assert (storage_root / file.storage_key).exists()


def test_deleting_frees_quota(settings, student, student_client, django_capture_on_commit_callbacks):
    settings.UPLOAD_QUOTA_MB = 1
    file = UploadedFileFactory(uploader=student, content=None, file_size=1024 * 1024)
    from files.tests.factories import upload

    assert (
        student_client.post("/api/v1/files/upload", {"file": upload()}, format="multipart").status_code == 413
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert student_client.delete(f"/api/v1/files/{file.id}").status_code == 204
    assert (
        student_client.post("/api/v1/files/upload", {"file": upload()}, format="multipart").status_code == 201
    )
