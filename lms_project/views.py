"""System endpoints (root, health, API root) and the JSON error pages for non-DRF views."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

logger = logging.getLogger("lms.health")

HealthOut = inline_serializer(
    name="Health",
    fields={
        "status": serializers.ChoiceField(choices=["ok", "degraded"]),
        "database": serializers.ChoiceField(choices=["up", "down"]),
        "cache": serializers.ChoiceField(choices=["up", "down"]),
    },
)


class PublicView(APIView):
    """No authentication, no permission: nothing here depends on who is asking."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class PublicReadView(APIView):
    """GET is public (a token, when sent, is still read); other methods need authentication."""

    def get_permissions(self) -> list:
        if self.request.method == "GET":
            return [AllowAny()]
        return super().get_permissions()


class RootView(PublicView):
    @extend_schema(
        tags=["system"],
        summary="Service name, version and docs link",
        responses=inline_serializer(
            name="Root",
            fields={
                "name": serializers.CharField(),
                "version": serializers.CharField(),
                "docs": serializers.CharField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        return Response({"name": settings.PROJECT_NAME, "version": settings.VERSION, "docs": "/docs"})


def _database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception as exc:  # any failure means "down"; the reason goes to the log
        logger.warning("health: database down: %s", exc.__class__.__name__)
        return False


def _cache_up() -> bool:
    try:
        cache = caches["default"]
        cache.set("health:ping", "1", 5)
        return cache.get("health:ping") == "1"
    except Exception as exc:
        logger.warning("health: cache down: %s", exc.__class__.__name__)
        return False


class HealthView(PublicView):
    @extend_schema(
        tags=["system"],
        summary="Liveness and dependencies (503 when the database is unreachable)",
        responses={
            200: OpenApiResponse(
                HealthOut,
                examples=[OpenApiExample("ok", value={"status": "ok", "database": "up", "cache": "up"})],
            ),
            503: OpenApiResponse(
                HealthOut,
                examples=[
                    OpenApiExample(
                        "degraded", value={"status": "degraded", "database": "down", "cache": "up"}
                    )
                ],
            ),
        },
    )
    def get(self, request: Request) -> Response:
        database = _database_up()
        body = {
            "status": "ok" if database else "degraded",
            "database": "up" if database else "down",
            "cache": "up" if _cache_up() else "down",
        }
        return Response(body, status=200 if database else 503)


class ApiRootView(PublicView):
    """The browsable API's front page: where each part of the API starts."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        def link(name: str) -> str:
            return reverse(name, request=request)

        return Response(
            {
                "auth": {
                    "register": link("auth-register"),
                    "login": link("auth-login"),
                    "refresh": link("auth-refresh"),
                    "logout": link("auth-logout"),
                    "me": link("auth-me"),
                },
                "users": link("user-list"),
                "health": link("health"),
                "docs": request.build_absolute_uri("/docs"),
                "openapi": request.build_absolute_uri("/openapi.json"),
            }
        )


def _error(request: HttpRequest, status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 400, "Bad request.", "bad_request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 403, "You do not have permission to perform this action.", "permission_denied")


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 404, "Not found.", "not_found")


def server_error(request: HttpRequest) -> JsonResponse:
    return _error(request, 500, "Internal server error.", "server_error")
