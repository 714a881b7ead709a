"""Certificates endpoints (contract section 9) and the public verification page.

Thin: check, validate, call one service or selector, serialize.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollments.selectors import enrollment_get
from lms_project.openapi import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR, error
from lms_project.pagination import PageNumberPagination, paginate, paginated_response
from lms_project.views import PublicView

from . import selectors, services
from .serializers import CertificateOut, GenerateIn, RevokeIn, VerificationOut, verification_to_dict

CERTIFICATE_EXAMPLE = {
    "id": "0b7e2c1d-3f4a-4b5c-8d6e-7f8091a2b3c4",
    "certificate_number": "CERT-20261124-7K3M9QZ2XA",
    "enrollment_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "student_id": "9b2f6a3e-8f3c-4a8e-9a57-0c1f2b3d4e5f",
    "course_id": "3f1c2b9a-5d7e-4c11-9a0b-7e2d1c4b5a60",
    "student_name": "Sam Student",
    "course_title": "Python from Zero",
    "instructor_name": "Grace Hopper",
    "completion_date": "2026-11-24",
    "issued_at": "2026-11-24T18:02:11Z",
    "status": "valid",
    "revoked_at": None,
    "revocation_reason": None,
    "pdf_url": "/api/v1/certificates/0b7e2c1d-3f4a-4b5c-8d6e-7f8091a2b3c4/download",
    "verification_url": "https://lms.example.com/verify/CERT-20261124-7K3M9QZ2XA",
}
REVOKED_EXAMPLE = {
    **CERTIFICATE_EXAMPLE,
    "status": "revoked",
    "revoked_at": "2026-11-30T09:00:00Z",
    "revocation_reason": "Issued by mistake: the final project was not submitted.",
}
OLDER_REVOKED_EXAMPLE = {
    **REVOKED_EXAMPLE,
    "id": "5d1f0e9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f",
    "certificate_number": "CERT-20250310-Q4V8N2K6TW",
    "enrollment_id": "2a4c6e80-1b3d-4f5a-8c7e-9d0f1a2b3c4d",
    "course_id": "6e5d4c3b-2a19-4f8e-8d7c-6b5a49382716",
    "course_title": "SQL Basics",
    "completion_date": "2025-03-09",
    "issued_at": "2025-03-10T08:00:00Z",
    "revoked_at": "2025-04-01T12:00:00Z",
    "pdf_url": "/api/v1/certificates/5d1f0e9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f/download",
    "verification_url": "https://lms.example.com/verify/CERT-20250310-Q4V8N2K6TW",
}
_PUBLIC_KEYS = (
    "certificate_number",
    "student_name",
    "course_title",
    "instructor_name",
    "completion_date",
    "issued_at",
    "revoked_at",
    "revocation_reason",
)
CERTIFICATE_RESPONSE = OpenApiResponse(
    CertificateOut, examples=[OpenApiExample("Certificate", value=CERTIFICATE_EXAMPLE)]
)
NOT_COMPLETE = error("The enrollment is not completed yet.", "enrollment_not_complete")


class GenerateView(APIView):
    @extend_schema(
        tags=["certificates"],
        summary="Issue the certificate of a completed enrollment (its student or the course's managers)",
        description=(
            "Idempotent: 201 with a new certificate, 200 with the valid one that exists. The PDF is "
            "rendered in the background; `pdf_url` renders it on demand if it is not ready yet. "
            'When the certificate was revoked, 409 `certificate_revoked`; an admin may send `{"reissue": '
            "true}` for a new certificate with a new number (the revoked one stays, and verifies as revoked)."
        ),
        request=GenerateIn,
        responses={
            201: CERTIFICATE_RESPONSE,
            200: OpenApiResponse(
                CertificateOut, description="The enrollment already has a valid certificate."
            ),
            400: NOT_COMPLETE,
            401: UNAUTHORIZED,
            403: error("Only an admin may re-issue a revoked certificate.", "permission_denied"),
            404: NOT_FOUND,
            409: error("The certificate was revoked.", "certificate_revoked"),
        },
        examples=[
            OpenApiExample("Generate", request_only=True, value={}),
            OpenApiExample("Admin re-issue after a revocation", request_only=True, value={"reissue": True}),
        ],
    )
    def post(self, request: Request, enrollment_id) -> Response:
        enrollment = enrollment_get(enrollment_id=enrollment_id, user=request.user)
        data = GenerateIn.validate_request(request)
        certificate, created = services.certificate_issue(
            enrollment_id=enrollment.pk, actor=request.user, reissue=data["reissue"]
        )
        return Response(
            CertificateOut(certificate, context={"request": request}).data, status=201 if created else 200
        )


class MyCertificatesView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["certificates"],
        summary="My certificates, newest first (valid and revoked)",
        responses={
            200: OpenApiResponse(
                CertificateOut(many=True),
                examples=[OpenApiExample("Certificates", value=[CERTIFICATE_EXAMPLE, OLDER_REVOKED_EXAMPLE])],
            ),
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
        },
    )
    def get(self, request: Request) -> Response:
        page = paginate(selectors.certificate_list_for_student(student=request.user), request)
        return paginated_response(
            request, page, CertificateOut(page.items, many=True, context={"request": request}).data
        )


class DownloadView(APIView):
    # Errors are JSON even for a client that sent `Accept: application/pdf`; the PDF itself is a
    # plain FileResponse that bypasses DRF's renderers.
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=["certificates"],
        summary="Download the certificate PDF (its student or the course's managers)",
        description="A4 landscape. Rendered now when it is not stored yet (or the stored file is gone).",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=(
                    'The PDF, as an attachment: `Content-Disposition: attachment; filename="<number>.pdf"`.'
                ),
            ),
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, certificate_id) -> FileResponse:
        certificate = selectors.certificate_get(certificate_id=certificate_id, user=request.user)
        pdf = services.certificate_pdf_open(certificate=certificate)
        response = FileResponse(
            pdf,
            as_attachment=True,
            filename=f"{certificate.certificate_number}.pdf",
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"  # a revocation re-renders the same URL
        return response


class RevokeView(APIView):
    @extend_schema(
        tags=["certificates"],
        summary="Revoke a certificate (an admin, or the course's instructor)",
        description="The certificate's number keeps verifying, as revoked, with the reason.",
        request=RevokeIn,
        responses={
            200: OpenApiResponse(CertificateOut, examples=[OpenApiExample("Revoked", value=REVOKED_EXAMPLE)]),
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("The certificate is already revoked.", "already_revoked"),
        },
        examples=[
            OpenApiExample(
                "Revoke",
                request_only=True,
                value={"reason": "Issued by mistake: the final project was not submitted."},
            )
        ],
    )
    def post(self, request: Request, certificate_id) -> Response:
        certificate = selectors.certificate_get(certificate_id=certificate_id, user=request.user)
        data = RevokeIn.validate_request(request)
        certificate = services.certificate_revoke(
            certificate=certificate, actor=request.user, reason=data["reason"]
        )
        return Response(CertificateOut(certificate, context={"request": request}).data)


class VerifyView(PublicView):
    @extend_schema(
        tags=["certificates"],
        summary="Verify a certificate number (public; always 200, also for unknown numbers)",
        description=(
            "Numbers are matched case-insensitively, with the usual misreadings of Crockford base32 "
            "forgiven (O for 0, I or L for 1). The page for people is `GET /verify/{certificate_number}`."
        ),
        responses={
            200: OpenApiResponse(
                VerificationOut,
                examples=[
                    OpenApiExample(
                        "valid",
                        value={
                            "valid": True,
                            "status": "valid",
                            "certificate": {key: CERTIFICATE_EXAMPLE[key] for key in _PUBLIC_KEYS},
                            "message": "This certificate is valid: Sam Student completed Python from Zero "
                            "on 24 November 2026.",
                        },
                    ),
                    OpenApiExample(
                        "revoked",
                        value={
                            "valid": False,
                            "status": "revoked",
                            "certificate": {key: REVOKED_EXAMPLE[key] for key in _PUBLIC_KEYS},
                            "message": (
                                "This certificate was revoked on 30 November 2026 and is no longer valid."
                            ),
                        },
                    ),
                    OpenApiExample(
                        "not_found",
                        value={
                            "valid": False,
                            "status": "not_found",
                            "certificate": None,
                            "message": "No certificate with this number was issued here.",
                        },
                    ),
                ],
            )
        },
    )
    def get(self, request: Request, certificate_number: str) -> Response:
        result = selectors.certificate_verify(certificate_number=certificate_number)
        return Response(verification_to_dict(result))


@require_safe
def verify_page(request: HttpRequest, certificate_number: str) -> HttpResponse:
    """The public page a QR code leads to: VALID / REVOKED (200) or NOT FOUND (404). No external
    assets, no scripts; readable on a phone."""
    result = selectors.certificate_verify(certificate_number=certificate_number)
    response = render(
        request,
        "certificates/verify.html",
        {**result, "requested_number": certificate_number[:64], "project_name": settings.PROJECT_NAME},
        status=404 if result["status"] == "not_found" else 200,
    )
    # A revocation must show at once: no shared caches, revalidate every time.
    response["Cache-Control"] = "no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
