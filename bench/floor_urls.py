"""URLs of the bench server (`bench.settings_floor`): the product's, plus the floor views under /floor/."""

from django.urls import path

from bench import floor
from lms_project.urls import handler400, handler403, handler404, handler500
from lms_project.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("floor/courses", floor.course_list),
    path("floor/courses/<uuid:course_id>", floor.course_detail),
    path("floor/courses/<uuid:course_id>/lessons", floor.course_lessons),
    path("floor/enrollments/my-courses", floor.my_courses),
    path("floor/certificates/verify/<str:certificate_number>", floor.certificate_verify),
    *product_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
