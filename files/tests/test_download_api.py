"""GET /files/download/{id} and GET /files/{id}/download-url on local storage (contract section 8):
who may download, the response headers, signed links (tampered, expired, for another file)."""

from __future__ import annotations

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from conftest import client_for
from files.links import sign_download
from files.models import UploadedFile
from files.tests.factories import PDF, UploadedFileFactory, upload

pytestmark = pytest.mark.django_db


def _download(file: UploadedFile) -> str:
    return f"/api/v1/files/download/{file.id}"


def _link(file: UploadedFile) -> str:
    return f"/api/v1/files/{file.id}/download-url"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def private_file(student) -> UploadedFile:
    return UploadedFileFactory(uploader=student, original_filename="Week 1.pdf", content=PDF)


@pytest.fixture
def public_file(student) -> UploadedFile:
    return UploadedFileFactory(uploader=student, is_public=True, content=PDF)


# --- who may download ------------------------------------------------------------------------------


def test_the_uploader_downloads_the_bytes_as_an_attachment(student_client, private_file):
    response = student_client.get(_download(private_file))

    assert response.status_code == 200
    assert _body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert (
        response["Content-Disposition"]
        == "attachment; filename=\"Week 1.pdf\"; filename*=UTF-8''Week%201.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Accept-Ranges"] == "bytes"


def test_an_admin_downloads_anyones_file(admin_client, private_file):
    response = admin_client.get(_download(private_file))
    assert (response.status_code, _body(response)) == (200, PDF)


