"""Shapes of the analytics API (contract section 7). Figures are 2-dp strings, counts integers."""

from __future__ import annotations

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
