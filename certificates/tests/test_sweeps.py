"""The beat sweeps: issue missing certificates (hourly), re-render missing PDFs (daily)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from certificates import tasks
from certificates.models import Certificate, CertificateStatus
from certificates.services import certificate_render_pdf, enrollments_missing_certificates
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from enrollments.models import Enrollment
from enrollments.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def test_the_beat_schedules_exist_on_the_certificates_queue():
    rows = {
        row.task: row
        for row in PeriodicTask.objects.filter(task__startswith="certificates.tasks.").select_related(
            "crontab"
        )
    }

    hourly = rows["certificates.tasks.issue_missing_certificates_task"]
    daily = rows["certificates.tasks.render_missing_certificate_pdfs_task"]
    assert (hourly.enabled, hourly.queue, hourly.crontab.hour) == (True, "certificates", "*")
    assert (daily.enabled, daily.queue, daily.crontab.hour, daily.crontab.minute) == (
        True,
        "certificates",
        "3",
        "40",
    )


def test_the_hourly_sweep_issues_missing_certificates_once(django_capture_on_commit_callbacks):
    missing = CompletedEnrollmentFactory.create_batch(2)
    already = CertificateFactory().enrollment
    revoked = CertificateFactory(
        status=CertificateStatus.REVOKED, revoked_at="2026-11-25T10:00:00Z", revocation_reason="Mistake."
    ).enrollment
    EnrollmentFactory()  # active: nothing to issue

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.issue_missing_certificates_task() == 2

    issued = Certificate.objects.filter(enrollment__in=missing)
    assert sorted(issued.values_list("enrollment_id", flat=True)) == sorted(e.pk for e in missing)
    assert all(certificate.pdf_key for certificate in issued)  # rendered after commit
    assert Certificate.objects.filter(enrollment=already).count() == 1
    # A revoked certificate is never replaced by a sweep.
    assert list(Certificate.objects.filter(enrollment=revoked).values_list("status", flat=True)) == [
        "revoked"
    ]
    assert Enrollment.objects.get(pk=missing[0].pk).certificate_issued_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.issue_missing_certificates_task() == 0  # idempotent
    assert Certificate.objects.count() == 4


def test_finding_the_missing_certificates_is_one_query(django_assert_num_queries):
    CompletedEnrollmentFactory.create_batch(3)
    CertificateFactory.create_batch(2)

    with django_assert_num_queries(1):  # completed enrollments without any certificate (anti-join)
        assert len(enrollments_missing_certificates(limit=100)) == 3


def test_the_daily_sweep_renders_missing_pdfs_once(django_capture_on_commit_callbacks):
    never_rendered = CertificateFactory()
    file_lost = certificate_render_pdf(certificate_id=CertificateFactory().pk)
    default_storage.delete(file_lost.pdf_key)
    fine = certificate_render_pdf(certificate_id=CertificateFactory().pk)
    fine_rendered_at = fine.pdf_rendered_at
    # Revoked after its PDF was rendered, and the re-render after the revocation was lost.
    stale = certificate_render_pdf(certificate_id=CertificateFactory().pk)
    Certificate.objects.filter(pk=stale.pk).update(
        status=CertificateStatus.REVOKED, revoked_at=timezone.now()
    )

    assert tasks.render_missing_certificate_pdfs_task() == 3

    stale.refresh_from_db()
    assert stale.pdf_rendered_at > stale.revoked_at
    for certificate in (never_rendered, file_lost):
        certificate.refresh_from_db()
        assert certificate.pdf_key == f"certificates/{certificate.certificate_number}.pdf"
        assert default_storage.exists(certificate.pdf_key)
    fine.refresh_from_db()
    assert fine.pdf_rendered_at == fine_rendered_at  # untouched
    assert tasks.render_missing_certificate_pdfs_task() == 0  # idempotent


def test_finding_the_missing_pdfs_is_two_queries_whatever_the_rows(django_assert_num_queries):
    from certificates.services import certificates_missing_pdfs

    CertificateFactory.create_batch(2)
    for certificate in CertificateFactory.create_batch(3):
        certificate_render_pdf(certificate_id=certificate.pk)

    # never-rendered ids; the (id, key) pairs of rendered ones, checked against one storage listing
    with django_assert_num_queries(2):
        assert len(certificates_missing_pdfs(limit=100)) == 2


def test_the_render_sweep_treats_an_empty_storage_as_all_missing(settings, tmp_path):
    certificate = certificate_render_pdf(certificate_id=CertificateFactory().pk)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "empty"), "base_url": None},
        },
    }

    assert tasks.render_missing_certificate_pdfs_task() == 1
    assert default_storage.exists(Certificate.objects.get(pk=certificate.pk).pdf_key)
