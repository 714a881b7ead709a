"""Certificates in the Django admin: read-only records scoped to the instructor's courses; revoke and
re-render are actions through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from certificates.models import Certificate, CertificateStatus
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from courses.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

CERTIFICATES = "/admin/certificates/certificate/"


def _logged_in(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def two_certificates(instructor, other_instructor) -> dict[str, Certificate]:
    mine = CourseFactory(instructor=instructor, title="My course", is_published=True)
    theirs = CourseFactory(instructor=other_instructor, title="Their course", is_published=True)
    return {
        "mine": CertificateFactory(
            enrollment=CompletedEnrollmentFactory(
                course=mine, student=StudentFactory(email="in-my-course@example.com")
            )
        ),
        "theirs": CertificateFactory(
            enrollment=CompletedEnrollmentFactory(
                course=theirs, student=StudentFactory(email="in-their-course@example.com")
            )
        ),
    }


def _action(client: Client, action: str, certificates: list[Certificate], **extra):
    return client.post(
        CERTIFICATES, {"action": action, "_selected_action": [str(c.pk) for c in certificates], **extra}
    )


def test_an_instructor_sees_only_the_certificates_of_their_courses(instructor, two_certificates):
    client = _logged_in(instructor)

    page = client.get(CERTIFICATES).content.decode()

    assert "in-my-course@example.com" in page and two_certificates["mine"].certificate_number in page
    assert "in-their-course@example.com" not in page
    assert client.get(f"{CERTIFICATES}{two_certificates['mine'].pk}/change/").status_code == 200
    assert client.get(f"{CERTIFICATES}{two_certificates['theirs'].pk}/change/")["Location"] == "/admin/"


def test_the_list_searches_by_number_email_and_title_and_filters_by_status(admin, two_certificates):
    client = _logged_in(admin)
    theirs = two_certificates["theirs"]
    Certificate.objects.filter(pk=theirs.pk).update(status="revoked", revoked_at=theirs.issued_at)

    for query in (theirs.certificate_number, "in-their-course@example.com", "Their course"):
        page = client.get(CERTIFICATES, {"q": query}).content.decode()
        assert "in-their-course@example.com" in page and "in-my-course@example.com" not in page
    page = client.get(CERTIFICATES, {"status__exact": "valid"}).content.decode()
    assert "in-my-course@example.com" in page and "in-their-course@example.com" not in page


def test_certificates_cannot_be_added_or_deleted_in_the_admin(admin, two_certificates):
    client = _logged_in(admin)

    assert client.get(f"{CERTIFICATES}add/").status_code == 403
    assert client.get(f"{CERTIFICATES}{two_certificates['mine'].pk}/delete/").status_code == 403


def test_revoke_asks_for_a_reason_then_revokes_through_the_service(
    instructor, two_certificates, django_capture_on_commit_callbacks
):
    client = _logged_in(instructor)
    mine = two_certificates["mine"]

    page = _action(client, "revoke_certificates", [mine])
    assert page.status_code == 200
    assert f"Revoked in the admin by {instructor.email}" in page.content.decode()  # pre-filled
    mine.refresh_from_db()
    assert mine.status == CertificateStatus.VALID  # nothing happened yet

    with django_capture_on_commit_callbacks(execute=True):
        done = _action(client, "revoke_certificates", [mine], apply="yes", reason="Plagiarism.")

    assert done.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.revocation_reason, mine.revoked_by_id) == (
        CertificateStatus.REVOKED,
        "Plagiarism.",
        instructor.pk,
    )
    assert mine.pdf_key  # re-rendered with the stamp


def test_revoke_needs_a_reason(admin, two_certificates):
    mine = two_certificates["mine"]

    response = _action(_logged_in(admin), "revoke_certificates", [mine], apply="yes", reason="")

    assert response.status_code == 200  # the form again, with its error
    mine.refresh_from_db()
    assert mine.status == CertificateStatus.VALID


def test_revoking_a_revoked_certificate_shows_the_service_error(admin, two_certificates):
    mine = two_certificates["mine"]
    client = _logged_in(admin)
    _action(client, "revoke_certificates", [mine], apply="yes", reason="First.")

    response = _action(client, "revoke_certificates", [mine], apply="yes", reason="Second.")

    assert response.status_code == 302
    page = client.get(CERTIFICATES).content.decode()
    assert "already revoked" in page
    mine.refresh_from_db()
    assert mine.revocation_reason == "First."


def test_an_instructor_cannot_act_on_another_instructors_certificate(instructor, two_certificates):
    theirs = two_certificates["theirs"]

    _action(_logged_in(instructor), "revoke_certificates", [theirs], apply="yes", reason="Nope.")

    theirs.refresh_from_db()
    assert theirs.status == CertificateStatus.VALID  # outside their queryset


def test_rerender_and_pdf_download_in_the_admin(admin, two_certificates):
    client = _logged_in(admin)
    mine = two_certificates["mine"]

    assert _action(client, "rerender_pdfs", [mine]).status_code == 302
    mine.refresh_from_db()
    assert mine.pdf_key

    response = client.get(f"{CERTIFICATES}{mine.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_an_instructor_cannot_download_another_instructors_pdf_in_the_admin(instructor, two_certificates):
    response = _logged_in(instructor).get(f"{CERTIFICATES}{two_certificates['theirs'].pk}/pdf/")

    assert response.status_code == 404
