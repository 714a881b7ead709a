from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.urls import urlpatterns as accounts_urls
from analytics.dashboard import dashboard_view as analytics_dashboard
from analytics.urls import urlpatterns as analytics_urls
from certificates.urls import public_urlpatterns as certificates_public_urls
from certificates.urls import urlpatterns as certificates_urls
from courses.urls import urlpatterns as courses_urls
from enrollments.urls import urlpatterns as enrollments_urls
from files.urls import urlpatterns as files_urls
from quizzes.urls import urlpatterns as quizzes_urls

from . import views
from .routing import route

api_urlpatterns = [
    path("", views.ApiRootView.as_view(), name="api-root"),
    *route("health", views.HealthView.as_view(), "health"),
    *accounts_urls,
    *courses_urls,
    *enrollments_urls,
    *quizzes_urls,
    *analytics_urls,
    *files_urls,
    *certificates_urls,
]

_prefix = settings.API_V1_PREFIX.strip("/")

urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path(f"{_prefix}", views.ApiRootView.as_view()),
    path(f"{_prefix}/", include(api_urlpatterns)),
    *route("openapi.json", SpectacularJSONAPIView.as_view(), "openapi-schema"),
    *route("docs", SpectacularSwaggerView.as_view(url_name="openapi-schema"), "swagger-ui"),
    *route("redoc", SpectacularRedocView.as_view(url_name="openapi-schema"), "redoc"),
    *certificates_public_urls,
    path("admin/analytics/", admin.site.admin_view(analytics_dashboard), name="admin-analytics"),
    path("admin/", admin.site.urls),
    # Unknown API paths answer in the error shape even with DEBUG on (Django would show an HTML page).
    # csrf_exempt: otherwise a POST/PATCH/DELETE to an unknown API path (a malformed id in a route)
    # was refused by the CSRF middleware with its HTML 403 page instead of this JSON 404.
    re_path(rf"^{_prefix}/.+$", csrf_exempt(views.not_found)),
]

handler400 = "lms_project.views.bad_request"
handler403 = "lms_project.views.permission_denied"
handler404 = "lms_project.views.not_found"
handler500 = "lms_project.views.server_error"
