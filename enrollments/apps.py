from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    """Enrollments and lesson progress (contract section 5)."""

    name = "enrollments"
