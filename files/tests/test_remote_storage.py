"""S3 and Azure: the real django-storages backends with fake credentials (signing needs no network).
Downloads answer 307 to the cloud's own signed URL, valid FILE_DOWNLOAD_URL_EXPIRE_SECONDS, which
makes the cloud send our MIME type and an attachment disposition."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.stub import ANY, Stubber

from files.links import sign_download
from files.models import StorageProvider, UploadedFile
from files.storage import file_storage, provider_of
from files.tests.factories import PDF, UploadedFileFactory, upload

pytestmark = pytest.mark.django_db

S3_OPTIONS = {
    "bucket_name": "lms-test-bucket",
    "region_name": "eu-central-1",
    "access_key": "AKIAIOSFODNN7EXAMPLE",
    "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "default_acl": "private",
    "querystring_auth": True,
    "querystring_expire": 900,
    "file_overwrite": False,
}
AZURE_OPTIONS = {
    "account_name": "lmstestaccount",
    "account_key": base64.b64encode(b"not-a-real-key-" * 4).decode(),
    "azure_container": "lms",
    "expiration_secs": 900,
    "overwrite_files": False,
}


@pytest.fixture
def s3(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS},
    }
    return file_storage()


@pytest.fixture
def azure(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.azure_storage.AzureStorage", "OPTIONS": AZURE_OPTIONS},
    }
    return file_storage()


def _remote_file(student, provider: str) -> UploadedFile:
    return UploadedFileFactory(
        uploader=student, content=None, storage_provider=provider, original_filename="Résumé.pdf"
    )


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_the_provider_is_read_from_the_configured_backend(s3):
    assert provider_of(s3) == StorageProvider.S3


def test_s3_download_url_is_a_presigned_url_valid_for_the_configured_lifetime(s3, student, student_client):
    file = _remote_file(student, StorageProvider.S3)
    before = time.time()

    body = student_client.get(f"/api/v1/files/{file.id}/download-url").json()

    url = urlsplit(body["url"])
    assert url.netloc.startswith("lms-test-bucket.s3")
    assert url.path == f"/{file.storage_key}"
    query = _query(body["url"])
    assert query["X-Amz-Expires"] == "900"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Credential"].startswith("AKIAIOSFODNN7EXAMPLE/")
    assert query["response-content-type"] == "application/pdf"
    assert query["response-content-disposition"] == (
        "attachment; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"
    )
    expires = datetime.fromisoformat(body["expires_at"]).timestamp()
    assert before + 899 <= expires <= time.time() + 900


def test_s3_expiry_follows_the_setting(settings, s3, student, student_client):
    settings.FILE_DOWNLOAD_URL_EXPIRE_SECONDS = 60
    file = _remote_file(student, StorageProvider.S3)
    body = student_client.get(f"/api/v1/files/{file.id}/download-url").json()
    assert _query(body["url"])["X-Amz-Expires"] == "60"


def test_s3_download_redirects_to_the_presigned_url(s3, student, student_client, api_client):
    file = _remote_file(student, StorageProvider.S3)

    response = student_client.get(f"/api/v1/files/download/{file.id}")

    assert response.status_code == 307
    assert _query(response["Location"])["X-Amz-Expires"] == "900"
    assert response["Cache-Control"] == "no-store"
    # Authorise before signing: a stranger gets no URL at all.
    assert api_client.get(f"/api/v1/files/download/{file.id}").status_code == 404
    assert "Location" not in api_client.get(f"/api/v1/files/download/{file.id}")
    # A link we signed also leads to the cloud.
    signed = api_client.get(f"/api/v1/files/download/{file.id}", {"signature": sign_download(file.id)})
    assert signed.status_code == 307


def test_an_s3_upload_stores_the_object_with_our_mime_type(s3, student_client):
    """The network calls (HeadObject: is the random name free? then PutObject) are stubbed at
    botocore's boundary."""
    client = s3.connection.meta.client
    with Stubber(client) as stubber:
        stubber.add_client_error("head_object", service_error_code="404", http_status_code=404)
        stubber.add_response(
            "put_object",
            {"ETag": '"abc"'},
            {
                "Bucket": "lms-test-bucket",
                "Key": ANY,
                "Body": ANY,
                "ContentType": "application/pdf",
                "ACL": "private",
                "ChecksumAlgorithm": ANY,
            },
        )
        response = student_client.post(
            "/api/v1/files/upload", {"file": upload("notes.pdf", PDF, "text/html")}, format="multipart"
        )
        stubber.assert_no_pending_responses()

    assert response.status_code == 201, response.json()
    assert response.json()["storage_provider"] == "s3"
    assert UploadedFile.objects.get().storage_key.startswith("files/uploads/")


def test_azure_download_url_is_a_sas_url_valid_for_the_configured_lifetime(azure, student, student_client):
    file = _remote_file(student, StorageProvider.AZURE)
    before = time.time()

    body = student_client.get(f"/api/v1/files/{file.id}/download-url").json()

    url = urlsplit(body["url"])
    assert url.netloc == "lmstestaccount.blob.core.windows.net"
    assert url.path == f"/lms/{file.storage_key}"
    query = _query(body["url"])
    assert (query["sp"], query["sr"]) == ("r", "b")
    assert query["rsct"] == "application/pdf"
    assert query["rscd"].startswith("attachment;")
    assert "sig" in query
    sas_expiry = datetime.strptime(query["se"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert before + 898 <= sas_expiry <= time.time() + 901
    expires = datetime.fromisoformat(body["expires_at"]).timestamp()
    assert abs(expires - sas_expiry) <= 2


def test_azure_download_redirects_to_the_sas_url(azure, student, student_client):
    file = _remote_file(student, StorageProvider.AZURE)
    response = student_client.get(f"/api/v1/files/download/{file.id}")
    assert response.status_code == 307
    assert "se" in _query(response["Location"])
