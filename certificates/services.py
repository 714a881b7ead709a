"""Rules about certificates: issue, revoke, render. Views, tasks and the admin call these.

Locks (project-wide order: course -> enrollment -> attempt; certificates come after enrollment):
- issuing holds the enrollment row (`SELECT ... FOR UPDATE`) while it looks for an existing
  certificate and inserts the new one, so concurrent calls for one enrollment create exactly one;
  the partial unique index (one *valid* certificate per enrollment) backs the lock up;
- revoking holds the enrollment row, then the certificate row;
- rendering holds the certificate row while it renders and stores the PDF (a quarter of a second),
  so a render that started before a revocation cannot overwrite the revoked copy afterwards.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm, user_has_permission
from courses.selectors import is_manager
from enrollments.models import Enrollment, EnrollmentStatus
from lms_project.exceptions import ApplicationError, Conflict, Forbidden, NotFound
from lms_project.jobs import enqueue, enqueue_on_commit

from .models import Certificate, CertificateStatus
from .numbers import new_certificate_number

logger = logging.getLogger("lms.certificates")

_NUMBER_ATTEMPTS = 5


# --- the completion hook ------------------------------------------------------------------------


def certificate_issue_on_completion(*, enrollment_id: Any) -> None:
    """Called by `enrollments.services.course_completed` after the completing commit: enqueue the
    issue (and PDF) task. Cheap and never raises: a broker outage is logged, and the hourly sweep
    issues whatever was missed."""
    try:
        from .tasks import generate_certificate_task

        enqueue_on_commit(generate_certificate_task, str(enrollment_id))
    except Exception:  # the request that completed the course must not fail because of us
        logger.exception("could not schedule the certificate", extra={"enrollment_id": str(enrollment_id)})


# --- issue --------------------------------------------------------------------------------------


def _lock_enrollment(enrollment_id: Any) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("student", "course__instructor")
        .get(pk=enrollment_id)
    )


def _completion_date(enrollment: Enrollment, now: datetime) -> Any:
    return (enrollment.completed_at or now).astimezone(UTC).date()


def _create(enrollment: Enrollment, *, now: datetime) -> tuple[Certificate, bool]:
    """Insert the certificate (caller holds the enrollment lock). Retries a number collision; if the
    partial unique index says another valid certificate got in first, returns that one."""
    student, course = enrollment.student, enrollment.course
    for _ in range(_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    certificate_number=new_certificate_number(now.astimezone(UTC).date()),
                    enrollment=enrollment,
                    student=student,
                    course=course,
                    student_name=(student.full_name or "").strip() or student.email,
                    course_title=course.title,
                    instructor_name=(course.instructor.full_name or "").strip() or course.instructor.email,
                    completion_date=_completion_date(enrollment, now),
                    issued_at=now,
                )
        except IntegrityError:
            existing = Certificate.objects.filter(
                enrollment=enrollment, status=CertificateStatus.VALID
            ).first()
            if existing is not None:  # only without the lock (SQLite has none): the index decided
                return existing, False
            continue  # the number was taken: draw another
        Enrollment.objects.filter(pk=enrollment.pk).update(certificate_issued_at=now, updated_at=now)
        return certificate, True
    raise ApplicationError(
        "Could not allocate a certificate number; try again.", code="certificate_number_exhausted", status=503
    )


def certificate_issue(
    *, enrollment_id: Any, actor: User | None, reissue: bool = False, render_after_commit: bool = True
) -> tuple[Certificate, bool]:
    """Issue the certificate of a completed enrollment; `(certificate, created)`.

    The caller may read the enrollment (the view looked it up through `enrollment_get`: its student
    or a manager of the course). Rules: a valid certificate already there is returned
    (`created=False`); an enrollment that is not completed is 400 `enrollment_not_complete`; when
    the enrollment's certificate was revoked, 409 `certificate_revoked`, unless an admin asks for
    `reissue` (a new row with a new number; the revoked row stays). `reissue` from anyone else is
    403. The PDF is rendered after commit, in the background. Holds the enrollment row lock.
    """
    with transaction.atomic():
        try:
            enrollment = _lock_enrollment(enrollment_id)
        except Enrollment.DoesNotExist:
            raise NotFound("Enrollment not found.") from None
        certificates = list(Certificate.objects.filter(enrollment=enrollment))
        valid = next((c for c in certificates if c.status == CertificateStatus.VALID), None)
        if valid is not None:
            return valid, False
        if enrollment.status != EnrollmentStatus.COMPLETED:
            raise ApplicationError(
                "The enrollment is not completed yet: finish every lesson first.",
                code="enrollment_not_complete",
            )
        if certificates:  # all of them revoked
            if not reissue:
                raise Conflict(
                    "This enrollment's certificate was revoked. An admin may re-issue it.",
                    code="certificate_revoked",
                )
            if not user_has_permission(actor, Perm.CERTIFICATES_MANAGE_ANY):
                raise Forbidden("Only an admin may re-issue a revoked certificate.")
        certificate, created = _create(enrollment, now=timezone.now())
        if created and render_after_commit:
            from .tasks import render_certificate_pdf_task

            enqueue_on_commit(render_certificate_pdf_task, str(certificate.pk))
    return certificate, created


def certificate_issue_automatic(
    *, enrollment_id: Any, render_after_commit: bool = True
) -> Certificate | None:
    """The background issue (completion hook, hourly sweep). Idempotent and quiet: returns the
    enrollment's valid certificate, issuing it when the enrollment is completed and has never had
    one; returns None when it is not completed, or when its certificate was revoked (a sweep must
    never undo a revocation). Holds the enrollment row lock."""
    with transaction.atomic():
        try:
            enrollment = _lock_enrollment(enrollment_id)
        except Enrollment.DoesNotExist:
            return None
        certificates = list(Certificate.objects.filter(enrollment=enrollment))
        valid = next((c for c in certificates if c.status == CertificateStatus.VALID), None)
        if valid is not None or certificates or enrollment.status != EnrollmentStatus.COMPLETED:
            return valid
        certificate, created = _create(enrollment, now=timezone.now())
        if created and render_after_commit:
            from .tasks import render_certificate_pdf_task

            enqueue_on_commit(render_certificate_pdf_task, str(certificate.pk))
    return certificate


def enrollments_missing_certificates(*, limit: int) -> list[Any]:
    """Completed enrollments that never had a certificate: one anti-join query."""
    return list(
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
        .filter(~Exists(Certificate.objects.filter(enrollment=OuterRef("pk"))))
        .order_by("completed_at")
        .values_list("pk", flat=True)[:limit]
    )


def certificates_issue_missing(*, limit: int = 500) -> int:
    """Hourly sweep: issue the certificates the completion hook missed (broker down, worker crash).
    Safe to run twice: each issue re-checks under the enrollment lock. Returns how many were issued."""
    issued = 0
    for enrollment_id in enrollments_missing_certificates(limit=limit):
        try:
            certificate = certificate_issue_automatic(enrollment_id=enrollment_id)
        except Exception:  # one bad row must not stop the sweep
            logger.exception("sweep: could not issue", extra={"enrollment_id": str(enrollment_id)})
            continue
        issued += certificate is not None
    return issued


# --- revoke -------------------------------------------------------------------------------------


def can_revoke(user: Any, certificate: Certificate) -> bool:
    """Admins, and the instructor of the certificate's course."""
    return user_has_permission(user, Perm.CERTIFICATES_MANAGE_ANY) or (
        user_has_permission(user, Perm.CERTIFICATES_REVOKE) and is_manager(user, certificate.course)
    )


