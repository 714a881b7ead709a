"""Enrollments and progress endpoints. Thin: check, validate, call one service or selector, serialize."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from courses.selectors import course_get_managed
from lms_project.exceptions import Forbidden
from lms_project.openapi import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR, error
from lms_project.pagination import PageNumberPagination, paginate, paginated_response

from . import selectors, services
from .serializers import (
    ENROLLMENT_ROW_FIELDS,
    EnrollIn,
    EnrollmentListQuery,
    EnrollmentOut,
    EnrollmentStatsOut,
    ProgressIn,
    ProgressOut,
    ReviewIn,
    enrollment_row_to_dict,
)

ENROLLMENT_EXAMPLE = {
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "student_id": "9b2f6a3e-8f3c-4a8e-9a57-0c1f2b3d4e5f",
    "course_id": "3f1c2b9a-5d7e-4c11-9a0b-7e2d1c4b5a60",
    "course": {
        "id": "3f1c2b9a-5d7e-4c11-9a0b-7e2d1c4b5a60",
        "title": "Python from Zero",
        "slug": "python-from-zero",
    },
    "status": "active",
    "enrolled_at": "2026-11-21T08:00:00Z",
    "started_at": "2026-11-21T08:05:00Z",
    "completed_at": None,
    "progress_percentage": "30.00",
    "completed_lessons_count": 3,
    "total_lessons_count": 10,
    "total_time_spent_seconds": 2700,
    "last_accessed_at": "2026-11-24T19:30:00Z",
    "certificate_issued_at": None,
    "rating": None,
    "review": None,
}
PROGRESS_EXAMPLE = {
    "id": "1d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a",
    "enrollment_id": ENROLLMENT_EXAMPLE["id"],
    "lesson_id": "5a8d1e2f-0b3c-4d5e-8f9a-1b2c3d4e5f60",
    "status": "in_progress",
    "started_at": "2026-11-24T19:00:00Z",
    "completed_at": None,
    "time_spent_seconds": 600,
    "last_position_seconds": 540,
    "completion_percentage": "60.00",
    "notes": None,
}
ENROLLMENT_RESPONSE = OpenApiResponse(
    EnrollmentOut, examples=[OpenApiExample("Enrollment", value=ENROLLMENT_EXAMPLE)]
)
PROGRESS_RESPONSE = OpenApiResponse(
    ProgressOut, examples=[OpenApiExample("Progress", value=PROGRESS_EXAMPLE)]
)
PROGRESS_ERRORS = {
    400: error("Invalid input, or a completed lesson going back.", "progress_downgrade"),
    401: UNAUTHORIZED,
    403: error(
        "Only the enrolled student records progress; not on a dropped enrollment.", "permission_denied"
    ),
    404: NOT_FOUND,
}


def _own_enrollment(request: Request, enrollment_id) -> object:
    """The caller's own enrollment: 404 if they cannot read it, 403 if they can but it is not theirs."""
    enrollment = selectors.enrollment_get(enrollment_id=enrollment_id, user=request.user)
    if enrollment.student_id != request.user.pk:
        raise Forbidden("Only the enrolled student may do this.")
    return enrollment


class EnrollView(APIView):
    @extend_schema(
        tags=["enrollments"],
        summary="Enroll in a course (students; admins may pass student_id). Idempotent.",
        request=EnrollIn,
        responses={
            201: ENROLLMENT_RESPONSE,
            200: OpenApiResponse(
                EnrollmentOut, description="Already enrolled (a dropped enrollment is re-activated)."
            ),
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: error("Instructors cannot enroll; the course is not published.", "students_only"),
            404: NOT_FOUND,
        },
        examples=[
            OpenApiExample("Enroll", request_only=True, value={"course_id": ENROLLMENT_EXAMPLE["course_id"]})
        ],
    )
    def post(self, request: Request) -> Response:
        data = EnrollIn.validate_request(request)
        enrollment, created = services.enrollment_enroll(
            actor=request.user, course_id=data["course_id"], student_id=data.get("student_id")
        )
        return Response(EnrollmentOut(enrollment).data, status=201 if created else 200)


