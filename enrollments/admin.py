"""Enrollments and lesson progress in the Django admin: read-only history.

Enrollments are created by students (the API) and their counters are kept by the progress service;
nothing here edits them. The one change offered is "Drop selected enrollments" for admins, through
`enrollment_drop` like the API's drop. Instructors see the enrollments and progress of their own
courses only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from courses.admin import CourseScopedAdmin, apply_service, is_admin_user

from . import services
from .models import Enrollment, LessonProgress


class _ReadOnly(CourseScopedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history: an enrollment is dropped, never deleted (and PROTECTs its course)


class LessonProgressInline(admin.TabularInline):
    model = LessonProgress
    fields = ("lesson", "status", "completion_percentage", "time_spent_seconds", "completed_at", "updated_at")
    readonly_fields = fields
    ordering = ("lesson__order_index",)
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[LessonProgress]:
        return super().get_queryset(request).select_related("lesson")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(_ReadOnly):
    list_display = (
        "student_email",
        "course_title",
        "status",
        "progress_percentage",
        "completed_lessons_count",
        "total_lessons_count",
        "enrolled_at",
    )
    list_filter = ("status",)
    search_fields = ("student__email", "course__title")
    list_select_related = ("student", "course")
    raw_id_fields = ("student", "course")
    ordering = ("-enrolled_at",)
    inlines = (LessonProgressInline,)
    actions = ("drop_enrollments",)
    fields = (
        "student",
        "course",
        "status",
        "enrolled_at",
        "started_at",
        "completed_at",
        "progress_percentage",
        "completed_lessons_count",
        "total_lessons_count",
        "total_time_spent_seconds",
        "last_accessed_at",
        "certificate_issued_at",
        "rating",
        "review",
        "reviewed_at",
        "updated_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrollment]:
        return super().get_queryset(request).select_related("student", "course")

    def has_drop_permission(self, request: HttpRequest) -> bool:
        return is_admin_user(request)  # as in the API: the student (there) or an admin

    @admin.display(description="Student", ordering="student__email")
    def student_email(self, obj: Enrollment) -> str:
        return obj.student.email

    @admin.display(description="Course", ordering="course__title")
    def course_title(self, obj: Enrollment) -> str:
        return obj.course.title

    @admin.action(description="Drop selected enrollments", permissions=["drop"])
    def drop_enrollments(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        done = 0
        for enrollment in queryset:
            ok, _ = apply_service(
                request,
                lambda enrollment=enrollment: services.enrollment_drop(enrollment=enrollment),
                subject=f"{enrollment.student.email} in {enrollment.course.title}",
            )
            done += ok
        if done:
            self.message_user(request, f"{done} enrollment(s) dropped.", messages.SUCCESS)


@admin.register(LessonProgress)
class LessonProgressAdmin(_ReadOnly):
    course_path = "lesson__course"
    list_display = (
        "student_email",
        "course_title",
        "lesson_title",
        "status",
        "completion_percentage",
        "time_spent_seconds",
        "updated_at",
    )
    list_filter = ("status",)
    search_fields = ("enrollment__student__email", "lesson__course__title", "lesson__title")
    list_select_related = ("enrollment__student", "lesson__course")
    raw_id_fields = ("enrollment", "lesson")
    ordering = ("-updated_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[LessonProgress]:
        return super().get_queryset(request).select_related("enrollment__student", "lesson__course")

    @admin.display(description="Student", ordering="enrollment__student__email")
    def student_email(self, obj: LessonProgress) -> str:
        return obj.enrollment.student.email

    @admin.display(description="Course", ordering="lesson__course__title")
    def course_title(self, obj: LessonProgress) -> str:
        return obj.lesson.course.title

    @admin.display(description="Lesson", ordering="lesson__order_index")
    def lesson_title(self, obj: LessonProgress) -> str:
        return obj.lesson.title