def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke a valid certificate (403 unless `can_revoke`; 409 `already_revoked`).

    The caller may read the certificate (the view looked it up through `certificate_get`). The
    enrollment's `certificate_issued_at` is cleared (it has no valid certificate any more) and the
    stored PDF is re-rendered after commit with a REVOKED stamp. Holds the enrollment row lock,
    then the certificate row.
    """
    if not can_revoke(actor, certificate):
        raise Forbidden("Only an admin or the course's instructor may revoke a certificate.")
    with transaction.atomic():
        Enrollment.objects.select_for_update().filter(pk=certificate.enrollment_id).values_list("pk").first()
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == CertificateStatus.REVOKED:
            raise Conflict("This certificate is already revoked.", code="already_revoked")
        now = timezone.now()
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_at = now
        certificate.revocation_reason = reason
        certificate.revoked_by = actor
        certificate.save(
            update_fields=["status", "revoked_at", "revocation_reason", "revoked_by", "updated_at"]
        )
        Enrollment.objects.filter(pk=certificate.enrollment_id).update(
            certificate_issued_at=None, updated_at=now
        )

        from .tasks import render_certificate_pdf_task

        enqueue_on_commit(render_certificate_pdf_task, str(certificate.pk), force=True)
    return certificate


# --- PDF ----------------------------------------------------------------------------------------


def pdf_key(certificate_number: str) -> str:
    return f"{settings.CERTIFICATES_DIR.strip('/')}/{certificate_number}.pdf"


def _pdf_stored(key: str) -> bool:
    if not key:
        return False
    try:
        return default_storage.exists(key)
    except Exception:  # remote storage unreachable: render again rather than fail the download
        logger.warning("storage: could not check %s", key, exc_info=True)
        return False


def _pdf_stale(certificate: Certificate) -> bool:
    """Rendered before the certificate was revoked (the re-render after the revocation was lost)."""
    return bool(
        certificate.revoked_at
        and (certificate.pdf_rendered_at is None or certificate.pdf_rendered_at < certificate.revoked_at)
    )


def certificate_render_pdf(*, certificate_id: Any, force: bool = False) -> Certificate:
    """Render the certificate's PDF and store it under `CERTIFICATES_DIR/<number>.pdf`, replacing
    any older copy. Without `force`, a stored PDF that is up to date is kept (one rendered before a
    revocation is not: it would lack the REVOKED stamp). Idempotent. Holds the certificate row lock
    while rendering and storing."""
    from .pdf import render_certificate_pdf

    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if not force and not _pdf_stale(certificate) and _pdf_stored(certificate.pdf_key):
            return certificate
        data = render_certificate_pdf(certificate)
        key = pdf_key(certificate.certificate_number)
        for old in {key, certificate.pdf_key} - {""}:
            if default_storage.exists(old):
                default_storage.delete(old)
        stored = default_storage.save(key, ContentFile(data))
        certificate.pdf_key = stored
        certificate.pdf_rendered_at = timezone.now()
        certificate.save(update_fields=["pdf_key", "pdf_rendered_at", "updated_at"])
    return certificate


def certificate_pdf_open(*, certificate: Certificate) -> Any:
    """An open file of the stored PDF; rendered now when it is not stored yet, the file is gone, or
    it predates a revocation."""
    if _pdf_stale(certificate) or not _pdf_stored(certificate.pdf_key):
        certificate = certificate_render_pdf(certificate_id=certificate.pk)
    return default_storage.open(certificate.pdf_key, "rb")


def _stored_pdf_names() -> set[str] | None:
    """Every key under `CERTIFICATES_DIR`, from one storage listing; None if the storage cannot list."""
    folder = settings.CERTIFICATES_DIR.strip("/")
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return set()  # nothing stored yet
    except Exception:
        logger.warning("storage: could not list %s", folder, exc_info=True)
        return None
    return {f"{folder}/{name}" for name in files}


def certificates_missing_pdfs(*, limit: int) -> list[Any]:
    """Certificates without an up-to-date stored PDF: never rendered, or rendered before their
    revocation (one query), or rendered but the file is gone (the keys from one query, checked
    against one storage listing)."""
    missing = list(
        Certificate.objects.filter(
            Q(pdf_key="") | Q(status=CertificateStatus.REVOKED, pdf_rendered_at__lt=F("revoked_at"))
        )
        .order_by("issued_at")
        .values_list("pk", flat=True)[:limit]
    )
    stored = _stored_pdf_names()
    if stored is not None and len(missing) < limit:
        rendered = (
            Certificate.objects.exclude(pdf_key="").values_list("pk", "pdf_key").iterator(chunk_size=2000)
        )
        already = set(missing)
        for pk, key in rendered:
            if key not in stored and pk not in already:
                missing.append(pk)
                if len(missing) >= limit:
                    break
    return missing


def certificates_render_missing(*, limit: int = 1000) -> int:
    """Daily sweep: enqueue a render for every certificate whose PDF is missing. Safe to run twice
    (a render without `force` keeps a PDF that is there). Returns how many were enqueued."""
    from .tasks import render_certificate_pdf_task

    missing = certificates_missing_pdfs(limit=limit)
    for certificate_id in missing:
        enqueue(render_certificate_pdf_task, str(certificate_id))
    return len(missing)
