from django.apps import AppConfig


class FilesConfig(AppConfig):
    """Uploads with pluggable storage and signed links (contract section 8)."""

    name = "files"
