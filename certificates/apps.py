from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certificates: issue, PDF, verification, revocation (contract section 9)."""

    name = "certificates"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment check)
