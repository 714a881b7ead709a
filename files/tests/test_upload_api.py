"""POST /files/upload (contract section 8): the stored file, its record, and every refusal, each
leaving nothing behind (no bytes in the storage, no temp file, no row)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from conftest import client_for
from files.models import UploadedFile
from files.tests.conftest import stored_files
from files.tests.factories import (
    AVI,
    DOC,
    JPEG,
    LINUX_ELF,
    MOV,
    MP4,
    PDF,
    PNG,
    WINDOWS_EXE,
    UploadedFileFactory,
    docx,
    upload,
)

pytestmark = pytest.mark.django_db

UPLOAD = "/api/v1/files/upload"
MIB = 1024 * 1024


def _post(client: APIClient, **data):
    return client.post(UPLOAD, data, format="multipart")


def _nothing_left(storage_root: Path, upload_tmp: Path) -> None:
    assert stored_files(storage_root) == []
    assert list(upload_tmp.iterdir()) == []
    assert not UploadedFile.objects.exists()


# --- success ---------------------------------------------------------------------------------------


def test_an_upload_is_stored_under_a_random_name_with_its_record(student, student_client, storage_root):
    response = _post(student_client, file=upload("Week 1 notes.pdf", PDF), folder="courses/python-101")

    assert response.status_code == 201
    file = UploadedFile.objects.get()
    body = response.json()
    assert body == {
        "id": str(file.id),
        "filename": file.filename,
        "original_filename": "Week 1 notes.pdf",
        "file_url": f"/api/v1/files/download/{file.id}",
        "file_type": "document",
        "mime_type": "application/pdf",
        "file_size": len(PDF),
        "folder": "courses/python-101",
        "is_public": False,
        "storage_provider": "local",
        "checksum_sha256": hashlib.sha256(PDF).hexdigest(),
        "created_at": file.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", file.filename)
    assert file.uploader == student
    assert file.storage_key == f"files/courses/python-101/{file.filename}"
    assert "storage_key" not in body
    # The bytes are on disk under the random name, exactly as sent; the client's name is nowhere.
    assert stored_files(storage_root) == [storage_root / file.storage_key]
    assert (storage_root / file.storage_key).read_bytes() == PDF


def test_folder_defaults_to_uploads_and_is_public_to_false(student_client):
    body = _post(student_client, file=upload()).json()
    assert (body["folder"], body["is_public"]) == ("uploads", False)

    body = _post(student_client, file=upload(), folder="", is_public="true").json()
    assert (body["folder"], body["is_public"]) == ("uploads", True)


@pytest.mark.parametrize(
    ("name", "content", "file_type", "mime_type"),
    [
        ("lecture.mp4", MP4, "video", "video/mp4"),
        ("clip.MOV", MOV, "video", "video/quicktime"),
        ("old.avi", AVI, "video", "video/x-msvideo"),
        ("photo.jpg", JPEG, "image", "image/jpeg"),
        ("photo.jpeg", JPEG, "image", "image/jpeg"),
        ("diagram.png", PNG, "image", "image/png"),
        ("essay.doc", DOC, "document", "application/msword"),
        (
            "essay.docx",
            docx(),
            "document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_each_allowed_format_is_accepted_with_its_type(student_client, name, content, file_type, mime_type):
    # The client's Content-Type is ignored: the stored MIME type comes from the checked extension.
    response = _post(student_client, file=upload(name, content, content_type="text/html"))

    assert response.status_code == 201, response.json()
    assert (response.json()["file_type"], response.json()["mime_type"]) == (file_type, mime_type)


def test_every_role_may_upload(instructor, admin):
    for user in (instructor, admin):
        assert _post(client_for(user), file=upload()).status_code == 201
    assert UploadedFile.objects.count() == 2


@pytest.mark.security
@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Résumé \u202e\u0007final.pdf", "Résumé final.pdf"),
        ("../../etc/evil.pdf", "evil.pdf"),
        ("C:\\Users\\sam\\evil.pdf", "evil.pdf"),
    ],
)
def test_the_original_name_is_kept_only_as_clean_metadata(student_client, storage_root, sent, kept):
    response = _post(student_client, file=upload(sent))

    file = UploadedFile.objects.get()
    assert response.json()["original_filename"] == kept == file.original_filename
    assert stored_files(storage_root) == [storage_root / "files" / "uploads" / file.filename]


def test_only_the_file_part_named_file_is_stored(student_client, storage_root):
    response = student_client.post(
        UPLOAD,
        {"other": upload("other.pdf"), "file": upload("kept.pdf"), "folder": "x"},
        format="multipart",
    )

    assert response.status_code == 201
    assert response.json()["original_filename"] == "kept.pdf"
    assert len(stored_files(storage_root)) == 1


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.security
def test_an_anonymous_upload_is_refused_before_the_body_is_read(api_client, storage_root, upload_tmp):
    response = _post(api_client, file=upload())

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    _nothing_left(storage_root, upload_tmp)


def test_a_json_body_is_unsupported(student_client):
    response = student_client.post(UPLOAD, {"file": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_a_request_without_a_file_is_invalid(student_client):
    response = _post(student_client, folder="x")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "file" in response.json()["errors"]


def test_an_empty_file_is_refused(student_client, storage_root, upload_tmp):
    response = _post(student_client, file=upload("empty.pdf", b""))

    assert response.status_code == 400
    assert response.json()["code"] == "empty_file"
    _nothing_left(storage_root, upload_tmp)
    assert _post(student_client, file=upload("full.pdf", PDF)).status_code == 201


@pytest.mark.security
@pytest.mark.parametrize(
    "name", ["program.exe", "page.html", "image.svg", "README", "notes.pdf.", "a.tar.gz"]
)
def test_an_extension_outside_the_allowed_list_is_refused(student_client, storage_root, upload_tmp, name):
    response = _post(student_client, file=upload(name, PDF))

    assert response.status_code == 400
    assert response.json()["code"] == "extension_not_allowed"
    assert "file" in response.json()["errors"]
    _nothing_left(storage_root, upload_tmp)


@pytest.mark.security
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", WINDOWS_EXE),
        ("invoice.pdf", LINUX_ELF),
        ("photo.png", JPEG),
        ("photo.jpg", PNG),
        ("movie.mp4", PDF),
        ("movie.avi", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32),
        ("essay.doc", docx()),
        ("essay.docx", docx(with_word_part=False)),
        ("essay.docx", b"PK\x03\x04 not really a zip"),
        ("clip.mov", WINDOWS_EXE),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(
    student_client, storage_root, upload_tmp, name, content
):
    response = _post(student_client, file=upload(name, content))

    assert response.status_code == 400
    assert response.json()["code"] == "content_mismatch"
    _nothing_left(storage_root, upload_tmp)


@pytest.mark.security
@pytest.mark.parametrize(
    "folder",
    ["../x", "/abs", "a//b", "a/", "a/../b", "a/./b", "a b", "a\\b", "naïve", "x" * 256, "a/" * 127 + "ab"],
)
def test_a_folder_that_could_escape_or_is_not_plain_is_refused(
    student_client, storage_root, upload_tmp, folder
):
    response = _post(student_client, file=upload(), folder=folder)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_folder"
    assert "folder" in response.json()["errors"]
    _nothing_left(storage_root, upload_tmp)


def test_the_longest_plain_folder_is_accepted(student_client):
    folder = "a/" * 126 + "abc"
    assert len(folder) == 255
    assert _post(student_client, file=upload(), folder=folder).status_code == 201


@pytest.mark.security
def test_a_file_over_the_limit_is_refused_while_streaming(settings, student_client, storage_root, upload_tmp):
    settings.MAX_UPLOAD_MB = 1
    # The body is small enough to pass the Content-Length pre-check: the count of received bytes stops it.
    response = _post(student_client, file=upload("big.pdf", PDF + b"\x00" * (MIB + 1 - len(PDF))))

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    _nothing_left(storage_root, upload_tmp)

    assert _post(student_client, file=upload("max.pdf", PDF + b"\x00" * (MIB - len(PDF)))).status_code == 201


@pytest.mark.security
def test_a_body_declared_larger_than_the_limit_is_refused_before_reading(settings, student_client):
    settings.MAX_UPLOAD_MB = 1
    response = _post(student_client, file=upload("big.pdf", PDF + b"\x00" * (3 * MIB)))

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"


@pytest.mark.security
def test_an_upload_over_the_quota_is_refused_and_nothing_is_left_behind(
    settings, student, student_client, storage_root, upload_tmp
):
    settings.UPLOAD_QUOTA_MB = 1
    UploadedFileFactory(uploader=student, content=None, file_size=MIB - 100)
    before = stored_files(storage_root)

    response = _post(student_client, file=upload("notes.pdf", PDF + b"\x00" * 100))

    assert response.status_code == 413
    assert response.json()["code"] == "quota_exceeded"
    assert stored_files(storage_root) == before
    assert list(upload_tmp.iterdir()) == []
    assert UploadedFile.objects.count() == 1

    # What still fits is accepted; other users have their own quota.
    assert _post(student_client, file=upload("small.pdf", PDF)).status_code == 201


def test_the_quota_counts_only_the_uploaders_files(settings, student, other_student):
    settings.UPLOAD_QUOTA_MB = 1
    UploadedFileFactory(uploader=other_student, content=None, file_size=MIB)
    assert _post(client_for(student), file=upload()).status_code == 201


def test_when_the_record_cannot_be_written_the_stored_bytes_are_removed(
    student_client, storage_root, upload_tmp, monkeypatch
):
    """A failure after the bytes are written (here the database refuses the row) deletes them."""
    from django.db import IntegrityError

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(UploadedFile.objects, "create", refuse)
    response = _post(student_client, file=upload())

    assert (response.status_code, response.json()["code"]) == (500, "server_error")
    _nothing_left(storage_root, upload_tmp)


@pytest.mark.security
def test_an_html_upload_is_possible_only_when_allowed(settings, student_client):
    html = b"<!doctype html><script>alert(document.cookie)</script>"
    assert _post(student_client, file=upload("page.html", html)).json()["code"] == "extension_not_allowed"

    settings.ALLOWED_UPLOAD_EXTENSIONS = [*settings.ALLOWED_UPLOAD_EXTENSIONS, "html"]
    response = _post(student_client, file=upload("page.html", html))
    assert (response.status_code, response.json()["mime_type"]) == (201, "text/html")
    # Binary bytes are not text, whatever the name says.
    assert _post(student_client, file=upload("page.html", WINDOWS_EXE)).json()["code"] == "content_mismatch"


def test_an_upload_with_a_trailing_slash_works_too(student_client):
    response = student_client.post(f"{UPLOAD}/", {"file": upload()}, format="multipart")
    assert response.status_code == 201


def test_a_simple_uploaded_file_without_the_handler_hash_is_hashed_by_the_service(student):
    from files.services import file_upload

    file = file_upload(uploader=student, upload=SimpleUploadedFile("a.pdf", PDF))
    assert file.checksum_sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_too_large_multipart_body_outside_the_api_is_a_400_not_a_500(settings, client):
    """The upload handler is global: a plain Django view (the admin login) reading a multipart body
    over the limit answers Django's 400 for a too-large request."""
    settings.MAX_UPLOAD_MB = 1
    response = client.post("/admin/login/", {"file": upload("big.pdf", PDF + b"\x00" * (3 * MIB))})
    assert response.status_code == 400
