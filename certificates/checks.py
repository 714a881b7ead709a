"""Deployment warning: PDFs rendered by workers need the site's public address for their QR code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

from .links import DEFAULT_PUBLIC_BASE_URL


@register(Tags.security, deploy=True)
def public_base_url_set(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "PUBLIC_BASE_URL", ""):
        return []
    return [
        Warning(
            f"PUBLIC_BASE_URL is not set: certificate QR codes rendered in the background point to "
            f"{DEFAULT_PUBLIC_BASE_URL}/verify/...",
            hint="Set PUBLIC_BASE_URL to the site's public origin, e.g. https://lms.example.com.",
            id="certificates.W001",
        )
    ]
