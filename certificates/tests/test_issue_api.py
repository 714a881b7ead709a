"""Issuing certificates (contract section 9): the completion hook, POST .../generate, my-certificates."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils.dateparse import parse_datetime

from accounts.tests.factories import AdminFactory, StudentFactory
from certificates.models import Certificate, CertificateStatus
from certificates.tests.conftest import PUBLIC_BASE_URL
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from conftest import client_for
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus
from enrollments.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^CERT-\d{8}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$")
MY_CERTIFICATES = "/api/v1/certificates/my-certificates"


def _generate(client, enrollment: Enrollment, body: dict | None = None):
    return client.post(f"/api/v1/certificates/enrollments/{enrollment.pk}/generate", body or {})


def _revoke(certificate: Certificate, reason: str = "Issued by mistake.") -> None:
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.REVOKED, revoked_at=certificate.issued_at, revocation_reason=reason
    )


# --- the completion hook -------------------------------------------------------------------------


def test_completing_the_last_lesson_issues_the_certificate_and_renders_its_pdf(
    student_client, student, instructor, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructor=instructor, is_published=True, title="Python from Zero")
    first, last = LessonFactory(course=course), LessonFactory(course=course)
    enrollment = EnrollmentFactory(student=student, course=course)
    prefix = f"/api/v1/enrollments/{enrollment.pk}/lessons"
    with django_capture_on_commit_callbacks(execute=True):
        assert student_client.post(f"{prefix}/{first.pk}/complete", {}).status_code == 200
    assert not Certificate.objects.exists()  # half-way: nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        assert student_client.post(f"{prefix}/{last.pk}/complete", {}).status_code == 200

    certificate = Certificate.objects.get()
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert (certificate.enrollment_id, certificate.student_id, certificate.course_id) == (
        enrollment.pk,
        student.pk,
        course.pk,
    )
    assert (certificate.student_name, certificate.course_title, certificate.instructor_name) == (
        "Sam Student",
        "Python from Zero",
        "Ivan Instructor",
    )
    assert certificate.status == CertificateStatus.VALID
    assert certificate.completion_date == enrollment.completed_at.date()
    assert NUMBER.match(certificate.certificate_number)
    assert certificate.certificate_number[5:13] == certificate.issued_at.strftime("%Y%m%d")
    assert enrollment.certificate_issued_at == certificate.issued_at
    # The PDF was rendered in the background task and stored under CERTIFICATES_DIR/<number>.pdf.
    assert certificate.pdf_key == f"certificates/{certificate.certificate_number}.pdf"
    with default_storage.open(certificate.pdf_key) as pdf:
        assert pdf.read(5) == b"%PDF-"
    # The congratulation e-mail went out after the certificate: it can say it is ready.
    assert "Your certificate is ready" in mail.outbox[-1].body


def test_the_completion_hook_is_idempotent(enrollment):
    from certificates.tasks import generate_certificate_task

    first = generate_certificate_task(str(enrollment.pk))
    second = generate_certificate_task(str(enrollment.pk))

    assert first == second == str(Certificate.objects.get().pk)


def test_the_completion_hook_never_undoes_a_revocation(enrollment):
    from certificates.tasks import generate_certificate_task

    revoked = CertificateFactory(enrollment=enrollment)
    _revoke(revoked)

    assert generate_certificate_task(str(enrollment.pk)) is None
    assert list(Certificate.objects.values_list("pk", "status")) == [(revoked.pk, CertificateStatus.REVOKED)]


def test_the_completion_hook_ignores_an_enrollment_that_is_not_completed(student, course):
    from certificates.tasks import generate_certificate_task

    enrollment = EnrollmentFactory(student=student, course=course)

    assert generate_certificate_task(str(enrollment.pk)) is None
    assert not Certificate.objects.exists()


def test_a_broker_outage_does_not_fail_the_completing_request(
    student_client, student, instructor, django_capture_on_commit_callbacks, monkeypatch
):
    from certificates.tasks import generate_certificate_task

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(generate_certificate_task, "apply_async", broker_down)
    course = CourseFactory(instructor=instructor, is_published=True)
    lesson = LessonFactory(course=course)
    enrollment = EnrollmentFactory(student=student, course=course)

    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(
            f"/api/v1/enrollments/{enrollment.pk}/lessons/{lesson.pk}/complete", {}
        )

    assert response.status_code == 200
    assert not Certificate.objects.exists()  # the hourly sweep will issue it


# --- POST /certificates/enrollments/{id}/generate -------------------------------------------------


def test_the_student_generates_the_certificate_of_a_completed_enrollment(
    student_client, student, enrollment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = _generate(student_client, enrollment)

    assert response.status_code == 201
    certificate = Certificate.objects.get()
    body = response.json()
    assert parse_datetime(body.pop("issued_at")) == certificate.issued_at
    assert body == {
        "id": str(certificate.pk),
        "certificate_number": certificate.certificate_number,
        "enrollment_id": str(enrollment.pk),
        "student_id": str(student.pk),
        "course_id": str(enrollment.course_id),
        "student_name": "Sam Student",
        "course_title": "Python from Zero",
        "instructor_name": "Ivan Instructor",
        "completion_date": "2026-11-24",
        "status": "valid",
        "revoked_at": None,
        "revocation_reason": None,
        "pdf_url": f"/api/v1/certificates/{certificate.pk}/download",
        "verification_url": f"{PUBLIC_BASE_URL}/verify/{certificate.certificate_number}",
    }
    assert NUMBER.match(certificate.certificate_number)
    # The response did not wait for the PDF: rendering is enqueued on commit.
    assert certificate.pdf_key == ""
    assert len(callbacks) == 1
    enrollment.refresh_from_db()
    assert enrollment.certificate_issued_at == certificate.issued_at


def test_verification_url_uses_the_request_host_without_public_base_url(settings, student_client, enrollment):
    settings.PUBLIC_BASE_URL = ""

    body = _generate(student_client, enrollment).json()

    assert body["verification_url"] == f"http://testserver/verify/{body['certificate_number']}"


def test_generate_again_returns_the_same_certificate_with_200(student_client, enrollment):
    first = _generate(student_client, enrollment)
    second = _generate(student_client, enrollment)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("manager", ["instructor", "admin"])
def test_the_course_managers_may_generate_for_the_student(request, manager, student, enrollment):
    response = _generate(client_for(request.getfixturevalue(manager)), enrollment)

    assert response.status_code == 201
    assert response.json()["student_id"] == str(student.pk)


def test_an_enrollment_that_is_not_completed_is_400(student_client, student, course):
    enrollment = EnrollmentFactory(student=student, course=course)

    response = _generate(student_client, enrollment)

    assert response.status_code == 400
    assert response.json()["code"] == "enrollment_not_complete"
    assert not Certificate.objects.exists()
    # Once it is completed, the same request succeeds.
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.COMPLETED)
    assert _generate(student_client, enrollment).status_code == 201


@pytest.mark.parametrize("caller", ["other_student", "other_instructor"])
def test_someone_elses_enrollment_is_404(request, caller, student_client, enrollment):
    response = _generate(client_for(request.getfixturevalue(caller)), enrollment)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Certificate.objects.exists()
    assert _generate(student_client, enrollment).status_code == 201


def test_an_unknown_enrollment_is_404_and_anonymous_is_401(api_client, student_client, enrollment):
    assert _generate(api_client, enrollment).status_code == 401
    response = student_client.post(
        "/api/v1/certificates/enrollments/00000000-0000-0000-0000-000000000000/generate", {}
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_revoked_certificate_is_409_for_the_student(student_client, enrollment):
    revoked = CertificateFactory(enrollment=enrollment)
    _revoke(revoked)

    response = _generate(student_client, enrollment)

    assert response.status_code == 409
    assert response.json()["code"] == "certificate_revoked"
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("caller", ["student", "instructor"])
def test_only_an_admin_may_reissue(request, caller, enrollment):
    revoked = CertificateFactory(enrollment=enrollment)
    _revoke(revoked)

    response = _generate(client_for(request.getfixturevalue(caller)), enrollment, {"reissue": True})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Certificate.objects.count() == 1


def test_an_admin_reissue_creates_a_new_certificate_and_the_old_one_verifies_as_revoked(
    admin_client, api_client, enrollment
):
    revoked = CertificateFactory(enrollment=enrollment)
    _revoke(revoked, reason="Plagiarised final project.")
    assert _generate(admin_client, enrollment).json()["code"] == "certificate_revoked"  # reissue needed

    response = _generate(admin_client, enrollment, {"reissue": True})

    assert response.status_code == 201
    new = Certificate.objects.get(pk=response.json()["id"])
    assert new.pk != revoked.pk
    assert new.certificate_number != revoked.certificate_number
    assert new.status == CertificateStatus.VALID
    revoked.refresh_from_db()
    assert revoked.status == CertificateStatus.REVOKED
    old = api_client.get(f"/api/v1/certificates/verify/{revoked.certificate_number}").json()
    assert (old["valid"], old["status"]) == (False, "revoked")
    assert old["certificate"]["revocation_reason"] == "Plagiarised final project."
    assert api_client.get(f"/api/v1/certificates/verify/{new.certificate_number}").json()["status"] == "valid"
    # Re-issuing again while the new one is valid just returns it.
    again = _generate(admin_client, enrollment, {"reissue": True})
    assert (again.status_code, again.json()["id"]) == (200, str(new.pk))


def test_generate_rejects_a_non_boolean_reissue(admin_client, enrollment):
    response = _generate(admin_client, enrollment, {"reissue": "perhaps"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "reissue" in response.json()["errors"]


def test_the_trailing_slash_form_works_for_post(student_client, enrollment):
    response = student_client.post(f"/api/v1/certificates/enrollments/{enrollment.pk}/generate/", {})

    assert response.status_code == 201


# --- frozen names --------------------------------------------------------------------------------


def test_names_and_title_are_frozen_at_issue(student_client, api_client, student, instructor, enrollment):
    certificate_id = _generate(student_client, enrollment).json()["id"]
    student.full_name = "Samantha Renamed"
    student.save()
    instructor.full_name = "Someone Else"
    instructor.save()
    enrollment.course.title = "A Different Title"
    enrollment.course.save()

    mine = student_client.get(MY_CERTIFICATES).json()["items"][0]
    number = mine["certificate_number"]
    public = api_client.get(f"/api/v1/certificates/verify/{number}").json()["certificate"]

    assert mine["id"] == certificate_id
    for shown in (mine, public):
        assert (shown["student_name"], shown["course_title"], shown["instructor_name"]) == (
            "Sam Student",
            "Python from Zero",
            "Ivan Instructor",
        )


def test_deleting_a_user_or_course_with_a_certificate_is_refused(enrollment):
    from django.db.models import ProtectedError

    certificate = CertificateFactory(enrollment=enrollment)

    for obj in (certificate.enrollment, certificate.course, certificate.student):
        with pytest.raises(ProtectedError):
            obj.delete()
    assert Certificate.objects.filter(pk=certificate.pk).exists()


# --- GET /certificates/my-certificates ------------------------------------------------------------


def test_my_certificates_lists_valid_and_revoked_newest_first(student_client, student, other_student):
    older = CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student))
    newer = CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student))
    Certificate.objects.filter(pk=older.pk).update(issued_at=newer.issued_at.replace(year=2025))
    _revoke(Certificate.objects.get(pk=older.pk))
    CertificateFactory(enrollment=CompletedEnrollmentFactory(student=other_student))

    response = student_client.get(MY_CERTIFICATES)

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (2, 1, 20, 1)
    assert [(item["id"], item["status"]) for item in body["items"]] == [
        (str(newer.pk), "valid"),
        (str(older.pk), "revoked"),
    ]
    assert 'rel="first"' in response["Link"]


def test_my_certificates_is_paginated(student_client, student):
    for _ in range(3):
        CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student))

    body = student_client.get(MY_CERTIFICATES, {"page": 2, "page_size": 2}).json()

    assert (len(body["items"]), body["total"], body["total_pages"]) == (1, 3, 2)
    assert student_client.get(MY_CERTIFICATES, {"page": "x"}).json()["code"] == "invalid"


def test_my_certificates_needs_authentication(api_client):
    assert api_client.get(MY_CERTIFICATES).status_code == 401


def test_my_certificates_query_count_does_not_grow_with_rows(
    student_client, student, django_assert_num_queries
):
    for _ in range(2):
        CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student))
    # auth user (+ deny-list EXISTS), COUNT of my certificates, the page (no join: names are frozen)
    with django_assert_num_queries(3):
        assert student_client.get(MY_CERTIFICATES).json()["total"] == 2

    for _ in range(8):
        CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student))
    with django_assert_num_queries(3):
        assert student_client.get(MY_CERTIFICATES).json()["total"] == 10


def test_an_admin_sees_only_their_own_certificates_in_my_certificates(enrollment):
    CertificateFactory(enrollment=enrollment)
    admin = AdminFactory()

    assert client_for(admin).get(MY_CERTIFICATES).json()["total"] == 0
    assert client_for(StudentFactory()).get(MY_CERTIFICATES).json()["items"] == []
