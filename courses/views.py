"""Courses and lessons endpoints. Thin: check, validate, call one service or selector, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasPermission, Perm
from lms_project.openapi import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR, error, short_list
from lms_project.pagination import PageNumberPagination, paginate, paginated_response
from lms_project.views import PublicReadView

from . import selectors, services
from .serializers import (
    CourseCreateIn,
    CourseListQuery,
    CourseOut,
    CourseUpdateIn,
    LessonCreateIn,
    LessonListItemOut,
    LessonOut,
    LessonReorderIn,
    LessonUpdateIn,
    course_row_to_dict,
    course_to_dict,
    lesson_list_item_to_dict,
)

COURSE_EXAMPLE = {
    "id": "3f1c2b9a-5d7e-4c11-9a0b-7e2d1c4b5a60",
    "title": "Python from Zero",
    "slug": "python-from-zero",
    "description": "Variables to classes in ten lessons.",
    "instructor_id": "9b2f6a3e-8f3c-4a8e-9a57-0c1f2b3d4e5f",
    "instructor": {"id": "9b2f6a3e-8f3c-4a8e-9a57-0c1f2b3d4e5f", "full_name": "Grace Hopper"},
    "category": "programming",
    "difficulty_level": "beginner",
    "is_published": True,
    "published_at": "2026-11-20T10:00:00Z",
    "thumbnail_url": "https://cdn.example.com/python.png",
    "estimated_duration_minutes": 300,
    "metadata": {"language": "en"},
    "lessons_count": 10,
    "enrollments_count": 42,
    "average_rating": "4.50",
    "created_at": "2026-11-19T09:00:00Z",
    "updated_at": "2026-11-20T10:00:00Z",
}
LESSON_EXAMPLE = {
    "id": "5a8d1e2f-0b3c-4d5e-8f9a-1b2c3d4e5f60",
    "course_id": COURSE_EXAMPLE["id"],
    "title": "Variables",
    "slug": "variables",
    "description": "Names for values.",
    "content": "# Variables\nA variable is a name bound to a value.",
    "lesson_type": "text",
    "order_index": 1,
    "parent_lesson_id": None,
    "duration_minutes": 15,
    "video_url": None,
    "is_preview": True,
    "metadata": {},
    "created_at": "2026-11-19T09:05:00Z",
    "updated_at": "2026-11-19T09:05:00Z",
}
COURSE_RESPONSE = OpenApiResponse(CourseOut, examples=[OpenApiExample("Course", value=COURSE_EXAMPLE)])
LESSON_RESPONSE = OpenApiResponse(LessonOut, examples=[OpenApiExample("Lesson", value=LESSON_EXAMPLE)])
LESSON_LIST = short_list("LessonList", LessonListItemOut)


class CourseListView(PublicReadView):
    pagination_class = PageNumberPagination

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [HasPermission(Perm.COURSES_CREATE)]
        return super().get_permissions()

    @extend_schema(
        tags=["courses"],
        summary="The course catalogue (public; admins see every course, mine=true your own)",
        parameters=[CourseListQuery],
        responses={200: CourseOut(many=True), 400: VALIDATION_ERROR},
    )
    def get(self, request: Request) -> Response:
        filters = CourseListQuery.validate_query(request)
        courses = selectors.course_list(user=request.user, **filters)
        page = paginate(courses, request, values=selectors.COURSE_ROW_FIELDS)
        return paginated_response(request, page, [course_row_to_dict(row) for row in page.items])

    @extend_schema(
        tags=["courses"],
        summary="Create an unpublished course (instructors and admins)",
        request=CourseCreateIn,
        responses={
            201: COURSE_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            409: error("The slug is taken.", "slug_taken"),
        },
        examples=[
            OpenApiExample(
                "New course",
                request_only=True,
                value={
                    "title": "Python from Zero",
                    "category": "programming",
                    "difficulty_level": "beginner",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = CourseCreateIn.validate_request(request)
        course = services.course_create(instructor=request.user, **data)
        return Response(CourseOut(course).data, status=201)


class CourseDetailView(PublicReadView):
    @extend_schema(
        tags=["courses"],
        summary="One course (public when published; drafts for their managers)",
        responses={200: COURSE_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, course_id) -> Response:
        return Response(course_to_dict(selectors.course_get(course_id=course_id, user=request.user)))

    @extend_schema(
        tags=["courses"],
        summary="Edit a course (managers); null clears a nullable field",
        request=CourseUpdateIn,
        responses={
            200: COURSE_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        examples=[OpenApiExample("Clear the category", request_only=True, value={"category": None})],
    )
    def patch(self, request: Request, course_id) -> Response:
        course = selectors.course_get_managed(course_id=course_id, user=request.user)
        data = CourseUpdateIn.validate_request(request)
        return Response(CourseOut(services.course_update(course=course, data=data)).data)

    @extend_schema(
        tags=["courses"],
        summary="Delete a course without enrollments (managers)",
        responses={
            204: None,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("The course has enrollments: unpublish it instead.", "course_has_enrollments"),
        },
    )
    def delete(self, request: Request, course_id) -> Response:
        services.course_delete(course=selectors.course_get_managed(course_id=course_id, user=request.user))
        return Response(status=204)


class CoursePublishView(APIView):
    @extend_schema(
        tags=["courses"],
        summary="Publish a course (managers; it needs at least one lesson)",
        request=None,
        responses={
            200: COURSE_RESPONSE,
            400: error("A course needs a lesson before publishing.", "course_has_no_lessons"),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, course_id) -> Response:
        course = selectors.course_get_managed(course_id=course_id, user=request.user)
        return Response(CourseOut(services.course_publish(course=course)).data)


class CourseUnpublishView(APIView):
    @extend_schema(
        tags=["courses"],
        summary="Unpublish a course (managers; enrollments keep working)",
        request=None,
        responses={200: COURSE_RESPONSE, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, course_id) -> Response:
        course = selectors.course_get_managed(course_id=course_id, user=request.user)
        return Response(CourseOut(services.course_unpublish(course=course)).data)


class CourseLessonsView(PublicReadView):
    @extend_schema(
        tags=["lessons"],
        summary="Lessons of a course in order, without content (public for published courses)",
        responses={200: LESSON_LIST, 404: NOT_FOUND},
    )
    def get(self, request: Request, course_id) -> Response:
        course = selectors.course_get(course_id=course_id, user=request.user)
        items = [lesson_list_item_to_dict(row) for row in selectors.lesson_list(course=course)]
        return Response({"items": items, "total": len(items)})

    @extend_schema(
        tags=["lessons"],
        summary="Add a lesson (managers); without order_index it goes last",
        request=LessonCreateIn,
        responses={
            201: LESSON_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("Another lesson has this order_index.", "order_conflict"),
        },
        examples=[
            OpenApiExample(
                "Text lesson",
                request_only=True,
                value={
                    "title": "Variables",
                    "lesson_type": "text",
                    "content": "# Variables",
                    "is_preview": True,
                },
            )
        ],
    )
    def post(self, request: Request, course_id) -> Response:
        course = selectors.course_get_managed(course_id=course_id, user=request.user)
        data = LessonCreateIn.validate_request(request)
        return Response(LessonOut(services.lesson_create(course=course, data=data)).data, status=201)


class LessonReorderView(APIView):
    @extend_schema(
        tags=["lessons"],
        summary="Put every lesson of the course in a new order (managers)",
        request=LessonReorderIn,
        responses={
            200: LESSON_LIST,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, course_id) -> Response:
        course = selectors.course_get_managed(course_id=course_id, user=request.user)
        data = LessonReorderIn.validate_request(request)
        lessons = services.lesson_reorder(course=course, lesson_ids=data["lesson_ids"])
        return Response({"items": LessonListItemOut(lessons, many=True).data, "total": len(lessons)})


class LessonDetailView(PublicReadView):
    @extend_schema(
        tags=["lessons"],
        summary="A lesson with content (managers, enrolled students, or anyone for a preview)",
        responses={
            200: LESSON_RESPONSE,
            403: error("Enroll in the course to read this lesson.", "enrollment_required"),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, lesson_id) -> Response:
        return Response(LessonOut(selectors.lesson_get_readable(lesson_id=lesson_id, user=request.user)).data)

    @extend_schema(
        tags=["lessons"],
        summary="Edit a lesson (managers)",
        request=LessonUpdateIn,
        responses={
            200: LESSON_RESPONSE,
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("Another lesson has this order_index.", "order_conflict"),
        },
    )
    def patch(self, request: Request, lesson_id) -> Response:
        lesson = selectors.lesson_get_managed(lesson_id=lesson_id, user=request.user)
        data = LessonUpdateIn.validate_request(request)
        return Response(LessonOut(services.lesson_update(lesson=lesson, data=data)).data)

    @extend_schema(
        tags=["lessons"],
        summary="Delete a lesson (managers); progress is recomputed in the background",
        responses={
            204: None,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error("The lesson's quiz has attempts.", "lesson_has_attempts"),
        },
    )
    def delete(self, request: Request, lesson_id) -> Response:
        services.lesson_delete(lesson=selectors.lesson_get_managed(lesson_id=lesson_id, user=request.user))
        return Response(status=204)
