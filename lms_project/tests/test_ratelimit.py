"""Rate limiting (contract section 10): headers, 429s, exclusions, keys, the auth tier, Redis outages.

Every test runs both without REDIS_URL (the shared counter is Django's LocMem cache) and with it (real
Redis). Windows are an hour long unless a test is about the window itself, so that a window boundary
never falls in the middle of a test's countdown.
"""

from __future__ import annotations

import copy
import logging
import os
import time

import pytest
import redis
from django.test import RequestFactory
from django_ratelimit.core import _get_window
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD
from accounts.tokens import issue_token_pair
from conftest import client_for
from lms_project import counters
from lms_project.clientip import get_client_ip
from lms_project.testing import free_port

pytestmark = pytest.mark.django_db

API_ROOT = "/api/v1/"  # public, counted
ME = "/api/v1/auth/me"
LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
REFRESH = "/api/v1/auth/refresh"
HOUR = 3600
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
# The short socket timeouts settings.py uses, so that a dead Redis fails fast.
REDIS_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5, "retry_on_timeout": False}


# --- helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def limits(settings):
    """General tier 5, auth tier 3, one-hour windows."""
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_REQUESTS_PER_MINUTE = 5
    settings.RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE = 3
    settings.RATE_LIMIT_WINDOW_SECONDS = HOUR
    return settings


@pytest.fixture
def request_log(caplog):
    """Captures the `lms.request` logger (it does not propagate to the root logger caplog listens on)."""
    logger = logging.getLogger("lms.request")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="lms.request")
    yield caplog
    logger.removeHandler(caplog.handler)


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "lms.request"]


def _rate(response) -> tuple[int, int, int]:
    """(limit, remaining, reset) from the response headers, as integers."""
    return tuple(int(response[name]) for name in RATE_HEADERS)


def _remaining(response) -> int:
    return int(response["X-RateLimit-Remaining"])


def _has_no_rate_headers(response) -> bool:
    return not any(response.has_header(name) for name in RATE_HEADERS)


def _point_ratelimit_cache_at(settings, port: int) -> None:
    caches = copy.deepcopy(settings.CACHES)
    caches["ratelimit"] = {
        "BACKEND": "lms_project.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "KEY_PREFIX": "ratelimit-test",
        "OPTIONS": dict(REDIS_OPTIONS),
    }
    settings.CACHES = caches  # pytest-django's override resets the cache handlers


def _counter_keys(client: redis.Redis, settings) -> list[bytes]:
    """The rate-limit keys this test wrote (conftest gives every test its own RATELIMIT_CACHE_PREFIX)."""
    return list(client.scan_iter(match=f"*{settings.RATELIMIT_CACHE_PREFIX}*"))


class FakeClock:
    """Wall clock and monotonic clock that a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    """Moves the clock of django-ratelimit's windows and of lms_project.counters (nothing else)."""
    fake = FakeClock()
    monkeypatch.setattr("django_ratelimit.core.time", fake)
    monkeypatch.setattr(counters, "time", fake)
    return fake


# --- headers and the 429 ----------------------------------------------------------------------------


def test_every_counted_response_carries_limit_remaining_and_reset_headers(api_client, limits):
    before = int(time.time())
    responses = [api_client.get(API_ROOT) for _ in range(5)]
    after = int(time.time())

    assert [response.status_code for response in responses] == [200] * 5
    assert [_rate(response)[:2] for response in responses] == [(5, 4), (5, 3), (5, 2), (5, 1), (5, 0)]
    resets = {_rate(response)[2] for response in responses}
    assert len(resets) == 1, "one window, one reset time"
    (reset,) = resets
    assert before <= reset <= after + HOUR


def test_the_reset_header_is_epoch_seconds_within_the_default_one_minute_window(api_client, settings):
    settings.RATE_LIMIT_REQUESTS_PER_MINUTE = 5
    settings.RATE_LIMIT_WINDOW_SECONDS = 60

    before = int(time.time())
    response = api_client.get(API_ROOT)
    after = int(time.time())

    assert response.status_code == 200
    assert response["X-RateLimit-Reset"].isdigit()
    assert before <= int(response["X-RateLimit-Reset"]) <= after + 60


