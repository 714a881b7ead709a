"""Analytics endpoints. Thin: check who may see the figures, call one selector, serialize (a
student's own figures through plain-dict builders that a test holds equal to their serializers)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from accounts.permissions import HasPermission, Perm
from courses.selectors import course_get_managed
from lms_project.exceptions import Forbidden, NotFound
from lms_project.openapi import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR

from . import selectors
from .serializers import (
    CourseAnalyticsOut,
    CourseAnalyticsQuery,
    InstructorOverviewOut,
    MyDashboardOut,
    MyProgressOut,
    SystemOverviewOut,
    my_dashboard_to_dict,
    my_progress_to_dict,
)


class IgnoreFormatParameter(BaseContentNegotiation):
    """`?format=` is ours here (json|csv, validated by the view), not DRF's renderer override."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0]

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> Any:
        return renderers[0], renderers[0].media_type


class _Echo:
    def write(self, value: str) -> str:
        return value


# A cell starting with one of these is run as a formula by spreadsheet programs; student names and
# e-mail addresses are typed by students, and the CSV is opened by instructors (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: Any) -> Any:
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def _csv_stream(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_defuse(value) for value in row])


class MyProgressView(APIView):
    @extend_schema(
        tags=["analytics"], summary="My learning figures", responses={200: MyProgressOut, 401: UNAUTHORIZED}
    )
    def get(self, request: Request) -> Response:
        return Response(my_progress_to_dict(selectors.my_progress(user=request.user)))


class MyDashboardView(APIView):
    @extend_schema(
        tags=["analytics"],
        summary="My figures, per course, and my last 30 days (newest first)",
        responses={200: MyDashboardOut, 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        return Response(my_dashboard_to_dict(selectors.my_dashboard(user=request.user)))


class CourseAnalyticsView(APIView):
    content_negotiation_class = IgnoreFormatParameter

    @extend_schema(
        tags=["analytics"],
        summary="Figures of one course (managers); ?format=csv streams the per-student table",
        parameters=[CourseAnalyticsQuery],
        responses={
            (200, "application/json"): CourseAnalyticsOut,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per student."),
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, course_id) -> Response | StreamingHttpResponse:
        course = course_get_managed(course_id=course_id, user=request.user)
        query = CourseAnalyticsQuery.validate_query(request)
        if query["format"] == "csv":
            response = StreamingHttpResponse(
                _csv_stream(selectors.CSV_HEADER, selectors.course_student_rows(course=course)),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="course-{course.slug}-students.csv"'
            return response
        return Response(CourseAnalyticsOut(selectors.course_analytics(course=course)).data)


class InstructorOverviewView(APIView):
    @extend_schema(
        tags=["analytics"],
        summary="An instructor's courses and students (admins, or that instructor)",
        responses={200: InstructorOverviewOut, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, instructor_id) -> Response:
        user = request.user
        if user.role != Role.ADMIN and user.pk != instructor_id:
            raise Forbidden("Only admins and the instructor themself may see these figures.")
        instructor = User.objects.filter(pk=instructor_id, role=Role.INSTRUCTOR).first()
        if instructor is None:
            raise NotFound("Instructor not found.")
        return Response(InstructorOverviewOut(selectors.instructor_overview(instructor=instructor)).data)


class SystemOverviewView(APIView):
    permission_classes = [HasPermission(Perm.ANALYTICS_SYSTEM)]

    @extend_schema(
        tags=["analytics"],
        summary="Platform-wide counts (admins)",
        responses={200: SystemOverviewOut, 401: UNAUTHORIZED, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        return Response(SystemOverviewOut(selectors.system_overview()).data)
