"""Fixed-window counters: django-ratelimit counting in Redis, in process while Redis is down.

django-ratelimit raises when its cache backend cannot reach Redis (RATELIMIT_FAIL_OPEN only
covers a falsy answer, django-ratelimit #333), which would turn a Redis outage into 500s on every
request. Here a Redis error switches this process to a local counter for
RATE_LIMIT_REDIS_RETRY_SECONDS, after which Redis is tried again: an outage degrades limits to
per-process counting, never to errors, and counting returns to Redis as soon as it is back.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import _get_window, _make_cache_key, get_usage
from redis.exceptions import RedisError

logger = logging.getLogger("lms.ratelimit")


@dataclass(frozen=True)
class Usage:
    count: int
    limit: int
    reset_at: int  # epoch seconds when the window ends
    backend: str  # "redis" (shared) or "local" (this process only)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    def retry_after(self, now: float | None = None) -> int:
        return max(1, self.reset_at - int(now if now is not None else time.time()))


class _LocalCounters:
    """Per-process fallback with the same windows as django-ratelimit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, int, int], int] = {}

    def hit(self, group: str, value: str, limit: int, window: int, increment: bool) -> Usage:
        window_end = _get_window(value, window)
        key = (group, value, window, window_end)
        with self._lock:
            if len(self._counts) > 50_000:  # drop finished windows now and then
                now = int(time.time())
                self._counts = {k: v for k, v in self._counts.items() if k[3] > now}
            count = self._counts.get(key, 0) + (1 if increment else 0)
            if increment:
                self._counts[key] = count
        return Usage(count=count, limit=limit, reset_at=window_end, backend="local")

    def reset(self, group: str, value: str, window: int) -> None:
        with self._lock:
            self._counts = {k: v for k, v in self._counts.items() if not (k[0] == group and k[1] == value)}

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


local_counters = _LocalCounters()
_state = {"retry_at": 0.0}
_CONNECTION_ERRORS = (RedisError, OSError)


def _shared_available() -> bool:
    return time.monotonic() >= _state["retry_at"]


def _mark_shared_down(exc: Exception) -> None:
    if _shared_available():
        logger.warning("rate-limit cache unreachable, counting in process: %s", exc.__class__.__name__)
    _state["retry_at"] = time.monotonic() + settings.RATE_LIMIT_REDIS_RETRY_SECONDS


def _shared_hit(
    request: HttpRequest | None, group: str, value: str, limit: int, window: int, increment: bool
):
    usage = get_usage(
        request,
        group=group,
        key=lambda _group, _request: value,
        rate=(limit, window),
        method=ALL,
        increment=increment,
    )
    if usage is None or usage["time_left"] < 0:
        raise RedisError("rate-limit cache gave no answer")
    return Usage(
        count=usage["count"],
        limit=limit,
        reset_at=int(time.time()) + usage["time_left"],
        backend="redis",
    )


def hit(
    *,
    group: str,
    value: str,
    limit: int,
    window: int,
    increment: bool = True,
    request: HttpRequest | None = None,
) -> Usage:
    """Count one event for `value` in `group` (or just read the count with increment=False)."""
    if _shared_available():
        try:
            return _shared_hit(request, group, value, limit, window, increment)
        except _CONNECTION_ERRORS as exc:
            _mark_shared_down(exc)
    return local_counters.hit(group, value, limit, window, increment)


def reset(*, group: str, value: str, limit: int, window: int) -> None:
    """Forget the current window's count (a successful login clears its failures)."""
    local_counters.reset(group, value, window)
    if not _shared_available():
        return
    key = _make_cache_key(group, _get_window(value, window), (limit, window), value, ALL)
    try:
        caches[settings.RATELIMIT_USE_CACHE].delete(key)
    except _CONNECTION_ERRORS as exc:
        _mark_shared_down(exc)
