from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Read-only figures computed with SQL aggregates (contract section 7)."""

    name = "analytics"
