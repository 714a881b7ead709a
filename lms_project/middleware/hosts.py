"""Host header validation that answers in the API's error shape.

Django's own check raises DisallowedHost deep inside the request and renders an HTML 400 (or a
debug page); clients of a JSON API get the usual `{"detail", "code"}` instead.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse


class TrustedHostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.get_host()
        except DisallowedHost:
            return JsonResponse({"detail": "Host header is not allowed.", "code": "bad_request"}, status=400)
        return self.get_response(request)