def test_error_responses_are_counted_and_carry_the_headers_too(api_client, limits):
    unauthenticated = api_client.get(ME)
    unknown = api_client.get("/api/v1/no-such-thing")

    assert unauthenticated.status_code == 401
    assert unknown.status_code == 404
    assert _rate(unauthenticated)[:2] == (5, 4)
    assert _rate(unknown)[:2] == (5, 3)


def test_the_request_after_the_limit_gets_429_rate_limited_with_retry_after(api_client, limits):
    for _ in range(5):
        assert api_client.get(API_ROOT).status_code == 200

    refused = api_client.get(API_ROOT)

    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "rate_limited"
    assert isinstance(body["detail"], str) and body["detail"]
    assert refused["Retry-After"].isdigit()
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= HOUR
    limit, remaining, reset = _rate(refused)
    assert (limit, remaining) == (5, 0)
    assert abs(retry_after - (reset - int(time.time()))) <= 1
    assert refused.has_header("X-Request-ID")
    # The refusal came from this client's bucket: another client is still served.
    assert api_client.get(API_ROOT, REMOTE_ADDR="198.51.100.20").status_code == 200


def test_refused_requests_stay_refused_and_do_not_count_past_the_limit_in_the_headers(api_client, limits):
    for _ in range(5):
        api_client.get(API_ROOT)

    refused = [api_client.get(API_ROOT) for _ in range(3)]

    assert [response.status_code for response in refused] == [429, 429, 429]
    assert [_remaining(response) for response in refused] == [0, 0, 0]


def test_a_refused_request_never_reaches_the_view(api_client, limits):
    for _ in range(5):
        api_client.get(API_ROOT)
    payload = {"email": "late@example.com", "password": "Analytical-Engine-1843", "full_name": "Late Comer"}

    refused = api_client.post(REGISTER, payload, format="json")

    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert not User.objects.filter(email="late@example.com").exists()
    # The same request from a client with budget left goes through.
    accepted = api_client.post(REGISTER, payload, format="json", REMOTE_ADDR="198.51.100.21")
    assert accepted.status_code == 201
    assert User.objects.filter(email="late@example.com").exists()


def test_a_refused_request_is_still_written_to_the_request_log(api_client, limits, request_log):
    for _ in range(5):
        api_client.get(API_ROOT)
    request_log.clear()

    refused = api_client.get(API_ROOT, HTTP_X_REQUEST_ID="req-429")

    assert refused.status_code == 429
    lines = _request_lines(request_log)
    assert len(lines) == 1
    line = lines[0]
    assert line.status == 429
    assert line.path == API_ROOT
    assert line.method == "GET"
    assert line.request_id == "req-429"
    assert line.client_ip == "127.0.0.1"
    assert line.levelno == logging.WARNING


def test_a_refused_client_is_served_again_once_the_window_has_passed(api_client, limits, clock):
    for _ in range(5):
        api_client.get(API_ROOT)
    refused = api_client.get(API_ROOT)
    assert refused.status_code == 429

    clock.advance(int(refused["Retry-After"]) + 1)
    served = api_client.get(API_ROOT)

    assert served.status_code == 200
    assert _rate(served)[:2] == (5, 4)
    assert _rate(served)[2] > _rate(refused)[2]


# --- excluded paths ---------------------------------------------------------------------------------

EXCLUDED = [
    "/",
    "/docs",
    "/docs/",
    "/redoc",
    "/redoc/",
    "/openapi.json",
    "/api/v1/health",
    "/api/v1/health/",
    "/static/nothing-here.css",
]


@pytest.mark.parametrize("path", EXCLUDED)
def test_excluded_paths_are_never_counted_and_carry_no_rate_headers(api_client, settings, path):
    settings.RATE_LIMIT_REQUESTS_PER_MINUTE = 2
    settings.RATE_LIMIT_WINDOW_SECONDS = HOUR

    responses = [api_client.get(path) for _ in range(3)]

    assert all(response.status_code != 429 for response in responses)
    assert all(_has_no_rate_headers(response) for response in responses)
    # Nothing was counted: a counted path still sees its whole budget.
    assert _rate(api_client.get(API_ROOT))[:2] == (2, 1)


def test_the_root_being_excluded_does_not_exclude_the_paths_below_it(api_client, limits):
    me = api_client.get(ME)
    api_root = api_client.get(API_ROOT)
    look_alike = api_client.get("/api/v1/healthcheck")  # starts like /api/v1/health, is not it
    docs_look_alike = api_client.get("/docsfoo")

    assert me.status_code == 401
    assert look_alike.status_code == 404
    assert docs_look_alike.status_code == 404
    assert [_remaining(response) for response in (me, api_root, look_alike, docs_look_alike)] == [4, 3, 2, 1]


