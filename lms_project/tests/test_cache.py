"""The Redis cache backend reuses one client per pool (lms_project/cache.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lms_project.cache import RedisCache

BASE_DIR = Path(__file__).resolve().parents[2]


def _cache() -> RedisCache:
    # No command is sent: building clients and pools does not connect, so this runs without Redis.
    return RedisCache("redis://127.0.0.1:6399/0", {"KEY_PREFIX": "t"})


def test_every_cache_call_gets_the_same_client_and_pool():
    cache = _cache()
    first = cache._cache.get_client(write=True)
    second = cache._cache.get_client("key")
    assert first is second
    assert first.connection_pool is cache._cache._get_connection_pool(write=True)


def test_threads_share_the_client():
    cache = _cache()
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(cache._cache.get_client())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(client) for client in seen}) == 1


def test_settings_use_it_for_both_redis_caches():
    """With REDIS_URL set, the default cache and the rate-limit counters both use this backend."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['ratelimit']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ENVIRONMENT"}}
    env.update(DJANGO_SETTINGS_MODULE="lms_project.settings", LMS_IGNORE_DOTENV="true")
    env.update(REDIS_URL="redis://127.0.0.1:6399/0", RATE_LIMIT_USE_REDIS="true")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["lms_project.cache.RedisCache"] * 2, done.stderr


@pytest.fixture
def redis_cache():
    """The backend against the real Redis of REDIS_URL (skipped without one)."""
    from django.conf import settings

    url = getattr(settings, "REDIS_URL", "") or os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL (CI's PostgreSQL + Redis run does)")
    cache = RedisCache(url, {"KEY_PREFIX": f"t-{os.getpid()}-{threading.get_ident()}"})
    yield cache
    cache.clear()


def test_incr_is_one_round_trip_and_keeps_djangos_contract(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    commands = []
    original = client.execute_command

    def counting(*args, **kwargs):
        commands.append(args[0])
        return original(*args, **kwargs)

    client.execute_command = counting
    try:
        with pytest.raises(ValueError):
            redis_cache.incr("missing")
        assert redis_cache.get("missing") is None  # not created by the failed increment
        redis_cache.set("hits", 5)
        commands.clear()
        assert redis_cache.incr("hits") == 6
        assert redis_cache.incr("hits", 10) == 16
        assert commands == ["EVALSHA", "EVALSHA"]
        assert redis_cache.get("hits") == 16
    finally:
        client.execute_command = original


def test_incr_survives_redis_forgetting_its_scripts(redis_cache):
    redis_cache.set("n", 1)
    assert redis_cache.incr("n") == 2
    redis_cache._cache.get_client(write=True).script_flush()  # as after a Redis restart
    assert redis_cache.incr("n") == 3
