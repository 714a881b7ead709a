"""System endpoints, error shape, pagination and middleware (contract sections 0, 1, 10)."""

from __future__ import annotations

import gzip
import json
import logging
import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from courses.models import Course
from lms_project.exceptions import flatten_errors

pytestmark = pytest.mark.django_db


# --- system endpoints -----------------------------------------------------------------------------


def test_root_names_the_service_and_its_docs(api_client, settings):
    response = api_client.get("/")
    assert response.status_code == 200
    assert response.json() == {"name": settings.PROJECT_NAME, "version": settings.VERSION, "docs": "/docs"}


def test_health_reports_database_and_cache_up(api_client):
    response = api_client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "cache": "up"}
    assert "X-RateLimit-Limit" not in response  # excluded from rate limiting


def test_health_is_503_when_the_database_is_unreachable(api_client):
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("connection refused")):
        response = api_client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "down", "cache": "up"}
    assert api_client.get("/api/v1/health").status_code == 200  # recovers without a restart


def test_health_reports_cache_down_but_stays_200(api_client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "lms_project.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        },
    }
    response = api_client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "cache": "down"}


def test_api_errors_while_the_database_is_down_are_503_in_the_error_shape(student):
    from conftest import client_for

    client = client_for(student)
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("server closed")):
        response = client.get("/api/v1/auth/me")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert "Traceback" not in response.content.decode()


@pytest.mark.security
@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_other_hosts(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r'(?:src|href)=["\'](https?:)?//', html)
    assert external == [], f"{path} references another host"
    assert "/static/drf_spectacular_sidecar/" in html


def test_openapi_schema_has_bearer_security_and_examples(api_client):
    schema = api_client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    login = schema["paths"]["/api/v1/auth/login"]["post"]
    assert {"jwtAuth": []} not in login.get("security", [])  # public
    assert {"jwtAuth": []} in schema["paths"]["/api/v1/auth/me"]["get"]["security"]
    assert "examples" in login["requestBody"]["content"]["application/json"]
    assert "401" in login["responses"]