class MyCoursesView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["enrollments"],
        summary="My enrollments, newest first",
        parameters=[EnrollmentListQuery],
        responses={200: EnrollmentOut(many=True), 400: VALIDATION_ERROR, 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        filters = EnrollmentListQuery.validate_query(request)
        enrollments = selectors.enrollment_list_for_student(student=request.user, **filters)
        page = paginate(enrollments, request, values=ENROLLMENT_ROW_FIELDS)
        return paginated_response(request, page, [enrollment_row_to_dict(row) for row in page.items])


class EnrollmentDetailView(APIView):
    @extend_schema(
        tags=["enrollments"],
        summary="One enrollment (its student or the course's managers)",
        responses={200: ENROLLMENT_RESPONSE, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request: Request, enrollment_id) -> Response:
        return Response(
            EnrollmentOut(selectors.enrollment_get(enrollment_id=enrollment_id, user=request.user)).data
        )


class EnrollmentDropView(APIView):
    @extend_schema(
        tags=["enrollments"],
        summary="Drop an enrollment (its student or an admin); progress is kept",
        request=None,
        responses={200: ENROLLMENT_RESPONSE, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, enrollment_id) -> Response:
        enrollment = selectors.enrollment_get(enrollment_id=enrollment_id, user=request.user)
        if enrollment.student_id != request.user.pk and request.user.role != Role.ADMIN:
            raise Forbidden("Only the student or an admin may drop an enrollment.")
        return Response(EnrollmentOut(services.enrollment_drop(enrollment=enrollment)).data)


class CourseRosterView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["enrollments"],
        summary="Enrollments of a course (managers)",
        parameters=[EnrollmentListQuery],
        responses={
            200: EnrollmentOut(many=True),
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, course_id) -> Response:
        course = course_get_managed(course_id=course_id, user=request.user)
        filters = EnrollmentListQuery.validate_query(request)
        page = paginate(selectors.enrollment_list_for_course(course=course, **filters), request)
        return paginated_response(request, page, EnrollmentOut(page.items, many=True).data)


class CourseStatsView(APIView):
    @extend_schema(
        tags=["enrollments"],
        summary="Enrollment counts by status and mean progress of a course (managers)",
        responses={
            200: OpenApiResponse(
                EnrollmentStatsOut,
                examples=[
                    OpenApiExample(
                        "Stats",
                        value={
                            "course_id": ENROLLMENT_EXAMPLE["course_id"],
                            "total_enrollments": 42,
                            "active_enrollments": 30,
                            "completed_enrollments": 9,
                            "dropped_enrollments": 3,
                            "average_progress": "47.62",
                        },
                    )
                ],
            ),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, course_id) -> Response:
        course = course_get_managed(course_id=course_id, user=request.user)
        return Response(EnrollmentStatsOut(selectors.enrollment_stats(course=course)).data)


class ProgressView(APIView):
    @extend_schema(
        tags=["progress"],
        summary="Record progress on a lesson (the enrolled student)",
        request=ProgressIn,
        responses={200: PROGRESS_RESPONSE, **PROGRESS_ERRORS},
        examples=[
            OpenApiExample(
                "Watching",
                request_only=True,
                value={
                    "completion_percentage": "60.00",
                    "time_spent_seconds": 600,
                    "last_position_seconds": 540,
                },
            )
        ],
    )
    def put(self, request: Request, enrollment_id, lesson_id) -> Response:
        enrollment = _own_enrollment(request, enrollment_id)
        data = ProgressIn.validate_request(request)
        progress = services.progress_update(
            user=request.user, enrollment=enrollment, lesson_id=lesson_id, data=data
        )
        return Response(ProgressOut(progress).data)


class ProgressCompleteView(APIView):
    @extend_schema(
        tags=["progress"],
        summary="Mark a lesson completed (same as PUT with status=completed)",
        request=ProgressIn,
        responses={200: PROGRESS_RESPONSE, **PROGRESS_ERRORS},
    )
    def post(self, request: Request, enrollment_id, lesson_id) -> Response:
        enrollment = _own_enrollment(request, enrollment_id)
        data = ProgressIn.validate_request(request)
        data["status"] = "completed"
        progress = services.progress_update(
            user=request.user, enrollment=enrollment, lesson_id=lesson_id, data=data
        )
        return Response(ProgressOut(progress).data)


class ReviewView(APIView):
    @extend_schema(
        tags=["enrollments"],
        summary="Rate and review the course (the enrolled student, after 20% progress)",
        request=ReviewIn,
        responses={
            200: ENROLLMENT_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: error("Reviews need at least 20% progress.", "review_requires_progress"),
            404: NOT_FOUND,
        },
        examples=[
            OpenApiExample(
                "Review", request_only=True, value={"rating": 5, "review": "Clear and practical, thank you!"}
            )
        ],
    )
    def post(self, request: Request, enrollment_id) -> Response:
        enrollment = _own_enrollment(request, enrollment_id)
        data = ReviewIn.validate_request(request)
        return Response(EnrollmentOut(services.enrollment_review(enrollment=enrollment, **data)).data)
