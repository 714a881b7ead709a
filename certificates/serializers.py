"""Shapes of the certificates API (contract section 9)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from courses.serializers import datetime_out
from lms_project.serializers import InputSerializer

from . import links
from .models import Certificate, CertificateStatus


class CertificateOut(serializers.Serializer):
    """A certificate. `verification_url` is absolute (PUBLIC_BASE_URL, else the request's host);
    `pdf_url` is the API download path. Pass the request in the context."""

    id = serializers.UUIDField()
    certificate_number = serializers.CharField()
    enrollment_id = serializers.UUIDField()
    student_id = serializers.UUIDField()
    course_id = serializers.UUIDField()
    student_name = serializers.CharField()
    course_title = serializers.CharField()
    instructor_name = serializers.CharField()
    completion_date = serializers.DateField()
    issued_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField(allow_null=True)
    pdf_url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    def get_pdf_url(self, obj: Certificate) -> str:
        return links.pdf_url(obj.pk)

    def get_verification_url(self, obj: Certificate) -> str:
        return links.verification_url(obj.certificate_number, self.context.get("request"))


class VerifiedCertificateOut(serializers.Serializer):
    """The public facts of a certificate: no ids, no links to private resources."""

    certificate_number = serializers.CharField()
    student_name = serializers.CharField()
    course_title = serializers.CharField()
    instructor_name = serializers.CharField()
    completion_date = serializers.DateField()
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField(allow_null=True)


class VerificationOut(serializers.Serializer):
    valid = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["valid", "revoked", "not_found"])
    certificate = VerifiedCertificateOut(allow_null=True)
    message = serializers.CharField()


def verification_to_dict(result: dict[str, Any]) -> dict[str, Any]:
    """`VerificationOut(result).data` as a plain dict (the public verify endpoint is a hot read;
    VerificationOut stays the contract and the schema, and a test asserts both give the same)."""
    certificate = result["certificate"]
    tz = timezone.get_current_timezone()
    facts = None
    if certificate is not None:
        facts = {
            "certificate_number": str(certificate.certificate_number),
            "student_name": str(certificate.student_name),
            "course_title": str(certificate.course_title),
            "instructor_name": str(certificate.instructor_name),
            "completion_date": certificate.completion_date.isoformat(),
            "issued_at": datetime_out(certificate.issued_at, tz),
            "revoked_at": datetime_out(certificate.revoked_at, tz),
            "revocation_reason": None
            if certificate.revocation_reason is None
            else str(certificate.revocation_reason),
        }
    return {
        "valid": bool(result["valid"]),
        "status": str(result["status"]),
        "certificate": facts,
        "message": str(result["message"]),
    }


class GenerateIn(InputSerializer):
    reissue = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Admins only: issue a new certificate (new number) when the previous one was revoked.",
    )


class RevokeIn(InputSerializer):
    reason = serializers.CharField(max_length=1000, help_text="Why it is revoked; shown on the verify page.")
