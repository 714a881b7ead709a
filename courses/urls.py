from lms_project.routing import route

from . import views

urlpatterns = [
    *route("courses", views.CourseListView.as_view(), "course-list"),
    *route("courses/<uuid:course_id>", views.CourseDetailView.as_view(), "course-detail"),
    *route("courses/<uuid:course_id>/publish", views.CoursePublishView.as_view(), "course-publish"),
    *route("courses/<uuid:course_id>/unpublish", views.CourseUnpublishView.as_view(), "course-unpublish"),
    *route("courses/<uuid:course_id>/lessons", views.CourseLessonsView.as_view(), "course-lessons"),
    *route("courses/<uuid:course_id>/lessons/reorder", views.LessonReorderView.as_view(), "lesson-reorder"),
    *route("lessons/<uuid:lesson_id>", views.LessonDetailView.as_view(), "lesson-detail"),
]
