from django.apps import AppConfig


class LmsProjectConfig(AppConfig):
    """The platform layer: errors, pagination, middleware, system views, shared templates."""

    name = "lms_project"
    verbose_name = "LMS platform"

    def ready(self) -> None:
        from . import openapi  # noqa: F401  (registers the bearer security scheme with drf-spectacular)
