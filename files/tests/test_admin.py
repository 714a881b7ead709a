"""Uploaded files in the Django admin: admins look files up and delete them through the service."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD
from files.models import FileType, StorageProvider, UploadedFile
from files.tests.conftest import stored_files
from files.tests.factories import MP4, PDF, UploadedFileFactory

pytestmark = pytest.mark.django_db

FILES = "/admin/files/uploadedfile/"


def _logged_in(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def test_the_list_searches_by_owner_email_and_original_name(
    admin, student, other_student, django_assert_num_queries
):
    mine = UploadedFileFactory(uploader=student, original_filename="Syllabus.pdf")
    theirs = UploadedFileFactory(uploader=other_student, original_filename="Holiday.pdf")
    UploadedFileFactory.create_batch(5, uploader=other_student, content=None)
    client = _logged_in(admin)

    # Session, user, COUNT of the filtered list, COUNT of all files, the page with uploaders joined.
    with django_assert_num_queries(5):
        page = client.get(FILES)
    assert page.status_code == 200
    assert b"Syllabus.pdf" in page.content and b"Holiday.pdf" in page.content

    by_email = client.get(FILES, {"q": student.email}).content
    assert b"Syllabus.pdf" in by_email and b"Holiday.pdf" not in by_email
    by_name = client.get(FILES, {"q": "holiday"}).content
    assert b"Holiday.pdf" in by_name and b"Syllabus.pdf" not in by_name
    assert mine.pk != theirs.pk


def test_the_list_filters_by_type_and_provider(admin, student):
    UploadedFileFactory(uploader=student, original_filename="talk.mp4", content=MP4, file_type=FileType.VIDEO)
    UploadedFileFactory(uploader=student, original_filename="cloud.pdf", content=None, storage_provider="s3")
    client = _logged_in(admin)

    videos = client.get(FILES, {"file_type__exact": "video"}).content
    assert b"talk.mp4" in videos and b"cloud.pdf" not in videos
    on_s3 = client.get(FILES, {"storage_provider__exact": StorageProvider.S3}).content
    assert b"cloud.pdf" in on_s3 and b"talk.mp4" not in on_s3


def test_a_file_is_read_only_and_cannot_be_added(admin, student):
    file = UploadedFileFactory(uploader=student)
    client = _logged_in(admin)

    page = client.get(f"{FILES}{file.pk}/change/")
    assert page.status_code == 200
    assert file.file_url.encode() in page.content
    assert b'name="original_filename"' not in page.content  # no inputs, only values
    assert client.get(f"{FILES}add/").status_code == 403
    client.post(f"{FILES}{file.pk}/change/", {"original_filename": "renamed.pdf"})
    file.refresh_from_db()
    assert file.original_filename != "renamed.pdf"


def test_deleting_in_the_admin_removes_the_bytes_too(
    admin, student, storage_root, django_capture_on_commit_callbacks
):
    file = UploadedFileFactory(uploader=student, content=PDF)
    kept = UploadedFileFactory(uploader=student, content=PDF)
    client = _logged_in(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{FILES}{file.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert list(UploadedFile.objects.all()) == [kept]
    assert stored_files(storage_root) == [storage_root / kept.storage_key]


def test_the_bulk_delete_action_removes_the_bytes_too(
    admin, student, storage_root, django_capture_on_commit_callbacks
):
    files = UploadedFileFactory.create_batch(3, uploader=student, content=PDF)
    client = _logged_in(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            FILES, {"action": "delete_selected", "_selected_action": [f.pk for f in files[:2]], "post": "yes"}
        )

    assert list(UploadedFile.objects.all()) == [files[2]]
    assert stored_files(storage_root) == [storage_root / files[2].storage_key]


def test_instructors_do_not_see_files_in_the_admin(instructor):
    assert _logged_in(instructor).get(FILES).status_code == 403
