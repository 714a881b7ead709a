"""Shapes of the analytics API (contract section 7). Figures are 2-dp strings, counts integers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from lms_project.serializers import InputSerializer


def _dec(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class MyProgressOut(serializers.Serializer):
    student_id = serializers.UUIDField()
    total_enrollments = serializers.IntegerField()
    active_enrollments = serializers.IntegerField()
    completed_enrollments = serializers.IntegerField()
    average_progress = _dec(allow_null=True)
    total_time_hours = _dec()
    total_lessons_completed = serializers.IntegerField()
    quizzes_taken = serializers.IntegerField()
    quizzes_passed = serializers.IntegerField()
    average_quiz_score = _dec(allow_null=True)


class DashboardCourseOut(serializers.Serializer):
    course_id = serializers.UUIDField()
    course_title = serializers.CharField()
    progress_percentage = _dec()
    completed_lessons = serializers.IntegerField()
    total_lessons = serializers.IntegerField()
    time_spent_hours = _dec()
    quizzes_completed = serializers.IntegerField()
    average_quiz_score = _dec(allow_null=True)


class ActivityDayOut(serializers.Serializer):
    date = serializers.DateField()
    lessons_completed = serializers.IntegerField()
    time_spent_minutes = serializers.IntegerField()
    quizzes_taken = serializers.IntegerField()


class MyDashboardOut(serializers.Serializer):
    student_id = serializers.UUIDField()
    summary = MyProgressOut()
    courses = DashboardCourseOut(many=True)
    recent_activity = ActivityDayOut(many=True)


# The student's own figures are read on every visit to their home page (issue 7: dashboard reads
# < 20 ms). These build the same bodies as MyProgressOut and MyDashboardOut without DRF's per-field
# machinery (about a tenth of the request's CPU for a dashboard's 40 nested rows); the serializers
# stay the contract and the schema, and a test asserts both give the same.

_FIGURE = _dec()


def _figure(value: Any) -> str | None:
    return None if value is None else _FIGURE.to_representation(value)


def my_progress_to_dict(figures: dict[str, Any]) -> dict[str, Any]:
    """`MyProgressOut(figures).data` as a plain dict."""
    return {
        "student_id": str(figures["student_id"]),
        "total_enrollments": int(figures["total_enrollments"]),
        "active_enrollments": int(figures["active_enrollments"]),
        "completed_enrollments": int(figures["completed_enrollments"]),
        "average_progress": _figure(figures["average_progress"]),
        "total_time_hours": _figure(figures["total_time_hours"]),
        "total_lessons_completed": int(figures["total_lessons_completed"]),
        "quizzes_taken": int(figures["quizzes_taken"]),
        "quizzes_passed": int(figures["quizzes_passed"]),
        "average_quiz_score": _figure(figures["average_quiz_score"]),
    }


def my_dashboard_to_dict(dashboard: dict[str, Any]) -> dict[str, Any]:
    """`MyDashboardOut(dashboard).data` as a plain dict."""
    return {
        "student_id": str(dashboard["student_id"]),
        "summary": my_progress_to_dict(dashboard["summary"]),
        "courses": [
            {
                "course_id": str(course["course_id"]),
                "course_title": str(course["course_title"]),
                "progress_percentage": _figure(course["progress_percentage"]),
                "completed_lessons": int(course["completed_lessons"]),
                "total_lessons": int(course["total_lessons"]),
                "time_spent_hours": _figure(course["time_spent_hours"]),
                "quizzes_completed": int(course["quizzes_completed"]),
                "average_quiz_score": _figure(course["average_quiz_score"]),
            }
            for course in dashboard["courses"]
        ],
        "recent_activity": [
            {
                "date": day["date"].isoformat(),
                "lessons_completed": int(day["lessons_completed"]),
                "time_spent_minutes": int(day["time_spent_minutes"]),
                "quizzes_taken": int(day["quizzes_taken"]),
            }
            for day in dashboard["recent_activity"]
        ],
    }


class FunnelStepOut(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    title = serializers.CharField()
    order_index = serializers.IntegerField()
    completed_count = serializers.IntegerField()
    completion_rate = _dec()


class QuizFiguresOut(serializers.Serializer):
    quiz_id = serializers.UUIDField()
    title = serializers.CharField()
    attempts = serializers.IntegerField()
    pass_rate = _dec(allow_null=True)
    average_percentage = _dec(allow_null=True)


class DayCountOut(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class CourseAnalyticsOut(serializers.Serializer):
    course_id = serializers.UUIDField()
    course_title = serializers.CharField()
    total_enrollments = serializers.IntegerField()
    active_students = serializers.IntegerField()
    completed_students = serializers.IntegerField()
    dropped_students = serializers.IntegerField()
    completion_rate = _dec()
    average_progress = _dec(allow_null=True)
    average_time_hours = _dec(allow_null=True)
    average_rating = _dec(allow_null=True)
    total_reviews = serializers.IntegerField()
    lesson_funnel = FunnelStepOut(many=True)
    quizzes = QuizFiguresOut(many=True)
    enrollments_by_day = DayCountOut(many=True)


class CourseAnalyticsQuery(InputSerializer):
    format = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")


class InstructorOverviewOut(serializers.Serializer):
    instructor_id = serializers.UUIDField()
    total_courses = serializers.IntegerField()
    published_courses = serializers.IntegerField()
    total_students = serializers.IntegerField()
    total_enrollments = serializers.IntegerField()
    average_course_rating = _dec(allow_null=True)


class SystemOverviewOut(serializers.Serializer):
    total_users = serializers.IntegerField()
    total_students = serializers.IntegerField()
    total_instructors = serializers.IntegerField()
    total_admins = serializers.IntegerField()
    total_courses = serializers.IntegerField()
    published_courses = serializers.IntegerField()
    total_enrollments = serializers.IntegerField()
    active_enrollments = serializers.IntegerField()
    completed_enrollments = serializers.IntegerField()
    certificates_issued = serializers.IntegerField()