@pytest.mark.security
@pytest.mark.parametrize("persona", ["other_student", "instructor", "anonymous"])
def test_someone_elses_private_file_does_not_exist_for_others(request, private_file, persona):
    client = APIClient() if persona == "anonymous" else client_for(request.getfixturevalue(persona))

    response = client.get(_download(private_file))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    if persona != "anonymous":
        response = client.get(_link(private_file))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        response = client.delete(f"/api/v1/files/{private_file.id}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert UploadedFile.objects.filter(pk=private_file.pk).exists()


def test_a_public_file_is_downloadable_by_anyone_even_anonymously(api_client, other_student, public_file):
    response = api_client.get(_download(public_file))
    assert (response.status_code, _body(response)) == (200, PDF)

    response = client_for(other_student).get(_download(public_file))
    assert (response.status_code, _body(response)) == (200, PDF)


def test_an_unknown_file_is_404(student_client):
    response = student_client.get(f"/api/v1/files/download/{uuid.uuid4()}")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_file_whose_bytes_are_gone_is_404_not_500(student_client, student):
    file = UploadedFileFactory(uploader=student, content=None)
    response = student_client.get(_download(file))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.security
def test_an_invalid_bearer_token_is_401_even_for_a_public_file(public_file):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get(_download(public_file))
    assert (response.status_code, response.json()["code"]) == (401, "token_not_valid")


# --- headers ---------------------------------------------------------------------------------------


def test_a_unicode_name_gets_an_ascii_fallback_and_an_rfc5987_name(student_client):
    file_id = student_client.post(
        "/api/v1/files/upload", {"file": upload("Résumé 2026 \u2013 東京.pdf")}, format="multipart"
    ).json()["id"]

    response = student_client.get(f"/api/v1/files/download/{file_id}")

    assert response["Content-Disposition"] == (
        'attachment; filename="Resume 2026.pdf"; '
        "filename*=UTF-8''R%C3%A9sum%C3%A9%202026%20%E2%80%93%20%E6%9D%B1%E4%BA%AC.pdf"
    )


@pytest.mark.security
def test_quotes_and_backslashes_cannot_break_out_of_the_header(student):
    file = UploadedFileFactory(
        uploader=student, original_filename='a"; filename=evil.html\\.pdf', content=PDF
    )
    response = client_for(student).get(_download(file))
    assert response["Content-Disposition"] == (
        'attachment; filename="a_; filename=evil.html_.pdf"; '
        "filename*=UTF-8''a%22%3B%20filename%3Devil.html%5C.pdf"
    )


@pytest.mark.security
def test_an_uploaded_html_or_svg_file_is_served_as_an_attachment_never_as_a_page(settings, student_client):
    settings.ALLOWED_UPLOAD_EXTENSIONS = [*settings.ALLOWED_UPLOAD_EXTENSIONS, "html", "svg"]
    pages = {
        "page.html": (b"<!doctype html><script>alert(document.cookie)</script>", "text/html"),
        "logo.svg": (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
    }
    for name, (content, mime_type) in pages.items():
        file_id = student_client.post(
            "/api/v1/files/upload", {"file": upload(name, content, "image/png")}, format="multipart"
        ).json()["id"]

        response = student_client.get(f"/api/v1/files/download/{file_id}", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        response = student_client.get(f"/api/v1/files/download/{file_id}", HTTP_ACCEPT="image/png")

        assert response.status_code == 200
        assert _body(response) == content
        assert response["Content-Type"] == mime_type
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_downloads_are_not_gzipped(student_client, private_file):
    response = student_client.get(_download(private_file), HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in response
    assert _body(response) == PDF


def test_a_byte_range_is_served_for_video_players(student_client, private_file):
    response = student_client.get(_download(private_file), HTTP_RANGE="bytes=5-9")

    assert response.status_code == 206
    assert _body(response) == PDF[5:10]
    assert response["Content-Range"] == f"bytes 5-9/{len(PDF)}"
    assert response["Content-Length"] == "5"

    response = student_client.get(_download(private_file), HTTP_RANGE="bytes=-4")
    assert (response.status_code, _body(response)) == (206, PDF[-4:])

    response = student_client.get(_download(private_file), HTTP_RANGE="bytes=70-")
    assert (response.status_code, _body(response)) == (206, PDF[70:])


def test_a_range_past_the_end_is_416_and_an_odd_one_is_ignored(student_client, private_file):
    response = student_client.get(_download(private_file), HTTP_RANGE=f"bytes={len(PDF)}-")
    assert (response.status_code, response.json()["code"]) == (416, "range_not_satisfiable")
    assert response["Content-Range"] == f"bytes */{len(PDF)}"

    for header in ("bytes=0-1,4-5", "lines=1-2", "bytes=9-5"):
        response = student_client.get(_download(private_file), HTTP_RANGE=header)
        assert (response.status_code, _body(response)) == (200, PDF)


# --- signed links ----------------------------------------------------------------------------------


def test_a_signed_link_works_without_a_bearer_header_until_it_expires(student_client, private_file):
    before = int(time.time())
    response = student_client.get(_link(private_file))

    assert response.status_code == 200
    body = response.json()
    url = urlsplit(body["url"])
    assert (url.scheme, url.netloc, url.path) == ("http", "testserver", _download(private_file))
    assert set(parse_qs(url.query)) == {"signature"}
    expires = body["expires_at"]
    lifetime = settings.FILE_DOWNLOAD_URL_EXPIRE_SECONDS
    assert expires.endswith("Z")
    from datetime import datetime

    expires_epoch = datetime.fromisoformat(expires).timestamp()
    assert before + lifetime <= expires_epoch <= time.time() + lifetime

    anonymous = APIClient().get(f"{url.path}?{url.query}")
    assert (anonymous.status_code, _body(anonymous)) == (200, PDF)
    assert anonymous["Content-Disposition"].startswith("attachment;")


@pytest.mark.security
def test_a_signed_link_is_checked_before_a_stale_bearer_header(private_file):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer expired-or-garbage")
    response = client.get(_download(private_file), {"signature": sign_download(private_file.id)})
    assert (response.status_code, _body(response)) == (200, PDF)


@pytest.mark.security
def test_an_expired_signed_link_is_403(private_file):
    issued_at = int(time.time()) - settings.FILE_DOWNLOAD_URL_EXPIRE_SECONDS - 1
    signature = sign_download(private_file.id, issued_at=issued_at)

    response = APIClient().get(_download(private_file), {"signature": signature})

    assert (response.status_code, response.json()["code"]) == (403, "link_expired")
    # Just inside its lifetime, the same kind of link works.
    fresh = sign_download(
        private_file.id, issued_at=int(time.time()) - settings.FILE_DOWNLOAD_URL_EXPIRE_SECONDS + 5
    )
    assert APIClient().get(_download(private_file), {"signature": fresh}).status_code == 200


@pytest.mark.security
@pytest.mark.parametrize(
    "tamper",
    [
        lambda sig: sig[:-1] + ("A" if sig[-1] != "A" else "B"),  # the MAC
        lambda sig: "1" + sig,  # the timestamp (to extend the lifetime)
        lambda sig: "",
        lambda sig: "garbage",
        lambda sig: sig.split(":")[1],
    ],
)
def test_a_tampered_signed_link_is_403(private_file, tamper):
    response = APIClient().get(_download(private_file), {"signature": tamper(sign_download(private_file.id))})
    assert (response.status_code, response.json()["code"]) == (403, "invalid_signature")


@pytest.mark.security
def test_a_link_signed_for_one_file_does_not_open_another(student, private_file):
    other = UploadedFileFactory(uploader=student, content=PDF)
    response = APIClient().get(_download(other), {"signature": sign_download(private_file.id)})
    assert (response.status_code, response.json()["code"]) == (403, "invalid_signature")


def test_a_signed_link_to_a_deleted_file_is_404(private_file):
    signature = sign_download(private_file.id)
    UploadedFile.objects.filter(pk=private_file.pk).delete()
    response = APIClient().get(_download(private_file), {"signature": signature})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.security
def test_a_download_link_needs_authentication(api_client, public_file):
    response = api_client.get(_link(public_file))
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_a_link_to_someone_elses_public_file_may_be_requested(other_student, public_file):
    response = client_for(other_student).get(_link(public_file))
    assert response.status_code == 200


@pytest.mark.security
def test_stored_bytes_have_no_static_route(student_client, private_file, storage_root):
    assert (storage_root / private_file.storage_key).exists()
    for prefix in ("/uploads/", "/media/", "/static/", "/"):
        response = student_client.get(f"{prefix}{private_file.storage_key}")
        assert response.status_code == 404, prefix