def test_an_authenticated_request_with_and_without_trailing_slash_counts_in_one_bucket(student, limits):
    client = client_for(student)

    responses = [client.get(ME), client.get(f"{ME}/"), client.get(ME)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert [_remaining(response) for response in responses] == [4, 3, 2]


def test_the_excluded_paths_come_from_the_setting(api_client, limits):
    limits.RATE_LIMIT_EXCLUDED_PATHS = ["/api/v1/auth/me/"]

    me = api_client.get(ME)
    root = api_client.get("/")

    assert me.status_code == 401
    assert _has_no_rate_headers(me)
    assert root.status_code == 200
    assert _rate(root)[:2] == (5, 4)


def test_exclusions_and_the_auth_tier_match_the_path_below_a_script_prefix(api_client, limits):
    health = api_client.get("/api/v1/health", SCRIPT_NAME="/lms")
    login = api_client.post(LOGIN, {}, format="json", SCRIPT_NAME="/lms")

    assert health.status_code == 200
    assert _has_no_rate_headers(health)
    assert login.status_code == 400
    assert _rate(login)[:2] == (3, 2)


# --- who is counted -----------------------------------------------------------------------------------


def test_two_users_behind_one_ip_have_separate_buckets(student, other_student, limits):
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 2
    first, second = client_for(student), client_for(other_student)

    first_responses = [first.get(ME) for _ in range(3)]
    second_response = second.get(ME)
    anonymous_response = APIClient().get(API_ROOT)

    assert [response.status_code for response in first_responses] == [200, 200, 429]
    assert second_response.status_code == 200
    assert second_response.json()["id"] == str(other_student.id)
    assert _remaining(second_response) == 1
    assert anonymous_response.status_code == 200
    assert _remaining(anonymous_response) == 1


def test_one_user_from_two_ips_is_one_bucket(student, limits):
    client = client_for(student)

    from_home = client.get(ME, REMOTE_ADDR="198.51.100.1")
    from_work = client.get(ME, REMOTE_ADDR="203.0.113.1")

    assert (from_home.status_code, from_work.status_code) == (200, 200)
    assert [_remaining(from_home), _remaining(from_work)] == [4, 3]


def test_a_user_request_is_logged_with_the_user_id(student, limits, request_log):
    response = client_for(student).get(ME)

    assert response.status_code == 200
    (line,) = _request_lines(request_log)
    assert line.user_id == str(student.id)


def test_anonymous_clients_are_counted_per_ip(api_client, limits):
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 2

    first = [api_client.get(API_ROOT, REMOTE_ADDR="198.51.100.1") for _ in range(3)]
    other = api_client.get(API_ROOT, REMOTE_ADDR="198.51.100.2")

    assert [response.status_code for response in first] == [200, 200, 429]
    assert other.status_code == 200
    assert _remaining(other) == 1


@pytest.mark.parametrize("kind", ["garbage", "refresh token", "wrong scheme"])
def test_a_request_without_a_valid_access_token_is_counted_by_its_ip(api_client, student, limits, kind):
    if kind == "garbage":
        header = "Bearer not.a.jwt"
    elif kind == "refresh token":
        header = f"Bearer {issue_token_pair(student).refresh_token}"
    else:
        header = f"Token {issue_token_pair(student).access_token}"
    api_client.get(API_ROOT)  # the anonymous bucket of 127.0.0.1: 4 left

    response = APIClient().get(API_ROOT, HTTP_AUTHORIZATION=header)

    assert response.status_code == 200
    assert _remaining(response) == 3
    # A valid token from the same IP is a bucket of its own.
    assert _remaining(client_for(student).get(ME)) == 4


# --- X-Forwarded-For ----------------------------------------------------------------------------------


def test_forwarded_for_from_an_untrusted_peer_is_ignored(api_client, limits, request_log):
    limits.TRUSTED_PROXIES = []
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 2
    peer = "203.0.113.9"

    responses = [
        api_client.get(API_ROOT, REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=spoofed)
        for spoofed in ("1.1.1.1", "2.2.2.2", "3.3.3.3")
    ]

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert {line.client_ip for line in _request_lines(request_log)} == {peer}


def test_forwarded_for_from_a_peer_that_is_not_a_listed_proxy_is_ignored(api_client, limits):
    limits.TRUSTED_PROXIES = ["10.0.0.0/8"]
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 2

    responses = [
        api_client.get(API_ROOT, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(3)
    ]

    assert [response.status_code for response in responses] == [200, 200, 429]


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(api_client, limits, request_log):
    limits.TRUSTED_PROXIES = ["10.0.0.0/8"]
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 2
    # The client may write anything left of its own address; our proxies add the hops after it.
    chains = ["6.6.6.6, 198.51.100.7, 10.0.0.9", "7.7.7.7, 198.51.100.7, 10.0.0.9", "198.51.100.7"]

    responses = [
        api_client.get(API_ROOT, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=chain) for chain in chains
    ]
    neighbour = api_client.get(
        API_ROOT, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.8, 10.0.0.9"
    )

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert neighbour.status_code == 200
    assert _remaining(neighbour) == 1
    assert [line.client_ip for line in _request_lines(request_log)] == ["198.51.100.7"] * 3 + ["198.51.100.8"]


def test_a_trusted_proxy_without_an_untrusted_hop_is_counted_as_itself(api_client, limits):
    limits.TRUSTED_PROXIES = ["10.0.0.0/8"]
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 2

    only_proxies = api_client.get(API_ROOT, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="10.0.0.7, 10.0.0.9")
    no_header = api_client.get(API_ROOT, REMOTE_ADDR="10.0.0.5")

    assert [_remaining(only_proxies), _remaining(no_header)] == [1, 0]


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ([], "203.0.113.9", "1.1.1.1", "203.0.113.9"),
        (["10.0.0.0/8"], "203.0.113.9", "1.1.1.1", "203.0.113.9"),
        (["10.0.0.0/8"], "10.0.0.5", "1.1.1.1", "1.1.1.1"),
        (["10.0.0.0/8"], "10.0.0.5", "6.6.6.6, 1.1.1.1", "1.1.1.1"),
        (["10.0.0.0/8"], "10.0.0.5", "6.6.6.6,1.1.1.1 , 10.2.3.4", "1.1.1.1"),
        (["10.0.0.0/8"], "10.0.0.5", "10.2.3.4", "10.0.0.5"),
        (["10.0.0.0/8"], "10.0.0.5", "", "10.0.0.5"),
        (["10.0.0.5"], "10.0.0.5", "1.1.1.1", "1.1.1.1"),
        (["::1", "fd00::/8"], "::1", "2001:db8::7, fd00::3", "2001:db8::7"),
        (["10.0.0.0/8"], "", "1.1.1.1", "unknown"),
    ],
)
def test_the_client_ip_trusts_forwarded_for_only_from_listed_proxies(
    settings, trusted, peer, forwarded, client
):
    settings.TRUSTED_PROXIES = trusted
    extra = {"REMOTE_ADDR": peer}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded

    request = RequestFactory().get("/", **extra)

    assert get_client_ip(request) == client


