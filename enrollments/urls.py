from lms_project.routing import route

from . import views

urlpatterns = [
    *route("enrollments", views.EnrollView.as_view(), "enrollment-create"),
    *route("enrollments/my-courses", views.MyCoursesView.as_view(), "enrollment-my-courses"),
    *route("enrollments/<uuid:enrollment_id>", views.EnrollmentDetailView.as_view(), "enrollment-detail"),
    *route("enrollments/<uuid:enrollment_id>/drop", views.EnrollmentDropView.as_view(), "enrollment-drop"),
    *route("enrollments/<uuid:enrollment_id>/review", views.ReviewView.as_view(), "enrollment-review"),
    *route(
        "enrollments/<uuid:enrollment_id>/lessons/<uuid:lesson_id>/progress",
        views.ProgressView.as_view(),
        "progress-update",
    ),
    *route(
        "enrollments/<uuid:enrollment_id>/lessons/<uuid:lesson_id>/complete",
        views.ProgressCompleteView.as_view(),
        "progress-complete",
    ),
    *route("enrollments/courses/<uuid:course_id>", views.CourseRosterView.as_view(), "course-roster"),
    *route("enrollments/courses/<uuid:course_id>/stats", views.CourseStatsView.as_view(), "course-stats"),
]
