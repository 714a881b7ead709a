"""Background jobs of certificates (queue `certificates`, routed in settings). Every task takes ids,
calls a service and is safe to run twice: a redelivered message changes nothing."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger("lms.certificates")


@shared_task(acks_late=True)
def generate_certificate_task(enrollment_id: str) -> str | None:
    """Issue the certificate of a completed enrollment (if it never had one) and render its PDF.

    Enqueued by the completion hook. Returns the certificate id, or None when there is nothing to
    issue (not completed, or the certificate was revoked)."""
    certificate = services.certificate_issue_automatic(enrollment_id=enrollment_id, render_after_commit=False)
    if certificate is None:
        return None
    services.certificate_render_pdf(certificate_id=certificate.pk)
    logger.info("certificate ready", extra={"certificate_id": str(certificate.pk)})
    return str(certificate.pk)


@shared_task(acks_late=True)
def render_certificate_pdf_task(certificate_id: str, force: bool = False) -> str:
    """Render and store one certificate's PDF (`force`: replace a stored copy, e.g. after a revoke)."""
    certificate = services.certificate_render_pdf(certificate_id=certificate_id, force=force)
    return certificate.pdf_key


@shared_task(acks_late=True)
def issue_missing_certificates_task() -> int:
    """Hourly: issue certificates for completed enrollments that never got one."""
    issued = services.certificates_issue_missing()
    logger.info("sweep: missing certificates issued", extra={"issued": issued})
    return issued


@shared_task(acks_late=True)
def render_missing_certificate_pdfs_task() -> int:
    """Daily: re-render the PDFs that were never stored or whose file is gone."""
    enqueued = services.certificates_render_missing()
    logger.info("sweep: missing certificate PDFs enqueued", extra={"enqueued": enqueued})
    return enqueued