# --- the auth tier ------------------------------------------------------------------------------------


def test_login_is_limited_by_the_stricter_auth_tier_on_top_of_the_general_limit(api_client, limits):
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 10

    logins = [api_client.post(LOGIN, {}, format="json") for _ in range(4)]
    elsewhere = api_client.get(API_ROOT)

    assert [response.status_code for response in logins] == [400, 400, 400, 429]
    assert [_rate(response)[:2] for response in logins] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    assert logins[3].json()["code"] == "rate_limited"
    assert int(logins[3]["Retry-After"]) >= 1
    # Every login also counted in the general tier: 4 logins + this request of 10.
    assert elsewhere.status_code == 200
    assert _rate(elsewhere)[:2] == (10, 5)
    # The auth tier is per IP: another address may still log in.
    assert api_client.post(LOGIN, {}, format="json", REMOTE_ADDR="198.51.100.30").status_code == 400


def test_login_register_and_refresh_share_the_auth_tier_with_and_without_trailing_slash(api_client, limits):
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 10

    responses = [
        api_client.post(LOGIN, {}, format="json"),
        api_client.post(f"{REGISTER}/", {}, format="json"),
        api_client.post(REFRESH, {}, format="json"),
        api_client.post(f"{LOGIN}/", {}, format="json"),
    ]

    assert [response.status_code for response in responses] == [400, 400, 400, 429]
    assert [_remaining(response) for response in responses] == [2, 1, 0, 0]
    assert {_rate(response)[0] for response in responses} == {3}


