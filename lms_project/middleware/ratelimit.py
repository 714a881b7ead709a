"""Per-client request limits with the contract's headers.

General tier: RATE_LIMIT_REQUESTS_PER_MINUTE per RATE_LIMIT_WINDOW_SECONDS, keyed on the user id
when a valid bearer token is presented, else on the client IP. Auth tier (login, register, refresh):
RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE per client IP on top. Paths in RATE_LIMIT_EXCLUDED_PATHS are not
counted and carry no headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from lms_project import counters
from lms_project.clientip import get_client_ip

AUTH_TIER_ENDPOINTS = ("auth/login", "auth/register", "auth/refresh")


def _is_excluded(path: str, excluded: list[str]) -> bool:
    normalized = path.rstrip("/") or "/"
    for entry in excluded:
        entry = entry.rstrip("/") or "/"
        if normalized == entry or (entry != "/" and normalized.startswith(entry + "/")):
            return True
    return False


def bearer_token(request: HttpRequest) -> AccessToken | None:
    """The validated access token of the request, if any (signature and expiry only, no DB).

    Cached on the request so that authentication does not decode it a second time.
    """
    if "lms_access_token" in request.__dict__:
        return request.lms_access_token
    token = None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme == "Bearer" and raw and " " not in raw.strip():
        try:
            token = AccessToken(raw.strip())
        except TokenError:
            token = None
    request.lms_access_token = token
    return token


def _auth_tier_paths() -> set[str]:
    prefix = settings.API_V1_PREFIX.rstrip("/")
    return {f"{prefix}/{endpoint}" for endpoint in AUTH_TIER_ENDPOINTS}


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # path_info, like URL routing: under a script prefix (FORCE_SCRIPT_NAME) the settings still match.
        path = request.path_info
        if not settings.RATE_LIMIT_ENABLED or _is_excluded(path, settings.RATE_LIMIT_EXCLUDED_PATHS):
            return self.get_response(request)

        window = settings.RATE_LIMIT_WINDOW_SECONDS
        ip = get_client_ip(request)
        token = bearer_token(request)
        if token is not None:
            request.rate_limit_user_id = str(token.get("sub"))
            client = f"user:{request.rate_limit_user_id}"
        else:
            client = f"ip:{ip}"
        usages = [
            counters.hit(
                group="api",
                value=client,
                limit=settings.RATE_LIMIT_REQUESTS_PER_MINUTE,
                window=window,
                request=request,
            )
        ]
        if request.method == "POST" and (path.rstrip("/") in _auth_tier_paths()):
            usages.append(
                counters.hit(
                    group="auth",
                    value=f"ip:{ip}",
                    limit=settings.RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE,
                    window=window,
                    request=request,
                )
            )
        # The tier the client needs to hear about: when refused, the one that frees up last (Retry-After
        # must not send the client back while another tier still refuses it); else the one closest to
        # its limit, the stricter one on a tie.
        exceeded = [usage for usage in usages if usage.exceeded]
        if exceeded:
            binding = max(exceeded, key=lambda usage: usage.reset_at)
        else:
            binding = min(usages, key=lambda usage: (usage.remaining, usage.limit))

        if binding.exceeded:
            retry_after = binding.retry_after()
            response: HttpResponse = JsonResponse(
                {"detail": f"Too many requests. Retry in {retry_after} seconds.", "code": "rate_limited"},
                status=429,
            )
            response["Retry-After"] = str(retry_after)
        else:
            response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(binding.limit)
        response["X-RateLimit-Remaining"] = str(binding.remaining)
        response["X-RateLimit-Reset"] = str(binding.reset_at)
        return response
