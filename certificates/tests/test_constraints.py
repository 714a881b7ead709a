"""Single-row rules kept by the database (both SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.models import Certificate, CertificateStatus
from certificates.numbers import CROCKFORD_ALPHABET, new_certificate_number, normalize
from certificates.tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db


def _fails(**changes) -> bool:
    certificate = CertificateFactory()
    try:
        with transaction.atomic():
            Certificate.objects.filter(pk=certificate.pk).update(**changes)
    except IntegrityError:
        return True
    return False


def test_one_valid_certificate_per_enrollment_but_revoked_ones_may_stay():
    first = CertificateFactory()
    Certificate.objects.filter(pk=first.pk).update(
        status=CertificateStatus.REVOKED, revoked_at=timezone.now()
    )
    CertificateFactory(enrollment=first.enrollment)  # a re-issue: fine

    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(enrollment=first.enrollment)


def test_status_and_revocation_fields_must_agree():
    assert _fails(status="expired")
    assert _fails(status=CertificateStatus.REVOKED)  # revoked without a date
    assert _fails(revoked_at=timezone.now())  # valid with a revocation date
    assert _fails(revocation_reason="why")  # valid with a reason
    assert not _fails(status=CertificateStatus.REVOKED, revoked_at=timezone.now(), revocation_reason="why")


def test_numbers_are_unique_and_well_formed():
    first = CertificateFactory()
    assert _fails(certificate_number=first.certificate_number)
    assert _fails(certificate_number="NOPE-1")


def test_new_numbers_use_the_date_and_the_crockford_alphabet():
    numbers = {new_certificate_number(timezone.datetime(2026, 11, 24).date()) for _ in range(200)}

    assert len(numbers) == 200
    for number in numbers:
        assert number.startswith("CERT-20261124-")
        assert len(number) == 24 and set(number[14:]) <= set(CROCKFORD_ALPHABET)
        assert normalize(number) == number


def test_a_number_collision_is_retried(enrollment, monkeypatch):
    from certificates import services

    taken = CertificateFactory().certificate_number
    numbers = iter([taken, "CERT-20261125-ABCDEFGHJK"])
    monkeypatch.setattr(services, "new_certificate_number", lambda today: next(numbers))

    certificate, created = services.certificate_issue(enrollment_id=enrollment.pk, actor=enrollment.student)

    assert created and certificate.certificate_number == "CERT-20261125-ABCDEFGHJK"
