"""Certificate PDFs: WeasyPrint from `templates/certificates/certificate.html`, with a locked-down
URL fetcher and a QR code made locally.

WeasyPrint's default fetcher opens any URL, `file://` included: an injected `<img>` or
`<link rel="attachment">` could embed a server file into the PDF, or make the worker call other
hosts. `StaticOnlyURLFetcher` serves exactly two kinds of URL and refuses everything else:

- `data:` URLs (the QR code is one, made by `segno` here: no network, no files);
- files under `STATIC_ROOT_URL` (`file:///__lms_static__/<path>`), a *virtual* root: the path is
  never opened as given. `<path>` must start with `certificates/` and is looked up with the
  staticfiles finders, which only search our own static directories and refuse `..` escapes.

Every value in the template is autoescaped by Django, so a name like `<img src=...>` prints as text.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from urllib.request import DataHandler, Request

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .links import verification_url
from .models import Certificate, CertificateStatus

logger = logging.getLogger("lms.certificates")

TEMPLATE = "certificates/certificate.html"
STATIC_ROOT_URL = "file:///__lms_static__/"
# The only static files a certificate may use: its own stylesheet (and any image put beside it).
ALLOWED_STATIC_PREFIX = "certificates/"


class URLRefused(ValueError):
    """The certificate renderer does not fetch this URL."""


class StaticOnlyURLFetcher(URLFetcher):
    """Serves `data:` URLs and our own certificate static files; raises for every other URL.

    WeasyPrint turns the exception into a warning and renders without the resource, so a refused
    URL never fails the PDF (and never reaches the network or the file system).
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._data(url)
        if scheme == "file" and url.startswith(STATIC_ROOT_URL):
            return self._static(url)
        raise URLRefused(f"URL refused by the certificate renderer: {url[:200]}")

    def _data(self, url: str) -> URLFetcherResponse:
        response = DataHandler().data_open(Request(url))  # noqa: S310 (only data: URLs get here)
        return URLFetcherResponse(url, response.read(), {"Content-Type": response.headers["Content-Type"]})

    def _static(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.query or parts.fragment:
            raise URLRefused(f"URL refused by the certificate renderer: {url[:200]}")
        relative = unquote(parts.path).removeprefix(urlsplit(STATIC_ROOT_URL).path)
        if not relative.startswith(ALLOWED_STATIC_PREFIX) or "\\" in relative or "\x00" in relative:
            raise URLRefused(f"URL refused by the certificate renderer: {url[:200]}")
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:  # "certificates/../../etc/passwd"
            found = None
        if not found or not Path(found).is_file():
            raise URLRefused(f"No such certificate static file: {relative[:200]}")
        body = Path(found).read_bytes()
        return URLFetcherResponse(url, body, {"Content-Type": _content_type(relative)})


def _content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return {
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
    }.get(suffix, "application/octet-stream")


def qr_svg_data_uri(url: str) -> str:
    """A QR code for `url` as an SVG `data:` URI (made locally by segno; medium error correction)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2, dark="#1f2a44")


def _size_class(text: str, *, long: int, very_long: int) -> str:
    """Long names and titles get a smaller type so that the certificate stays on one page."""
    if len(text) > very_long:
        return "very-long"
    if len(text) > long:
        return "long"
    return ""


def certificate_html(certificate: Certificate, *, request: Any = None) -> str:
    url = verification_url(certificate.certificate_number, request)
    context = {
        "certificate": certificate,
        "revoked": certificate.status == CertificateStatus.REVOKED,
        "verification_url": url,
        # Printed on two lines: the site, then the number (never broken at its hyphens).
        "verification_prefix": url.removesuffix(quote(certificate.certificate_number, safe="")),
        "project_name": settings.PROJECT_NAME,
        "qr_data_uri": qr_svg_data_uri(url),
        "stylesheet_url": f"{STATIC_ROOT_URL}{ALLOWED_STATIC_PREFIX}certificate.css",
        "name_size": _size_class(certificate.student_name, long=32, very_long=70),
        "title_size": _size_class(certificate.course_title, long=60, very_long=140),
    }
    return render_to_string(TEMPLATE, context)


def render_certificate_pdf(certificate: Certificate, *, request: Any = None) -> bytes:
    """The certificate as PDF bytes (A4 landscape, one page)."""
    html = HTML(
        string=certificate_html(certificate, request=request),
        base_url=STATIC_ROOT_URL,
        url_fetcher=StaticOnlyURLFetcher(),
    )
    return html.write_pdf()
