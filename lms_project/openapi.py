"""OpenAPI helpers: the error shape, common responses, and schema hooks."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField(help_text="Human-readable message. Do not branch on it.")
    code = serializers.CharField(help_text="Stable snake_case code. Branch on this.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Validation errors by field ("non_field_errors" for cross-field rules).',
    )


def error(description: str, code: str, detail: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorOut,
        description=description,
        examples=[OpenApiExample(code, value={"detail": detail or description, "code": code})],
    )


VALIDATION_ERROR = OpenApiResponse(
    response=ErrorOut,
    description="Invalid input.",
    examples=[
        OpenApiExample(
            "invalid",
            value={
                "detail": "email: Enter a valid email address.",
                "code": "invalid",
                "errors": {"email": ["Enter a valid email address."]},
            },
        )
    ],
)
UNAUTHORIZED = error("Missing, invalid, expired or revoked token.", "not_authenticated")
FORBIDDEN = error("Your role or relation to the object does not allow this.", "permission_denied")
NOT_FOUND = error("Not found (or not visible to you).", "not_found")


def short_list(name: str, item: Any) -> Any:
    """Schema of the unpaginated `{"items": [...], "total": N}` lists."""
    return inline_serializer(
        name=name, fields={"items": item(many=True), "total": serializers.IntegerField()}
    )


def drop_trailing_slash_duplicates(endpoints: list[tuple]) -> list[tuple]:
    """Every API route is also mounted with a trailing slash; document each operation once."""
    return [endpoint for endpoint in endpoints if endpoint[0] == "/" or not endpoint[0].endswith("/")]


class BearerAuthScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
