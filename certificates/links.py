"""The two addresses a certificate carries: its API download path and its public verification page.

The verification URL must be absolute: it is printed (as a QR code) into a PDF rendered by a worker,
where there is no request to take a host from. `PUBLIC_BASE_URL` (e.g. `https://lms.example.com`)
is the site's public origin; when it is set, the API, the PDF and the verify page all use it. When
it is not set (quick start), API responses use the host of the request, and PDFs rendered without a
request use `DEFAULT_PUBLIC_BASE_URL` (the development server); `manage.py check --deploy` warns.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings

DEFAULT_PUBLIC_BASE_URL = "http://localhost:8000"


def public_base_url(request: Any = None) -> str:
    configured = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEFAULT_PUBLIC_BASE_URL


def verification_path(certificate_number: str) -> str:
    return f"/verify/{quote(certificate_number, safe='')}"


def verification_url(certificate_number: str, request: Any = None) -> str:
    """Absolute URL of the public HTML page `GET /verify/<number>` (what the QR code encodes)."""
    return public_base_url(request) + verification_path(certificate_number)


def pdf_url(certificate_id: Any) -> str:
    """The API download path (relative, like every other API link the client builds on)."""
    return f"{settings.API_V1_PREFIX}/certificates/{certificate_id}/download"
