"""One error shape for the whole API.

Every 4xx/5xx body is `{"detail": "<human message>", "code": "<stable_snake_code>"}`, plus
`"errors": {"<field>": ["<message>", ...]}` on validation errors. Services raise `ApplicationError`;
everything else (DRF, Django, simplejwt, database outages) is translated here, in one place.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

logger = logging.getLogger("lms.errors")


class ApplicationError(Exception):
    """A business rule said no. Raised by services; rendered by `exception_handler`.

    `code` is the stable identifier clients branch on; `detail` is for people.
    """

    def __init__(
        self,
        detail: str,
        *,
        code: str,
        status: int = 400,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.status = status
        self.errors = errors
        self.headers = headers or {}


class Conflict(ApplicationError):
    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail, code=code, status=409)


class Forbidden(ApplicationError):
    def __init__(self, detail: str, *, code: str = "permission_denied") -> None:
        super().__init__(detail, code=code, status=403)


class Unauthorized(ApplicationError):
    """401 with the `WWW-Authenticate` challenge the contract asks for."""

    def __init__(self, detail: str, *, code: str = "not_authenticated") -> None:
        super().__init__(detail, code=code, status=401, headers={"WWW-Authenticate": 'Bearer realm="api"'})


class NotFound(ApplicationError):
    def __init__(self, detail: str = "Not found.", *, code: str = "not_found") -> None:
        super().__init__(detail, code=code, status=404)


def error_body(detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": str(detail), "code": code}
    if errors is not None:
        body["errors"] = errors
    return body


# 401s collapse to the two codes the contract names (plus account_disabled, which says what to do).
_AUTH_CODES = {
    "not_authenticated": "not_authenticated",
    "user_inactive": "account_disabled",
    "account_disabled": "account_disabled",
}

_CLASS_CODES: list[tuple[type[drf.APIException], str]] = [
    (drf.ParseError, "parse_error"),
    (drf.NotAuthenticated, "not_authenticated"),
    (drf.NotFound, "not_found"),
    (drf.MethodNotAllowed, "method_not_allowed"),
    (drf.NotAcceptable, "not_acceptable"),
    (drf.UnsupportedMediaType, "unsupported_media_type"),
    (drf.Throttled, "rate_limited"),
]


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error structure into `{"field.sub.0": ["message", ...]}`."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            for field, messages in flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, item in enumerate(detail):
            if item:
                nested = flatten_errors(item, f"{prefix}.{index}" if prefix else str(index))
                for field, messages in nested.items():
                    out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        out[prefix or "non_field_errors"] = [str(item) for item in detail]
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _validation_response(detail: Any) -> Response:
    errors = flatten_errors(detail)
    field, messages = next(iter(errors.items()), ("non_field_errors", ["Invalid input."]))
    human = messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}"
    return Response(error_body(human, "invalid", errors), status=400)


def _code_for(exc: drf.APIException) -> str:
    for cls, code in _CLASS_CODES:
        if isinstance(exc, cls):
            return code
    detail = exc.detail
    code = detail.get("code") if isinstance(detail, dict) else getattr(detail, "code", None)
    code = str(code or exc.default_code)
    if exc.status_code == 401:
        return _AUTH_CODES.get(code, "token_not_valid")
    if exc.status_code == 403 and code == "permission_denied":
        return "permission_denied"
    return code


def _detail_for(exc: drf.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):  # simplejwt: {"detail": ..., "code": ..., "messages": [...]}
        return str(detail.get("detail", exc.default_detail))
    if isinstance(detail, list):
        return str(detail[0]) if detail else str(exc.default_detail)
    return str(detail)


def api_exception_response(exc: drf.APIException) -> Response:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return Response(error_body(_detail_for(exc), _code_for(exc)), status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER. Never returns None: unknown errors become a logged 500."""
    if isinstance(exc, ApplicationError):
        response = Response(error_body(exc.detail, exc.code, exc.errors), status=exc.status)
        for name, value in exc.headers.items():
            response[name] = value
        return response
    if isinstance(exc, DjangoValidationError):
        return _validation_response(as_serializer_error(exc))
    if isinstance(exc, drf.ValidationError):
        return _validation_response(exc.detail)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        # ObjectDoesNotExist: a service re-reads its row under a lock (`.get(pk=...)`) and finds it
        # deleted by a concurrent request since the view looked it up. The object is gone: 404, not 500.
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return Response(error_body("Request body is too large.", "request_too_large"), status=413)
    if isinstance(exc, drf.APIException):
        return api_exception_response(exc)
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is unreachable: say so in the one shape, without a stack trace.
        logger.error("database unavailable: %s", exc.__class__.__name__, extra=_request_extra(context))
        return Response(
            error_body("The service is temporarily unavailable. Try again shortly.", "service_unavailable"),
            status=503,
            headers={"Retry-After": "5"},
        )
    logger.error("unhandled exception", exc_info=exc, extra=_request_extra(context))
    return Response(error_body("Internal server error.", "server_error"), status=500)


def _request_extra(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    return {"request_id": getattr(request, "request_id", None) if request else None}
