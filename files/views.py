"""Files endpoints. Thin: check, validate, call one service or selector, serialize."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasPermission, Perm
from lms_project.openapi import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR, ErrorOut, error
from lms_project.pagination import PageNumberPagination, paginate, paginated_response

from . import links, selectors, services
from .responses import local_file_response, remote_redirect_response
from .serializers import DownloadUrlOut, FileListQuery, FileUploadIn, UploadedFileOut
from .storage import file_storage, is_local

FILE_EXAMPLE = {
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "filename": "4f1d2c3b5a6e4d7f8a9b0c1d2e3f4a5b.mp4",
    "original_filename": "Lecture 1 - Introduction.mp4",
    "file_url": "/api/v1/files/download/7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "file_type": "video",
    "mime_type": "video/mp4",
    "file_size": 52428800,
    "folder": "courses/python-101",
    "is_public": False,
    "storage_provider": "local",
    "checksum_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "created_at": "2026-11-20T10:00:00Z",
}
FILE_RESPONSE = OpenApiResponse(UploadedFileOut, examples=[OpenApiExample("File", value=FILE_EXAMPLE)])
TOO_LARGE = OpenApiResponse(
    ErrorOut,
    description="The file is over `MAX_UPLOAD_MB` (refused while streaming) or over the quota.",
    examples=[
        OpenApiExample(
            "file_too_large",
            value={"detail": "The file is larger than the 100 MB limit.", "code": "file_too_large"},
        ),
        OpenApiExample(
            "quota_exceeded",
            value={
                "detail": "This upload would exceed your storage quota of 1024 MB.",
                "code": "quota_exceeded",
            },
        ),
    ],
)
UPLOAD_REFUSED = OpenApiResponse(
    ErrorOut,
    description="The upload was refused: see `code`.",
    examples=[
        OpenApiExample(
            code,
            value={"detail": detail, "code": code, "errors": {field: [detail]}},
        )
        for code, field, detail in (
            ("empty_file", "file", "The file is empty."),
            ("extension_not_allowed", "file", "Files of this type are not accepted. Allowed: mp4, pdf, png."),
            ("content_mismatch", "file", "The file's content is not a .pdf file."),
            ("invalid_folder", "folder", "Use letters, digits, '-', '_' and '/' between names."),
            ("invalid", "file", "No file was submitted."),
        )
    ],
)
LINK_REFUSED = OpenApiResponse(
    ErrorOut,
    description="A signed link that was tampered with, or is older than `FILE_DOWNLOAD_URL_EXPIRE_SECONDS`.",
    examples=[
        OpenApiExample(
            "invalid_signature",
            value={"detail": "This download link is not valid.", "code": "invalid_signature"},
        ),
        OpenApiExample(
            "link_expired", value={"detail": "This download link has expired.", "code": "link_expired"}
        ),
    ],
)


class FileUploadView(APIView):
    permission_classes = [HasPermission(Perm.FILES_UPLOAD)]
    # Multipart only; the body is read by lms_project.uploads.StreamingUploadHandler (FILE_UPLOAD_HANDLERS).
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["files"],
        summary="Upload a file (multipart; refused while streaming when over MAX_UPLOAD_MB)",
        request={"multipart/form-data": FileUploadIn},
        responses={
            201: FILE_RESPONSE,
            400: UPLOAD_REFUSED,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            413: TOO_LARGE,
            415: error("The body is not multipart/form-data.", "unsupported_media_type"),
        },
        examples=[
            OpenApiExample(
                "Lecture video",
                request_only=True,
                media_type="multipart/form-data",
                value={"file": "(binary)", "folder": "courses/python-101", "is_public": False},
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = FileUploadIn.validate_request(request)
        file = services.file_upload(
            uploader=request.user, upload=data["file"], folder=data["folder"], is_public=data["is_public"]
        )
        return Response(UploadedFileOut(file).data, status=201)


class MyFilesView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["files"],
        summary="Your uploads, newest first (paginated; filters file_type, folder)",
        parameters=[FileListQuery],
        responses={200: UploadedFileOut(many=True), 400: VALIDATION_ERROR, 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        filters = FileListQuery.validate_query(request)
        page = paginate(selectors.file_list(user=request.user, **filters), request)
        return paginated_response(request, page, UploadedFileOut(page.items, many=True).data)


class FileDownloadView(APIView):
    """Public route: the uploader, admins, anyone for a public file, or anyone holding a valid
    signed link (`?signature=`), which is checked before and instead of authentication."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]  # errors only; the bytes are not rendered

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A player or browser may accept only `video/*` or `application/pdf`: never a 406 for that.
        return super().perform_content_negotiation(request, force=True)

    def perform_authentication(self, request: Request) -> None:
        # A signed link is its own credential: a stale bearer header beside it must not cause a 401.
        if links.SIGNATURE_PARAM not in request.query_params:
            super().perform_authentication(request)

    @extend_schema(
        tags=["files"],
        summary="Download a file (uploader, admin, anyone if public, or a signed link)",
        auth=[{"jwtAuth": []}, {}],
        parameters=[
            OpenApiParameter(
                links.SIGNATURE_PARAM,
                str,
                required=False,
                description="From `GET /files/{file_id}/download-url`: the link works without a token.",
            ),
            OpenApiParameter(
                "Range",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="One range: `bytes=0-1023`.",
            ),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="Local storage: the bytes, as an attachment, with the stored MIME type.",
            ),
            (206, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The requested byte range."
            ),
            307: OpenApiResponse(
                description="S3/Azure: `Location` is a signed URL valid for the link lifetime."
            ),
            401: UNAUTHORIZED,
            403: LINK_REFUSED,
            404: NOT_FOUND,
            416: error("The range starts past the end of the file.", "range_not_satisfiable"),
        },
    )
    def get(self, request: Request, file_id: Any) -> HttpResponseBase:
        signature = request.query_params.get(links.SIGNATURE_PARAM)
        if signature is not None:
            links.verify_download(file_id, signature)
            file = selectors.file_get_signed(file_id=file_id)
        else:
            file = selectors.file_get(file_id=file_id, user=request.user)
        if not is_local(file_storage()):
            return remote_redirect_response(file)
        # Uploads are compressed formats (video, images, zip-based documents): gzip would only burn
        # CPU, drop Content-Length and break byte ranges.
        request.META.pop("HTTP_ACCEPT_ENCODING", None)  # GZipMiddleware reads it afterwards
        return local_file_response(request, file)


class FileDetailView(APIView):
    @extend_schema(
        tags=["files"],
        summary="Delete a file: its bytes and its record (uploader or admin)",
        responses={204: None, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, file_id: Any) -> Response:
        services.file_delete(file=selectors.file_get_managed(file_id=file_id, user=request.user))
        return Response(status=204)


class FileDownloadUrlView(APIView):
    @extend_schema(
        tags=["files"],
        summary="A signed, expiring download link that works without a bearer header",
        responses={
            200: OpenApiResponse(
                DownloadUrlOut,
                examples=[
                    OpenApiExample(
                        "Local storage",
                        value={
                            "url": "https://lms.example.com/api/v1/files/download/"
                            "7c9e6679-7425-40de-944b-e07fc1f90ae7?signature=1kQ2aB%3AZs0m...",
                            "expires_at": "2026-11-20T10:15:00Z",
                        },
                    )
                ],
            ),
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, file_id: Any) -> Response:
        file = selectors.file_get(file_id=file_id, user=request.user)
        url, expires_at = links.download_link(file=file, request=request)
        return Response(DownloadUrlOut({"url": url, "expires_at": expires_at}).data)
