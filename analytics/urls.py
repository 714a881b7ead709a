from lms_project.routing import route

from . import views

urlpatterns = [
    *route("analytics/my-progress", views.MyProgressView.as_view(), "analytics-my-progress"),
    *route("analytics/my-dashboard", views.MyDashboardView.as_view(), "analytics-my-dashboard"),
    *route("analytics/courses/<uuid:course_id>", views.CourseAnalyticsView.as_view(), "analytics-course"),
    *route(
        "analytics/instructors/<uuid:instructor_id>/overview",
        views.InstructorOverviewView.as_view(),
        "analytics-instructor",
    ),
    *route("analytics/system/overview", views.SystemOverviewView.as_view(), "analytics-system"),
]
