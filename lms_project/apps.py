from django.apps import AppConfig


class LmsProjectConfig(AppConfig):
    """The platform layer: errors, pagination, middleware, system views, shared templates."""

    name = "lms_project"
    verbose_name = "LMS platform"

    def ready(self) -> None:
        from . import checks, openapi  # noqa: F401  (register deploy checks and the bearer security scheme)
