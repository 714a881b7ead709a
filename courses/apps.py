from django.apps import AppConfig


class CoursesConfig(AppConfig):
    """Courses and their lessons (contract section 4)."""

    name = "courses"
