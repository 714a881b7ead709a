"""Base class for input serializers: validate a request body or query string in one call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import QueryDict
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.request import Request


def _type_error(field: serializers.Field, value: Any) -> str | None:
    """JSON types are what the schema says: DRF would turn 5 into "5" for a CharField, "5" or 5.0
    into 5 for an IntegerField, 1 into True for a BooleanField, and accept a float for a decimal
    (which the contract writes as a 2-dp string; a string or a whole number is accepted). Found by
    schema fuzzing: clients learn the real types from a 400 instead of from a silently coerced value."""
    if value is None:
        return None  # allow_null decides
    if isinstance(field, serializers.DecimalField) and (
        isinstance(value, bool) or not isinstance(value, str | int | Decimal)
    ):
        # A float is refused: 0.1 + 0.2 is not 0.3. Whole numbers may be sent as JSON integers (and
        # Python callers, the admin, pass Decimals).
        return 'A decimal must be sent as a string (e.g. "7.50") or an integer.'
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return "Not a valid string."
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return "Must be true or false."
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.IntegerField) and not is_int:
        return "A valid integer is required."
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        for index, item in enumerate(value):
            if (message := _type_error(field.child, item)) is not None:
                return f"Item {index}: {message}"
    return None


class InputSerializer(serializers.Serializer):
    """Input shapes only: unknown keys are ignored (never applied), wrong types are a 400, and JSON
    values must have the JSON type the schema documents (no coercion of 5 to "5")."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # Query strings and form posts are text by nature (QueryDict): only JSON bodies are checked.
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors = {
                name: [message]
                for name, field in self.fields.items()
                if not field.read_only
                and name in data
                and (message := _type_error(field, data[name])) is not None
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    @classmethod
    def validate_request(cls, request: Request, **context: Any) -> dict[str, Any]:
        serializer = cls(data=request.data, context={"request": request, **context})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @classmethod
    def validate_query(cls, request: Request, **context: Any) -> dict[str, Any]:
        params = request.query_params
        defaults = cls._query_defaults()
        # Fast path for the common request that sets none of the filters (`?page_size=20`): the answer
        # is the same every time, so it is computed once per class (a DRF validation is ~0.5 ms).
        if defaults is not None and not any(name in params for name in cls._declared_fields):
            return dict(defaults)
        serializer = cls(data=params, context={"request": request, **context})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @classmethod
    def _query_defaults(cls) -> dict[str, Any] | None:
        """What validating a query string without any of this serializer's fields gives, or None when
        that may depend on the request (a custom `validate`/`validate_<field>`, callable defaults)."""
        if "_cached_query_defaults" not in cls.__dict__:
            custom = cls.validate is not serializers.Serializer.validate or any(
                hasattr(cls, f"validate_{name}") for name in cls._declared_fields
            )
            fields = cls._declared_fields.values()
            callable_default = any(field.default is not empty and callable(field.default) for field in fields)
            defaults = None
            if not (custom or callable_default):
                serializer = cls(data=QueryDict(""))
                defaults = dict(serializer.validated_data) if serializer.is_valid() else None
            cls._cached_query_defaults = defaults
        return cls._cached_query_defaults


class DecimalIn(serializers.DecimalField):
    """A decimal in a request body: a string ("7.50") or a whole JSON number, within the field's
    bounds. Its OpenAPI form (lms_project.openapi.DecimalInExtension) says exactly that."""


class PasswordIn(serializers.CharField):
    """A password as typed: never trimmed, since leading and trailing spaces are part of it. Its
    OpenAPI form (lms_project.openapi.PasswordInExtension) refuses only U+0000, not blank-looking text."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("write_only", True)
        super().__init__(trim_whitespace=False, **kwargs)
