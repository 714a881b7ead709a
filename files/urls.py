from lms_project.routing import route  # noqa: F401

urlpatterns: list = []