def test_browsable_api_root_renders_html_for_browsers(api_client):
    response = api_client.get("/api/v1/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Django REST framework" in response.content.decode()


# --- error shape ----------------------------------------------------------------------------------


def test_unknown_api_path_is_a_json_404(api_client):
    response = api_client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_unknown_path_outside_the_api_is_a_json_404(api_client):
    response = api_client.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_405_method_not_allowed(student_client):
    response = student_client.delete("/api/v1/auth/me")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_unsupported_media_type_is_415(api_client):
    response = api_client.post("/api/v1/auth/login", data="email=a", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_flatten_errors_names_nested_fields():
    nested = {"options": [{}, {"option_id": ["This field is required."]}], "non_field_errors": ["Bad."]}
    assert flatten_errors(nested) == {
        "options.1.option_id": ["This field is required."],
        "non_field_errors": ["Bad."],
    }


@pytest.mark.security
def test_unhandled_exception_is_a_logged_500_without_a_stack_trace(student_client, caplog):
    with (
        mock.patch("accounts.views.UserOut", side_effect=RuntimeError("boom")),
        caplog.at_level(logging.ERROR, logger="lms.errors"),
    ):
        response = student_client.get("/api/v1/auth/me")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    assert "boom" not in response.content.decode()
    record = next(r for r in caplog.records if r.name == "lms.errors")
    assert record.request_id == response["X-Request-ID"]


# --- pagination -----------------------------------------------------------------------------------


def test_pagination_shape_and_link_header(admin_client):
    StudentFactory.create_batch(4)  # 5 users with the admin
    response = admin_client.get("/api/v1/users", {"page": 2, "page_size": 2})
    body = response.json()
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (5, 2, 2, 3)
    assert len(body["items"]) == 2
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"]))
    assert set(links) == {"first", "prev", "next", "last"}
    assert "page=1" in links["first"] and "page=3" in links["last"] and "page=3" in links["next"]
    assert "page_size=2" in links["next"]


def test_first_page_has_no_prev_and_last_page_no_next(admin_client):
    StudentFactory.create_batch(2)
    first = admin_client.get("/api/v1/users", {"page_size": 2})
    assert 'rel="prev"' not in first["Link"] and 'rel="next"' in first["Link"]
    last = admin_client.get("/api/v1/users", {"page_size": 2, "page": 2})
    assert 'rel="next"' not in last["Link"] and 'rel="prev"' in last["Link"]


def test_page_past_the_end_is_empty_not_404(admin_client):
    response = admin_client.get("/api/v1/users", {"page": 99})
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["total"] == 1


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_bad_page_numbers_are_400(admin_client, page):
    response = admin_client.get("/api/v1/users", {"page": page})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "page" in response.json()["errors"]


def test_page_size_above_the_maximum_is_clamped(admin_client):
    response = admin_client.get("/api/v1/users", {"page_size": 1000})
    assert response.status_code == 200
    assert response.json()["page_size"] == 100


def test_page_size_zero_is_400(admin_client):
    assert admin_client.get("/api/v1/users", {"page_size": 0}).status_code == 400


def test_empty_list_has_zero_pages(admin_client):
    response = admin_client.get("/api/v1/users", {"role": "instructor"})
    assert response.json() == {"items": [], "total": 0, "page": 1, "page_size": 20, "total_pages": 0}
    assert 'rel="first"' in response["Link"] and 'rel="last"' in response["Link"]


# --- middleware -----------------------------------------------------------------------------------


@pytest.mark.security
def test_request_id_is_generated_or_echoed(api_client):
    generated = api_client.get("/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert api_client.get("/", HTTP_X_REQUEST_ID="trace-123")["X-Request-ID"] == "trace-123"
    # An id that could break a log line or header is replaced, not echoed.
    assert api_client.get("/", HTTP_X_REQUEST_ID="bad id\nx")["X-Request-ID"] != "bad id\nx"


@pytest.mark.security
def test_one_json_log_line_per_request_without_secrets(student, caplog):
    from conftest import client_for

    client = client_for(student)
    with caplog.at_level(logging.INFO, logger="lms.request"):
        response = client.post(
            "/api/v1/auth/login", {"email": student.email, "password": "Secret-Password-9"}, format="json"
        )
    records = [r for r in caplog.records if r.name == "lms.request"]
    assert len(records) == 1
    record = records[0]
    assert record.request_id == response["X-Request-ID"]
    assert (record.method, record.path, record.status) == ("POST", "/api/v1/auth/login", 401)
    assert record.client_ip == "127.0.0.1" and record.duration_ms >= 0
    from lms_project.logging import JsonFormatter

    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert {
        "ts",
        "level",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
        "client_ip",
    } <= set(entry)
    assert "Secret-Password-9" not in line and "Bearer" not in line


def test_log_line_names_the_authenticated_user(student_client, student, caplog):
    with caplog.at_level(logging.INFO, logger="lms.request"):
        student_client.get("/api/v1/auth/me")
    record = next(r for r in caplog.records if r.name == "lms.request")
    assert record.user_id == str(student.id)


@pytest.mark.security
def test_unknown_host_header_is_a_json_400(api_client):
    response = api_client.get("/api/v1/health", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert response.json() == {"detail": "Host header is not allowed.", "code": "bad_request"}
    assert api_client.get("/api/v1/health", HTTP_HOST="localhost").status_code == 200


@pytest.mark.security
def test_security_headers_are_set(api_client):
    response = api_client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.security
def test_cors_allows_configured_origins_only(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
    allowed = api_client.options(
        "/api/v1/auth/login",
        HTTP_ORIGIN="http://localhost:3000",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert allowed["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert (
        "X-Request-ID"
        in api_client.get("/", HTTP_ORIGIN="http://localhost:3000")["Access-Control-Expose-Headers"]
    )
    denied = api_client.get("/", HTTP_ORIGIN="http://evil.example.com")
    assert "Access-Control-Allow-Origin" not in denied


def test_large_json_responses_are_gzipped(admin_client):
    StudentFactory.create_batch(30)
    response = admin_client.get("/api/v1/users", {"page_size": 50}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["total"] == 31


def test_session_authentication_works_for_the_browsable_api(student):
    client = APIClient()
    client.force_login(student)
    assert client.get("/api/v1/auth/me").json()["id"] == str(student.id)


@pytest.mark.security
def test_json_bodies_over_the_memory_limit_are_refused_with_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"email": "a@example.com", "password": "' + "x" * 2000 + '"}'
    response = api_client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    small = api_client.post("/api/v1/auth/login", {"email": "a@example.com", "password": "x"}, format="json")
    assert small.status_code == 401


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_unsafe_method_on_unknown_api_path_is_a_json_404_not_a_csrf_page(method):
    # Found by schema fuzzing: a malformed id (`/files/null,null`) matches no route but the catch-all,
    # and the CSRF middleware answered unsafe methods there with its HTML 403 page.
    client = APIClient(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/files/null,null")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_the_openapi_schema_says_what_the_api_accepts_and_returns(api_client):
    # Found by schema fuzzing (scripts/fuzz_api.py); lms_project.openapi.contract_fixes.
    schema = api_client.get("/openapi.json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    # JSON in (contract), multipart only for the upload: form bodies cannot carry null, and an empty
    # form field means "not sent", so documenting them promised what the API does not do.
    assert list(paths["/api/v1/users/me"]["patch"]["requestBody"]["content"]) == ["application/json"]
    assert list(paths["/api/v1/files/upload"]["post"]["requestBody"]["content"]) == ["multipart/form-data"]
    # An empty question list fits both shapes: oneOf would reject it.
    assert "oneOf" not in components["QuestionListResponse"]
    assert len(components["QuestionListResponse"]["anyOf"]) == 2
    # Decimal strings need a digit ("" used to match the pattern, and the field refuses it).
    as_string, as_integer = components["QuestionInRequest"]["properties"]["points"]["anyOf"]
    points = re.compile(as_string["pattern"])  # 0..10,000, but 4 whole digits: at most 9999.99
    assert [bool(points.match(v)) for v in ("0", "1", "1.5", ".5", "9999.99")] == [True] * 5
    assert [bool(points.match(v)) for v in ("", "-", ".", "-2.25", "10000", "1.234")] == [False] * 6
    # A request may also send a whole number (never a float): documented as an integer alternative.
    assert as_integer == {"type": "integer", "minimum": 0, "maximum": 9999}
    percentage = components["ProgressInRequest"]["properties"]["completion_percentage"]["anyOf"]
    within = re.compile(percentage[0]["pattern"])
    assert [bool(within.match(v)) for v in ("0", "100", "100.00", "99.99")] == [True] * 4
    assert [bool(within.match(v)) for v in ("100.01", "101", "1000", "-1")] == [False] * 4
    assert percentage[1] == {"type": "integer", "minimum": 0, "maximum": 100}
    # Strings that may not be blank need a non-space character (DRF trims before checking), and no
    # request text holds U+0000 (PostgreSQL cannot store it; DRF refuses it with a 400).
    option_id = re.compile(
        components["AnswerInRequest"]["properties"]["selected_option_ids"]["items"]["pattern"]
    )
    password = components["LoginInRequest"]["properties"]["password"]
    description = re.compile(components["CourseCreateInRequest"]["properties"]["description"]["pattern"])
    assert [bool(option_id.search(v)) for v in ("a", " a ", "é\n")] == [True] * 3
    assert [bool(option_id.search(v)) for v in (" ", "\t\n", "a\x00", "\x00")] == [False] * 4
    # A password is kept as typed (spaces are part of it): only U+0000 is refused.
    assert (password["minLength"], password["pattern"]) == (1, r"^[^\u0000]*$")
    assert [bool(description.search(v)) for v in ("", " ", "text")] == [True] * 3
    assert not description.search("te\x00xt")
    # minLength counts after trimming: " a " is one character to DRF.
    full_name = re.compile(components["RegisterInRequest"]["properties"]["full_name"]["pattern"])
    assert [bool(full_name.search(v)) for v in ("ab", " a b ", "a\nb\n", "Ada Lovelace")] == [True] * 4
    assert [bool(full_name.search(v)) for v in ("a", " a ", "  ", "a\x00b")] == [False] * 4
    assert "anyOf" not in components["QuestionManagerOut"]["properties"]["points"]  # responses: strings
    # Status codes the API answers with, now documented.
    attempts = paths["/api/v1/courses/{course_id}/quizzes/{quiz_id}/attempts"]["get"]["responses"]
    assert "400" in attempts
    assert "409" in paths["/api/v1/lessons/{lesson_id}"]["delete"]["responses"]
    # The users list documents the paginator's parameters, with their minimum; an empty optional
    # query parameter means "not given" (`?role=` lists every role).
    parameters = {p["name"]: p["schema"] for p in paths["/api/v1/users"]["get"]["parameters"]}
    empty = {"type": "string", "maxLength": 0}
    assert parameters["page"]["anyOf"] == [{"type": "integer", "minimum": 1, "default": 1}, empty]
    assert parameters["page_size"]["anyOf"][0]["minimum"] == 1
    assert parameters["role"]["anyOf"][1] == empty
    assert parameters["search"] == {"type": "string", "maxLength": 255, "pattern": r"^[^\u0000]*$"}


def test_a_nul_character_in_any_text_is_a_400_naming_the_field(api_client, admin_client, admin, student):
    # PostgreSQL text cannot hold U+0000; the schema states it (found by schema fuzzing: a login whose
    # password held one). Nothing is written, and a login is refused before any account is looked at.
    name = admin.full_name
    refused = [
        ("password", api_client.post("/api/v1/auth/login", {"email": student.email, "password": "a\x00"})),
        ("full_name", admin_client.patch("/api/v1/users/me", {"full_name": "Ada\x00"})),
        ("search", admin_client.get("/api/v1/courses?search=%00")),
        ("metadata", admin_client.post("/api/v1/courses", {"title": "Course", "metadata": {"k\x00": 1}})),
    ]
    for field, response in refused:
        assert response.status_code == 400, field
        assert response.json()["code"] == "invalid"
        assert list(response.json()["errors"]) == [field]
    student.refresh_from_db()
    admin.refresh_from_db()
    assert (student.last_login_at, admin.full_name, Course.objects.count()) == (None, name, 0)


def test_an_empty_optional_query_parameter_means_not_given(admin_client, student):
    response = admin_client.get("/api/v1/users?role=&page=&is_active=&search=")
    assert response.status_code == 200
    assert response.json()["page"] == 1
    assert {user["role"] for user in response.json()["items"]} == {"admin", "student"}
