"""The certificate PDF: download, on-demand rendering, content, QR code, and the locked-down fetcher.

Text extraction and QR decoding use poppler-utils (`pdftotext`, `pdftoppm`) and zbar-tools
(`zbarimg`) when the machine has them; without them those assertions are skipped with a reason and
weaker checks (decompressed PDF streams, the QR's exact SVG) still run.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from weasyprint import HTML

from certificates import pdf as certificate_pdf
from certificates.models import Certificate, CertificateStatus
from certificates.services import certificate_render_pdf
from certificates.tests.conftest import PUBLIC_BASE_URL
from certificates.tests.factories import CertificateFactory
from conftest import client_for

pytestmark = pytest.mark.django_db

PASSWD_MARKER = b"root:x:0:0"
EVIL_NAME = '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd">'


@pytest.fixture
def certificate(enrollment) -> Certificate:
    return CertificateFactory(enrollment=enrollment)


def _download(client, certificate: Certificate, **headers):
    return client.get(f"/api/v1/certificates/{certificate.pk}/download", **headers)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


_STREAM_START = re.compile(rb"/Length (\d+)[^>]*>>\s*stream\r?\n")


def _streams(data: bytes) -> list[bytes]:
    """The raw PDF plus every Flate stream decompressed (pages sit in compressed object streams).
    Each stream is cut by its `/Length`, and the scan resumes after it: compressed bytes may
    contain anything, "endstream" included."""
    parts, position = [data], 0
    while match := _STREAM_START.search(data, position):
        start = match.end()
        end = start + int(match.group(1))
        with contextlib.suppress(zlib.error):  # not every stream is Flate-compressed
            parts.append(zlib.decompress(data[start:end]))
        position = end
    return parts


def _page_count(data: bytes) -> int:
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", part)) for part in _streams(data))


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed: text not checked")
    source = tmp_path / "certificate.pdf"
    source.write_bytes(data)
    result = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True, timeout=30)
    return " ".join(result.stdout.decode().split())


# --- GET /certificates/{id}/download ---------------------------------------------------------------


def test_the_student_downloads_an_a4_landscape_one_page_pdf_with_the_facts(
    student_client, certificate, tmp_path
):
    response = _download(student_client, certificate)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.certificate_number}.pdf"'
    data = _body(response)
    assert data.startswith(b"%PDF-")
    assert _page_count(data) == 1
    # A4 landscape: 297 x 210 mm = 841.89 x 595.28 pt.
    assert re.search(rb"/MediaBox\s*\[\s*0 0 841\.8\d* 595\.2\d*\s*\]", b"".join(_streams(data)))
    text = _pdftotext(data, tmp_path)
    for fact in (
        "Sam Student",
        "Python from Zero",
        "Ivan Instructor",
        "24 November 2026",
        certificate.certificate_number,
    ):
        assert fact in text


def test_download_renders_on_demand_and_then_serves_the_stored_file(student_client, certificate):
    assert certificate.pdf_key == ""

    first = _body(_download(student_client, certificate))

    certificate.refresh_from_db()
    assert certificate.pdf_key == f"certificates/{certificate.certificate_number}.pdf"
    assert certificate.pdf_rendered_at is not None
    with default_storage.open(certificate.pdf_key) as stored:
        assert stored.read() == first
    rendered_at = certificate.pdf_rendered_at
    assert _body(_download(student_client, certificate)) == first
    certificate.refresh_from_db()
    assert certificate.pdf_rendered_at == rendered_at  # served, not rendered again


def test_download_renders_again_when_the_stored_file_is_missing(student_client, certificate):
    certificate = certificate_render_pdf(certificate_id=certificate.pk)
    default_storage.delete(certificate.pdf_key)
    assert not default_storage.exists(certificate.pdf_key)

    response = _download(student_client, certificate)

    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF-")
    assert default_storage.exists(certificate.pdf_key)


@pytest.mark.parametrize("reader", ["instructor", "admin"])
def test_the_course_managers_download(request, reader, certificate):
    response = _download(client_for(request.getfixturevalue(reader)), certificate)

    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF-")


@pytest.mark.security
@pytest.mark.parametrize("caller", ["other_student", "other_instructor"])
def test_anyone_else_gets_a_json_404(request, caller, certificate):
    response = _download(
        client_for(request.getfixturevalue(caller)), certificate, HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    certificate.refresh_from_db()
    assert certificate.pdf_key == ""  # nothing rendered for them


def test_a_client_asking_for_application_pdf_gets_it(student_client, certificate):
    response = _download(student_client, certificate, HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.security
def test_download_needs_authentication(api_client, certificate):
    assert _download(api_client, certificate).status_code == 401


def test_a_revoked_certificate_pdf_says_revoked(instructor, student_client, certificate, tmp_path):
    client_for(instructor).post(f"/api/v1/certificates/{certificate.pk}/revoke", {"reason": "Mistake."})

    text = _pdftotext(_body(_download(student_client, certificate)), tmp_path)

    assert "This certificate was revoked on" in text


def test_download_re_renders_a_pdf_that_predates_the_revocation(student_client, certificate, tmp_path):
    certificate = certificate_render_pdf(certificate_id=certificate.pk)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.REVOKED, revoked_at=timezone.now(), revocation_reason="Mistake."
    )  # as if the re-render after the revocation had been lost

    text = _pdftotext(_body(_download(student_client, certificate)), tmp_path)

    assert "This certificate was revoked on" in text


def test_revoking_re_renders_the_stored_pdf(
    instructor, certificate, django_capture_on_commit_callbacks, tmp_path
):
    certificate = certificate_render_pdf(certificate_id=certificate.pk)
    with default_storage.open(certificate.pdf_key) as stored:
        before = stored.read()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(instructor).post(f"/api/v1/certificates/{certificate.pk}/revoke", {"reason": "Mistake."})

    certificate.refresh_from_db()
    with default_storage.open(certificate.pdf_key) as stored:
        after = stored.read()
    assert certificate.pdf_key == f"certificates/{certificate.certificate_number}.pdf"
    assert after != before
    assert "This certificate was revoked on" in _pdftotext(after, tmp_path)


# --- the QR code -----------------------------------------------------------------------------------


def test_the_qr_code_points_to_the_verification_page(certificate, tmp_path):
    url = f"{PUBLIC_BASE_URL}/verify/{certificate.certificate_number}"
    html = certificate_pdf.certificate_html(certificate)
    # The image in the certificate is exactly segno's QR code of the verification URL.
    assert f'src="{certificate_pdf.qr_svg_data_uri(url)}"' in html.replace("&amp;", "&")
    assert url in html

    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm (poppler-utils) and zbarimg (zbar-tools) are needed to decode the printed QR")
    source = tmp_path / "certificate.pdf"
    source.write_bytes(certificate_pdf.render_certificate_pdf(certificate))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(source), str(tmp_path / "page")], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert decoded.stdout.decode().strip() == url


# --- the URL fetcher -----------------------------------------------------------------------------


@pytest.mark.security
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x.png",
        "file://localhost/etc/passwd",
        "file:///__lms_static__/../etc/passwd",
        "file:///__lms_static__/certificates/../../../../etc/passwd",
        "file:///__lms_static__/certificates/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "file:///__lms_static__/admin/css/base.css",  # a static file, but not a certificate one
        "file:///__lms_static__/certificates/missing.css",
        "file:///__lms_static__/certificates/certificate.css?x=1",
        "/etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_everything_but_our_static_files_and_data_urls(url):
    with pytest.raises(ValueError):
        certificate_pdf.StaticOnlyURLFetcher().fetch(url)


def test_the_fetcher_serves_the_certificate_stylesheet_and_data_urls():
    fetcher = certificate_pdf.StaticOnlyURLFetcher()

    css = fetcher.fetch(f"{certificate_pdf.STATIC_ROOT_URL}certificates/certificate.css")
    assert css.content_type == "text/css"
    assert b"@page" in css.read()
    data = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert (data.content_type, data.read()) == ("text/plain", b"hello")


@pytest.mark.security
def test_an_injected_file_url_is_not_embedded_even_if_it_reached_the_html(tmp_path):
    """Belt and braces: even markup that escaped the template (it cannot) fetches nothing."""
    html = HTML(
        string=(
            '<p>hello</p><img src="file:///etc/passwd"><img src="http://example.com/x.png">'
            '<link rel="attachment" href="file:///etc/passwd">'
        ),
        base_url=certificate_pdf.STATIC_ROOT_URL,
        url_fetcher=certificate_pdf.StaticOnlyURLFetcher(),
    )

    data = html.write_pdf()

    assert not any(PASSWD_MARKER in part for part in _streams(data))
    assert b"/EmbeddedFile" not in b"".join(_streams(data))


@pytest.mark.security
def test_a_student_name_with_markup_prints_as_text_and_embeds_nothing(enrollment, tmp_path, monkeypatch):
    certificate = CertificateFactory(enrollment=enrollment, student_name=EVIL_NAME)
    fetched: list[str] = []
    original = certificate_pdf.StaticOnlyURLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(certificate_pdf.StaticOnlyURLFetcher, "fetch", spy)

    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in certificate_pdf.certificate_html(certificate)
    data = certificate_pdf.render_certificate_pdf(certificate)

    assert not any(url.startswith("file:///etc") for url in fetched)
    assert [url.split(":", 1)[0] for url in fetched] == ["file", "data"]  # the stylesheet, the QR
    assert not any(PASSWD_MARKER in part for part in _streams(data))
    assert b"/EmbeddedFile" not in b"".join(_streams(data))
    assert _page_count(data) == 1
    assert '<img src="file:///etc/passwd">' in _pdftotext(data, tmp_path)


def test_long_names_and_titles_still_fit_on_one_page(enrollment):
    certificate = CertificateFactory(
        enrollment=enrollment,
        student_name="Maria Alejandra Gonzalez-Fernandez " * 7,
        course_title="Distributed Systems, Databases and Everything In Between " * 4,
        instructor_name="Professor Doctor Someone With A Long Name " * 5,
    )

    assert _page_count(certificate_pdf.render_certificate_pdf(certificate)) == 1


def test_the_render_service_keeps_a_stored_pdf_unless_forced(certificate):
    first = certificate_render_pdf(certificate_id=certificate.pk)
    kept = certificate_render_pdf(certificate_id=certificate.pk)
    forced = certificate_render_pdf(certificate_id=certificate.pk, force=True)

    assert kept.pdf_rendered_at == first.pdf_rendered_at
    assert forced.pdf_rendered_at > first.pdf_rendered_at
    assert forced.pdf_key == first.pdf_key  # replaced in place, no "_abc123" copies
    assert default_storage.listdir("certificates")[1] == [f"{certificate.certificate_number}.pdf"]
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
