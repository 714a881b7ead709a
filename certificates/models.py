from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import Course
from enrollments.models import Enrollment


class CertificateStatus(models.TextChoices):
    VALID = "valid", "Valid"
    REVOKED = "revoked", "Revoked"


class Certificate(models.Model):
    """A certificate of completion: one enrollment, frozen names, a public number.

    Names and the course title are copied at issue, so renaming a user or a course later never
    changes a certificate already handed out. PROTECT on enrollment, student and course: deleting
    any of them must be refused rather than erase issued certificates (the enrollment already
    PROTECTs its user and course; this says it again for the certificate's own copies).

    At most one *valid* certificate per enrollment (partial unique index). Re-issuing after a
    revocation adds a new row; the revoked row stays, so its number keeps verifying as revoked.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    certificate_number = models.CharField(max_length=32, unique=True)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="certificates")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    student_name = models.CharField(max_length=255)
    course_title = models.CharField(max_length=255)
    instructor_name = models.CharField(max_length=255)
    completion_date = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(null=True, blank=True)
    # SET_NULL: who revoked is an audit detail; it must not stop that user's account being removed.
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Key of the rendered PDF in the default storage ("" until rendered). Never exposed by the API.
    pdf_key = models.CharField(max_length=255, blank=True, default="")
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            # The rule behind "concurrent generate calls create exactly one": the service locks the
            # enrollment first; this index is what makes a missed lock fail instead of duplicating.
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(status=CertificateStatus.VALID),
                name="certificate_one_valid_per_enrollment",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in CertificateStatus]),
                name="certificate_status_valid",
            ),
            # A valid certificate carries no revocation data; a revoked one always has its date.
            models.CheckConstraint(
                condition=(
                    Q(
                        status=CertificateStatus.VALID,
                        revoked_at__isnull=True,
                        revocation_reason__isnull=True,
                        revoked_by__isnull=True,
                    )
                    | Q(status=CertificateStatus.REVOKED, revoked_at__isnull=False)
                ),
                name="certificate_revocation_consistent",
            ),
            models.CheckConstraint(
                condition=Q(certificate_number__startswith="CERT-"), name="certificate_number_prefix"
            ),
        ]
        indexes = [
            # my-certificates: a student's certificates newest first.
            models.Index(fields=["student", "-issued_at"], name="certificate_student_newest_idx"),
            # Admin list of an instructor's courses; the completion sweep's anti-join.
            models.Index(fields=["course", "status"], name="certificate_course_status_idx"),
            # The daily sweep: certificates whose PDF was never rendered (a small partial index).
            models.Index(fields=["issued_at"], condition=Q(pdf_key=""), name="certificate_unrendered_idx"),
        ]

    def __str__(self) -> str:
        return self.certificate_number

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID
