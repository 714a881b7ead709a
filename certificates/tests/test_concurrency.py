"""Races on real PostgreSQL connections: concurrent generate calls create exactly one certificate."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from accounts.tokens import issue_token_pair
from certificates.models import Certificate
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from courses.tests.factories import CourseFactory
from enrollments.models import Enrollment
from lms_project.testing import postgres_only, run_concurrently

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only, pytest.mark.postgres]

THREADS = 10


def _post(user: User, url: str, body: dict | None = None) -> Callable[[], int]:
    token = f"Bearer {issue_token_pair(user).access_token}"

    def request() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        return client.post(url, body or {}, format="json").status_code

    return request


def _completed_enrollment() -> Enrollment:
    course = CourseFactory(instructor=InstructorFactory(), is_published=True)
    return CompletedEnrollmentFactory(student=StudentFactory(), course=course)


def test_concurrent_generate_calls_create_exactly_one_certificate():
    enrollment = _completed_enrollment()
    url = f"/api/v1/certificates/enrollments/{enrollment.pk}/generate"

    statuses = run_concurrently([_post(enrollment.student, url)] * THREADS)

    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.pdf_key  # rendered once, after the commit of the one that created it
    enrollment.refresh_from_db()
    assert enrollment.certificate_issued_at == certificate.issued_at


def test_concurrent_admin_reissues_after_a_revocation_create_one_new_certificate():
    enrollment = _completed_enrollment()
    CertificateFactory(
        enrollment=enrollment, status="revoked", revoked_at="2026-11-25T10:00:00Z", revocation_reason="x"
    )
    admin = AdminFactory()
    url = f"/api/v1/certificates/enrollments/{enrollment.pk}/generate"

    statuses = run_concurrently([_post(admin, url, {"reissue": True})] * THREADS)

    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert sorted(Certificate.objects.filter(enrollment=enrollment).values_list("status", flat=True)) == [
        "revoked",
        "valid",
    ]


def test_the_database_refuses_a_second_valid_certificate_for_one_enrollment():
    from django.db import IntegrityError

    certificate = CertificateFactory()

    with pytest.raises(IntegrityError):
        CertificateFactory(enrollment=certificate.enrollment)
