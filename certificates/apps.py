from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certificates: issue, PDF, verification, revocation (contract section 9)."""

    name = "certificates"
