"""Revocation and public verification: POST .../revoke, GET .../verify/{number}, GET /verify/{number}."""

from __future__ import annotations

import pytest
from django.utils.dateparse import parse_datetime

from certificates.models import Certificate, CertificateStatus
from certificates.tests.factories import CertificateFactory
from conftest import client_for

pytestmark = pytest.mark.django_db

REASON = "Issued by mistake: the final project was not submitted."


@pytest.fixture
def certificate(enrollment) -> Certificate:
    return CertificateFactory(enrollment=enrollment)


def _revoke(client, certificate: Certificate, body: dict | None = None):
    return client.post(
        f"/api/v1/certificates/{certificate.pk}/revoke", body if body is not None else {"reason": REASON}
    )


def _verify(client, number: str):
    return client.get(f"/api/v1/certificates/verify/{number}")


# --- POST /certificates/{id}/revoke ---------------------------------------------------------------


@pytest.mark.parametrize("revoker", ["instructor", "admin"])
def test_the_course_instructor_or_an_admin_revokes(
    request, revoker, certificate, enrollment, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(revoker)
    enrollment.certificate_issued_at = certificate.issued_at
    enrollment.save()

    with django_capture_on_commit_callbacks() as callbacks:
        response = _revoke(client_for(user), certificate)

    assert response.status_code == 200
    body = response.json()
    certificate.refresh_from_db()
    assert body["id"] == str(certificate.pk)
    assert (body["status"], body["revocation_reason"]) == ("revoked", REASON)
    assert parse_datetime(body["revoked_at"]) == certificate.revoked_at
    assert (certificate.status, certificate.revoked_by_id) == (CertificateStatus.REVOKED, user.pk)
    enrollment.refresh_from_db()
    assert enrollment.certificate_issued_at is None  # no valid certificate any more
    assert len(callbacks) == 1  # the stored PDF is re-rendered with a REVOKED stamp


def test_the_student_may_not_revoke_their_own_certificate(student_client, instructor, certificate):
    response = _revoke(student_client, certificate)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert _revoke(client_for(instructor), certificate).status_code == 200


@pytest.mark.parametrize("caller", ["other_instructor", "other_student"])
def test_anyone_else_gets_404(request, caller, certificate):
    response = _revoke(client_for(request.getfixturevalue(caller)), certificate)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_revoking_twice_is_409(instructor, certificate):
    client = client_for(instructor)
    assert _revoke(client, certificate).status_code == 200

    response = _revoke(client, certificate, {"reason": "Again."})

    assert response.status_code == 409
    assert response.json()["code"] == "already_revoked"
    certificate.refresh_from_db()
    assert certificate.revocation_reason == REASON  # the first reason stays


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001}])
def test_a_reason_is_required(instructor, certificate, body):
    response = _revoke(client_for(instructor), certificate, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "reason" in response.json()["errors"]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_revoke_needs_authentication(api_client, certificate):
    assert _revoke(api_client, certificate).status_code == 401


# --- GET /certificates/verify/{number} --------------------------------------------------------------


def test_verify_a_valid_certificate(api_client, certificate):
    response = _verify(api_client, certificate.certificate_number)

    assert response.status_code == 200
    body = response.json()
    assert parse_datetime(body["certificate"].pop("issued_at")) == certificate.issued_at
    assert body == {
        "valid": True,
        "status": "valid",
        "certificate": {
            "certificate_number": certificate.certificate_number,
            "student_name": "Sam Student",
            "course_title": "Python from Zero",
            "instructor_name": "Ivan Instructor",
            "completion_date": "2026-11-24",
            "revoked_at": None,
            "revocation_reason": None,
        },
        "message": "This certificate is valid: Sam Student completed Python from Zero on 24 November 2026.",
    }


def test_verify_a_revoked_certificate(api_client, instructor, certificate):
    _revoke(client_for(instructor), certificate)

    body = _verify(api_client, certificate.certificate_number).json()

    assert (body["valid"], body["status"]) == (False, "revoked")
    assert body["certificate"]["revocation_reason"] == REASON
    assert body["certificate"]["revoked_at"] is not None
    assert "revoked" in body["message"]


@pytest.mark.parametrize(
    "number",
    [
        "CERT-20261124-0000000000",
        "not-a-number",
        "CERT-2026-ABC",
        "x" * 300,
        "CERT-20261124-UUUUUUUUUU",
        "%00",
        "a/b/",
        "CERT%0A",  # a line break: Django's `path:` converter found no route (a 404; found by fuzzing)
        "%F0%A0%80%81%C2%BB%0Auh%0A",
    ],
)
def test_verify_an_unknown_or_malformed_number_is_200_not_found(api_client, certificate, number):
    response = _verify(api_client, number)

    assert response.status_code == 200
    assert response.json() == {
        "valid": False,
        "status": "not_found",
        "certificate": None,
        "message": "No certificate with this number was issued here.",
    }


def test_verify_forgives_case_and_misread_characters(api_client, certificate):
    number = certificate.certificate_number
    typed = number[:14] + number[14:].lower().replace("0", "o").replace("1", "l")

    assert _verify(api_client, typed).json()["status"] == "valid"
    assert _verify(api_client, f"{number}/").json()["status"] == "valid"  # trailing slash


def test_verify_ignores_a_bad_token(api_client, certificate):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert _verify(api_client, certificate.certificate_number).status_code == 200


def test_verify_costs_one_query_and_none_for_a_malformed_number(
    api_client, certificate, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the certificate by number
        _verify(api_client, certificate.certificate_number)
    with django_assert_num_queries(0):
        _verify(api_client, "nonsense")


# --- GET /verify/{number} (HTML) ----------------------------------------------------------------------


def test_the_page_of_a_valid_certificate_says_valid_and_shows_the_names(api_client, certificate):
    response = api_client.get(f"/verify/{certificate.certificate_number}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "VALID" in page and "REVOKED" not in page
    for text in (
        "Sam Student",
        "Python from Zero",
        "Ivan Instructor",
        "24 November 2026",
        certificate.certificate_number,
    ):
        assert text in page
    assert 'name="viewport"' in page
    # Self-contained: nothing loaded from anywhere else.
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page


def test_the_page_of_a_revoked_certificate_says_revoked_with_the_reason(api_client, instructor, certificate):
    _revoke(client_for(instructor), certificate)

    response = api_client.get(f"/verify/{certificate.certificate_number}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "REVOKED" in page and REASON in page and "Sam Student" in page


@pytest.mark.parametrize(
    "number", ["CERT-20261124-0000000000", "garbage", "<script>alert(1)</script>", "a/b/c", "CERT%0A"]
)
def test_the_page_of_an_unknown_number_is_404_not_found(api_client, number):
    response = api_client.get(f"/verify/{number}")

    assert response.status_code == 404
    page = response.content.decode()
    assert "NOT FOUND" in page
    assert "<script>alert" not in page  # the number typed is shown escaped


def test_the_page_escapes_names(api_client, enrollment):
    certificate = CertificateFactory(enrollment=enrollment, student_name="<b>Bold</b> & co")

    page = api_client.get(f"/verify/{certificate.certificate_number}").content.decode()

    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page


def test_the_page_refuses_post(api_client, certificate):
    assert api_client.post(f"/verify/{certificate.certificate_number}").status_code == 405


def test_the_lean_verification_dict_is_exactly_verification_out(instructor, certificate, student):
    """The verify endpoint builds its body without DRF (issue 7); it must stay VerificationOut's."""
    from certificates.selectors import certificate_verify
    from certificates.serializers import VerificationOut, verification_to_dict
    from certificates.services import certificate_revoke

    results = [
        certificate_verify(certificate_number=certificate.certificate_number),
        certificate_verify(certificate_number="CERT-20260101-0000000000"),
    ]
    certificate_revoke(certificate=certificate, actor=instructor, reason="Issued by mistake <b>x</b>")
    results.append(certificate_verify(certificate_number=certificate.certificate_number))
    assert [r["status"] for r in results] == ["valid", "not_found", "revoked"]
    for result in results:
        assert verification_to_dict(result) == VerificationOut(result).data
        assert list(verification_to_dict(result)) == list(VerificationOut(result).data)
