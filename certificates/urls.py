from django.urls import path

from lms_project.routing import route  # also registers the `text` converter

from . import views

urlpatterns = [
    *route("certificates/my-certificates", views.MyCertificatesView.as_view(), "certificate-my-certificates"),
    *route(
        "certificates/enrollments/<uuid:enrollment_id>/generate",
        views.GenerateView.as_view(),
        "certificate-generate",
    ),
    *route(
        "certificates/<uuid:certificate_id>/download", views.DownloadView.as_view(), "certificate-download"
    ),
    *route("certificates/<uuid:certificate_id>/revoke", views.RevokeView.as_view(), "certificate-revoke"),
    # `text:` takes anything, slashes, line breaks and a trailing slash included: verification answers
    # every string.
    path(
        "certificates/verify/<text:certificate_number>", views.VerifyView.as_view(), name="certificate-verify"
    ),
]
# Server-rendered pages outside the API prefix (the public /verify/<number> page).
public_urlpatterns = [
    path("verify/<text:certificate_number>", views.verify_page, name="certificate-verify-page"),
]
