"""Request id and the one JSON log line per request.

Outermost middleware: it sees every response, including 400s for bad hosts and 429s, so each
request gets an `X-Request-ID` header and exactly one line on the `lms.request` logger.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from lms_project.clientip import get_client_ip

logger = logging.getLogger("lms.request")

# A client-supplied id is echoed only if it is short and plain (it ends up in logs and headers).
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def _user_id(request: HttpRequest) -> str | None:
    user = request.__dict__.get("user")
    # Never evaluate a lazy session user just to log it: that would cost a query per request.
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return getattr(request, "rate_limit_user_id", None)
    return str(user.pk) if getattr(user, "is_authenticated", False) else None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        logger.log(
            level,
            "",
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": _user_id(request),
                "client_ip": get_client_ip(request),
            },
        )
        return response
