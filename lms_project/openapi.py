"""OpenAPI helpers: the error shape, common responses, and schema hooks."""

from __future__ import annotations

import math
import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
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


# --- Postprocessing hook ----------------------------------------------------------------------------

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# drf-spectacular's pattern for a DecimalField as a string, e.g. ^-?\d{0,4}(?:\.\d{0,2})?$: every part
# is optional, so it also admits "", "-" and ".", which the field refuses.
_LOOSE_DECIMAL = re.compile(r"^\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$$")
# Components documented as one of several shapes that can overlap (an empty list fits both).
_ANY_OF_COMPONENTS = {"QuestionListResponse"}
# PostgreSQL text cannot hold U+0000 and DRF's CharField refuses it (a 400): request text says so.
_NO_NUL = r"^[^\u0000]*$"


def contract_fixes(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Make the generated schema say what the API does (found by schema fuzzing, scripts/fuzz_api.py).

    - Request bodies are JSON (contract: "JSON in and out, except uploads"): the form and multipart
      parsers exist for the browsable API only, and their semantics differ (a form cannot send null,
      an empty form field means "not sent"), so they are not documented where JSON is accepted.
    - Decimal strings need at least one digit; request bodies also take a whole JSON number.
    - `oneOf` -> `anyOf` where the shapes may overlap: `oneOf` fails a body valid under both.
    - An empty optional query parameter (`?category=`) means "not given": DRF reads a query string
      like a form, and the paginator does the same. Document that "" is accepted.
    - Free text (bodies and query strings) holds no U+0000, and a request string's `minLength`
      counts after trimming, as DRF counts it.
    """
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):  # a path-level "parameters" list
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["schema"] = _empty_allowed(parameter.get("schema", {}))
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for media_type in _FORM_TYPES:
                    content.pop(media_type, None)
    schemas = result.get("components", {}).get("schemas", {})
    for name in _ANY_OF_COMPONENTS & schemas.keys():
        if "oneOf" in schemas[name]:
            schemas[name]["anyOf"] = schemas[name].pop("oneOf")
    for name, schema in schemas.items():
        properties = schema.get("properties", {})
        for prop in properties.values():
            loose = _LOOSE_DECIMAL.match(prop.get("pattern", "")) if prop.get("format") == "decimal" else None
            if loose:
                digits, places = loose.groups()
                prop["pattern"] = rf"^-?(?:\d{{1,{digits}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        if name.endswith("Request"):
            for prop in properties.values():
                _request_text(prop)
    return result


def _request_text(prop: dict[str, Any]) -> None:
    """A free-text request string (no format, enum or pattern of its own) holds no U+0000, and its
    `minLength` counts after trimming: DRF strips whitespace before its length and blank checks, so
    " " meets `minLength: 1` and " a " meets `minLength: 2`, and both are refused. Found by fuzzing."""
    if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
        _request_text(prop["items"])
    elif prop.get("type") == "string" and not {"pattern", "format", "enum"} & prop.keys():
        prop["pattern"] = _trimmed_length_at_least(prop.get("minLength", 0))


def _trimmed_length_at_least(count: int) -> str:
    """A pattern for text without U+0000 whose stripped form has at least `count` characters."""
    if count <= 0:
        return _NO_NUL
    if count == 1:
        return r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
    return rf"^\s*[^\s\u0000][^\u0000]{{{count - 2},}}[^\s\u0000]\s*$"


class DecimalInExtension(OpenApiSerializerFieldExtension):
    """`DecimalIn` in a request: a 2-dp string whose pattern keeps within the field's bounds where a
    pattern can (0..10^k), or a whole number between its minimum and maximum."""

    target_class = "lms_project.serializers.DecimalIn"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        field = self.target
        whole, places = field.max_digits - field.decimal_places, field.decimal_places
        low, high = -(10**whole - 1), 10**whole - 1
        if field.min_value is not None:
            low = max(low, math.ceil(field.min_value))
        if field.max_value is not None:
            high = min(high, math.floor(field.max_value))
        string = {"type": "string", "format": "decimal"}
        top = field.max_value
        if field.min_value is not None and field.min_value >= 0:
            if top is not None and top > 0 and math.log10(top).is_integer() and math.log10(top) < whole:
                k = int(math.log10(top))  # 0..10^k: 10^k itself only with zero decimals
                exact = rf"1{'0' * k}(?:\.0{{0,{places}}})?"
                string["pattern"] = rf"^(?:{exact}|\d{{1,{k}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
            else:
                string["pattern"] = rf"^(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        else:
            string["pattern"] = rf"^-?(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        outer = {key: schema[key] for key in ("description", "nullable", "default") if key in schema}
        return {**outer, "anyOf": [string, {"type": "integer", "minimum": low, "maximum": high}]}


class PasswordInExtension(OpenApiSerializerFieldExtension):
    """`PasswordIn`: kept as typed (no trimming), so only U+0000 is refused, not blank-looking text."""

    target_class = "lms_project.serializers.PasswordIn"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "pattern": _NO_NUL}


def _empty_allowed(schema: dict[str, Any]) -> dict[str, Any]:
    plain = {key: value for key, value in schema.items() if key not in ("minLength", "description")}
    if plain.get("type") == "string" and not {"enum", "format", "pattern"} & plain.keys():
        return {**plain, "pattern": _NO_NUL}  # a plain string: dropping minLength is enough
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
