"""JSON request parsing with a size cap.

DRF reads the raw request stream, which skips Django's DATA_UPLOAD_MAX_MEMORY_SIZE check (that only
guards `request.body`). Without a cap a client could post a body as large as the proxy allows and
have it parsed in memory; here anything larger is refused with 413 while reading.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = "Request body is too large."
    default_code = "request_too_large"


class JSONParser(DRFJSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        if not raw:
            raise ParseError("JSON parse error - empty body.")
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
