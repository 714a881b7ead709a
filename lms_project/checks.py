"""Deployment warnings (`manage.py check --deploy`, and every start in production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_services(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    warnings = []
    if not settings.REDIS_URL:
        warnings.append(
            Warning(
                "REDIS_URL is not set: the cache and rate-limit counters are per process, so limits are "
                "not shared between workers.",
                id="lms.W001",
            )
        )
    if not settings.CELERY_BROKER_URL:
        warnings.append(
            Warning(
                "CELERY_BROKER_URL is not set: background work (e-mail, progress recomputation, PDFs) "
                "runs inside requests.",
                id="lms.W002",
            )
        )
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        warnings.append(
            Warning(
                "DATABASE_URL is not PostgreSQL: row locks and concurrency guarantees are weaker.",
                id="lms.W003",
            )
        )
    return warnings
