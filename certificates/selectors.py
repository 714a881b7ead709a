"""Reads of certificates, scoped to the caller.

A certificate is readable by its student and by the managers of its course (the course's instructor
and admins); for everybody else it does not exist (404). Verification is public and reads by number.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from courses.selectors import is_manager
from lms_project.exceptions import NotFound

from .models import Certificate
from .numbers import normalize


def certificate_get(*, certificate_id: Any, user: Any) -> Certificate:
    """A certificate the caller may read: its student or a manager of its course (404 otherwise)."""
    certificate = (
        Certificate.objects.select_related("course").filter(pk=certificate_id).first()
        if user and user.is_authenticated
        else None
    )
    if certificate is None or not (certificate.student_id == user.pk or is_manager(user, certificate.course)):
        raise NotFound("Certificate not found.")
    return certificate


def certificate_list_for_student(*, student: Any) -> QuerySet[Certificate]:
    """my-certificates: valid and revoked, newest first. Every field shown is on the row itself
    (names frozen at issue), so the page needs no join."""
    return (
        Certificate.objects.filter(student_id=student.pk)
        .defer("pdf_key", "pdf_rendered_at", "revoked_by")
        .order_by("-issued_at", "-id")
    )


def certificate_find_by_number(*, certificate_number: str) -> Certificate | None:
    """The certificate with this number (typed by a person: case and o/0, i/l/1 misreadings are
    forgiven), or None. A string that cannot be a number costs no query."""
    number = normalize(certificate_number)
    if number is None:
        return None
    return Certificate.objects.filter(certificate_number=number).first()


def certificate_verify(*, certificate_number: str) -> dict[str, Any]:
    """What the public verification endpoint and page say about a number: always an answer."""
    certificate = certificate_find_by_number(certificate_number=certificate_number)
    if certificate is None:
        return {
            "valid": False,
            "status": "not_found",
            "certificate": None,
            "message": "No certificate with this number was issued here.",
        }
    if certificate.is_valid:
        message = (
            f"This certificate is valid: {certificate.student_name} completed "
            f"{certificate.course_title} on {certificate.completion_date:%d %B %Y}."
        )
    else:
        message = f"This certificate was revoked on {certificate.revoked_at:%d %B %Y} and is no longer valid."
    return {
        "valid": certificate.is_valid,
        "status": certificate.status,
        "certificate": certificate,
        "message": message,
    }