def test_a_successful_login_is_counted_in_the_auth_tier(api_client, student, limits):
    response = api_client.post(LOGIN, {"email": student.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200
    assert _rate(response)[:2] == (3, 2)


def test_the_auth_tier_counts_per_ip_even_for_different_bearer_users(student, other_student, limits):
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 10
    first, second = client_for(student), client_for(other_student)

    responses = [
        first.post(LOGIN, {}, format="json"),
        second.post(LOGIN, {}, format="json"),
        first.post(LOGIN, {}, format="json"),
        second.post(LOGIN, {}, format="json"),
    ]

    assert [response.status_code for response in responses] == [400, 400, 400, 429]
    assert [_rate(response)[:2] for response in responses] == [(3, 2), (3, 1), (3, 0), (3, 0)]


def test_me_and_other_methods_on_auth_paths_are_not_in_the_auth_tier(student, limits):
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 10
    limits.RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE = 1
    client = client_for(student)

    me = [client.get(ME) for _ in range(3)]
    get_login = client.get(LOGIN)

    assert [response.status_code for response in me] == [200, 200, 200]
    assert [_rate(response)[:2] for response in me] == [(10, 9), (10, 8), (10, 7)]
    assert get_login.status_code == 405
    assert _rate(get_login)[:2] == (10, 6)


def test_the_general_limit_still_applies_to_auth_endpoints(api_client, limits):
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 2
    limits.RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE = 5

    responses = [api_client.post(LOGIN, {}, format="json") for _ in range(3)]

    assert [response.status_code for response in responses] == [400, 400, 429]
    assert [_rate(response)[:2] for response in responses] == [(2, 1), (2, 0), (2, 0)]


def test_when_both_tiers_refuse_retry_after_waits_for_the_later_window(student, limits, clock):
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 2
    limits.RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE = 3
    # Windows are jittered per key. Move the clock to 100 s before the end of the user's general window,
    # then pick an address whose auth window ends later than that.
    general_key = f"user:{student.id}"
    clock.advance((_get_window(general_key, HOUR) - int(clock.time()) - 100) % HOUR)
    general_end = _get_window(general_key, HOUR)
    addresses = (f"198.51.100.{n}" for n in range(1, 255))
    ip = next(address for address in addresses if _get_window(f"ip:{address}", HOUR) > general_end + 100)
    auth_end = _get_window(f"ip:{ip}", HOUR)
    client = client_for(student)

    responses = [client.post(LOGIN, {}, format="json", REMOTE_ADDR=ip) for _ in range(4)]
    now = int(clock.time())

    assert [response.status_code for response in responses] == [400, 400, 429, 429]
    # Third: only the general tier refuses. Fourth: both do, and the auth tier frees up last.
    assert _rate(responses[2])[0] == 2
    assert abs(int(responses[2]["Retry-After"]) - (general_end - now)) <= 1
    assert _rate(responses[3])[0] == 3
    assert abs(int(responses[3]["Retry-After"]) - (auth_end - now)) <= 1
    assert int(responses[3]["Retry-After"]) > int(responses[2]["Retry-After"]) + 90


# --- switched off -------------------------------------------------------------------------------------


def test_rate_limit_disabled_serves_every_request_without_headers(api_client, student, settings):
    settings.RATE_LIMIT_ENABLED = False
    settings.RATE_LIMIT_REQUESTS_PER_MINUTE = 1
    settings.RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE = 1

    responses = [
        *(api_client.get(API_ROOT) for _ in range(3)),
        *(api_client.post(LOGIN, {}, format="json") for _ in range(3)),
        *(client_for(student).get(ME) for _ in range(3)),
    ]

    assert [response.status_code for response in responses] == [200] * 3 + [400] * 3 + [200] * 3
    assert all(_has_no_rate_headers(response) for response in responses)
    # Switched back on, the same client is counted from its first request.
    settings.RATE_LIMIT_ENABLED = True
    assert _rate(api_client.get(API_ROOT))[:2] == (1, 0)


# --- Redis unreachable --------------------------------------------------------------------------------


def test_an_unreachable_redis_degrades_to_in_process_counting_without_errors(api_client, limits, caplog):
    _point_ratelimit_cache_at(limits, free_port())  # nothing listens there
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 3
    caplog.set_level(logging.WARNING, logger="lms.ratelimit")

    started = time.monotonic()
    responses = [api_client.get(API_ROOT) for _ in range(4)]
    elapsed = time.monotonic() - started

    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert [_rate(response)[:2] for response in responses] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    assert responses[3].json()["code"] == "rate_limited"
    assert int(responses[3]["Retry-After"]) >= 1
    assert elapsed < 2, "a dead Redis must fail fast, not hang requests"
    warnings = [record for record in caplog.records if record.name == "lms.ratelimit"]
    assert len(warnings) == 1, "one warning per outage, not one per request"
    assert "counting in process" in warnings[0].getMessage()


def test_an_unreachable_redis_still_limits_the_auth_tier(api_client, limits):
    _point_ratelimit_cache_at(limits, free_port())
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 10

    responses = [api_client.post(LOGIN, {}, format="json") for _ in range(4)]

    assert [response.status_code for response in responses] == [400, 400, 400, 429]
    assert [_rate(response)[:2] for response in responses] == [(3, 2), (3, 1), (3, 0), (3, 0)]


def test_counting_falls_back_while_redis_is_down_and_returns_to_redis_when_it_is_back(
    api_client, limits, private_redis, clock, caplog
):
    _point_ratelimit_cache_at(limits, private_redis.port)
    limits.RATE_LIMIT_REQUESTS_PER_MINUTE = 100
    limits.RATE_LIMIT_REDIS_RETRY_SECONDS = 5
    caplog.set_level(logging.WARNING, logger="lms.ratelimit")
    inspector = private_redis.client()

    # Up: counted in Redis.
    up = [api_client.get(API_ROOT) for _ in range(2)]
    assert [_remaining(response) for response in up] == [99, 98]
    (key,) = _counter_keys(inspector, limits)
    assert int(inspector.get(key)) == 2

    # Down: still served, with headers, counted in this process.
    private_redis.stop()
    down = [api_client.get(API_ROOT) for _ in range(2)]
    assert [response.status_code for response in down] == [200, 200]
    assert [_remaining(response) for response in down] == [99, 98]
    assert [record.getMessage() for record in caplog.records if record.name == "lms.ratelimit"] == [
        "rate-limit cache unreachable, counting in process: ConnectionError"
    ]

    # Back, but the retry interval has not passed: still counted locally, Redis is left alone.
    private_redis.start()
    inspector = private_redis.client()
    waiting = api_client.get(API_ROOT)
    assert _remaining(waiting) == 97
    assert _counter_keys(inspector, limits) == []

    # After the retry interval: counting is back in Redis (a fresh server, so it starts again from 1).
    clock.advance(limits.RATE_LIMIT_REDIS_RETRY_SECONDS + 0.5)
    back = api_client.get(API_ROOT)
    assert back.status_code == 200
    assert _remaining(back) == 99
    (key,) = _counter_keys(inspector, limits)
    assert int(inspector.get(key)) == 1
    assert _remaining(api_client.get(API_ROOT)) == 98
    assert int(inspector.get(key)) == 2


# --- counters.hit / counters.reset --------------------------------------------------------------------


def test_hit_counts_each_event_and_increment_false_only_reads():
    def hit(**kwargs):
        return counters.hit(group="unit", value="alice", limit=3, window=HOUR, **kwargs)

    assert hit(increment=False).count == 0
    counted = [hit().count for _ in range(4)]
    read = hit(increment=False)

    assert counted == [1, 2, 3, 4]
    assert (read.count, read.limit, read.remaining, read.exceeded) == (4, 3, 0, True)
    assert hit(increment=False).count == 4, "reading does not count"
    assert abs(read.reset_at - _get_window("alice", HOUR)) <= 1


def test_hit_keeps_groups_and_values_apart():
    counters.hit(group="unit", value="alice", limit=3, window=HOUR)
    counters.hit(group="unit", value="alice", limit=3, window=HOUR)

    assert counters.hit(group="unit", value="bob", limit=3, window=HOUR).count == 1
    assert counters.hit(group="other", value="alice", limit=3, window=HOUR).count == 1
    assert counters.hit(group="unit", value="alice", limit=3, window=HOUR, increment=False).count == 2


def test_reset_clears_the_count_of_one_value_only():
    for _ in range(3):
        counters.hit(group="unit", value="alice", limit=3, window=HOUR)
    counters.hit(group="unit", value="bob", limit=3, window=HOUR)

    counters.reset(group="unit", value="alice", limit=3, window=HOUR)

    assert counters.hit(group="unit", value="alice", limit=3, window=HOUR, increment=False).count == 0
    assert counters.hit(group="unit", value="bob", limit=3, window=HOUR, increment=False).count == 1
    assert counters.hit(group="unit", value="alice", limit=3, window=HOUR).count == 1


def test_a_new_window_starts_counting_from_zero(clock):
    first = counters.hit(group="unit", value="alice", limit=3, window=60)
    counters.hit(group="unit", value="alice", limit=3, window=60)

    clock.advance(first.reset_at - clock.time() + 1)
    later = counters.hit(group="unit", value="alice", limit=3, window=60)

    assert later.count == 1
    assert later.reset_at == first.reset_at + 60


def test_local_counters_count_read_reset_and_roll_over(clock):
    local = counters.local_counters

    counted = [local.hit("unit", "alice", 3, 60, True) for _ in range(4)]
    read = local.hit("unit", "alice", 3, 60, False)

    assert [usage.count for usage in counted] == [1, 2, 3, 4]
    assert {usage.backend for usage in counted} == {"local"}
    assert (read.count, read.exceeded, read.reset_at) == (4, True, _get_window("alice", 60))
    assert local.hit("unit", "bob", 3, 60, True).count == 1

    local.reset("unit", "alice", 60)
    assert local.hit("unit", "alice", 3, 60, False).count == 0
    assert local.hit("unit", "bob", 3, 60, False).count == 1

    local.hit("unit", "alice", 3, 60, True)
    clock.advance(60)
    assert local.hit("unit", "alice", 3, 60, True).count == 1


def test_hit_and_reset_fall_back_to_local_counters_when_redis_is_unreachable(settings):
    _point_ratelimit_cache_at(settings, free_port())

    counted = [counters.hit(group="unit", value="alice", limit=3, window=HOUR) for _ in range(2)]
    read = counters.hit(group="unit", value="alice", limit=3, window=HOUR, increment=False)
    counters.reset(group="unit", value="alice", limit=3, window=HOUR)

    assert [usage.count for usage in counted] == [1, 2]
    assert {usage.backend for usage in counted} == {"local"}
    assert read.count == 2
    assert counters.hit(group="unit", value="alice", limit=3, window=HOUR, increment=False).count == 0


def test_retry_after_is_the_time_to_the_reset_and_at_least_one_second():
    usage = counters.Usage(count=4, limit=3, reset_at=1_000, backend="local")

    assert usage.retry_after(now=970) == 30
    assert usage.retry_after(now=1_000) == 1
    assert usage.retry_after(now=1_005) == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server: set REDIS_URL")
def test_hit_and_reset_count_in_redis_when_redis_url_is_set(settings):
    inspector = redis.Redis.from_url(os.environ["REDIS_URL"])

    counted = [counters.hit(group="unit", value="alice", limit=3, window=HOUR) for _ in range(2)]
    read = counters.hit(group="unit", value="alice", limit=3, window=HOUR, increment=False)

    assert [usage.count for usage in counted] == [1, 2]
    assert {usage.backend for usage in counted} == {"redis"}
    assert read.count == 2
    (key,) = _counter_keys(inspector, settings)
    assert int(inspector.get(key)) == 2
    assert 0 < inspector.ttl(key) <= HOUR + 5

    counters.reset(group="unit", value="alice", limit=3, window=HOUR)

    assert _counter_keys(inspector, settings) == []
    assert counters.hit(group="unit", value="alice", limit=3, window=HOUR, increment=False).count == 0


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server: set REDIS_URL")
def test_requests_are_counted_in_the_shared_redis_when_redis_url_is_set(api_client, limits):
    inspector = redis.Redis.from_url(os.environ["REDIS_URL"])

    responses = [api_client.get(API_ROOT) for _ in range(3)]

    assert [_remaining(response) for response in responses] == [4, 3, 2]
    (key,) = _counter_keys(inspector, limits)
    assert int(inspector.get(key)) == 3
