"""Base class for input serializers: validate a request body or query string in one call."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


class InputSerializer(serializers.Serializer):
    """Input shapes only: unknown keys are ignored (never applied), wrong types are a 400."""

    @classmethod
    def validate_request(cls, request: Request, **context: Any) -> dict[str, Any]:
        serializer = cls(data=request.data, context={"request": request, **context})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @classmethod
    def validate_query(cls, request: Request, **context: Any) -> dict[str, Any]:
        serializer = cls(data=request.query_params, context={"request": request, **context})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
