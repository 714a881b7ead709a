"""Security checks of issue 8 that no app's own tests already make (docs/security.md lists them all).

The app suites already cover the basics (JWT `alg=none`, wrong key, expiry, token types, logout and
deactivation in accounts/tests/test_auth_api.py; the certificate fetcher in certificates/tests/
test_pdf.py; download headers in files/tests/test_download_api.py; answer keys in the quizzes tests).
This module adds what they leave open: forged tokens beyond the plain cases, revocation driven
through the API, every log line of the auth flows, every student-reachable quiz route, disguised
HTML/SVG uploads, user-controlled certificate fields with remote URLs, CORS edge cases, headers with
`DEBUG=False` behind a TLS proxy, and `manage.py check --deploy` under production settings.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import jwt
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import RevokedAccessToken, User
from accounts.tests.factories import DEFAULT_PASSWORD
from accounts.tokens import issue_token_pair
from certificates import pdf as certificate_pdf
from certificates.models import Certificate
from certificates.tests.factories import CompletedEnrollmentFactory
from conftest import client_for
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.tests.factories import EnrollmentFactory
from files.models import UploadedFile
from files.tests.factories import PDF, upload
from lms_project.logging import JsonFormatter
from quizzes.models import Quiz
from quizzes.tests.factories import QuizFactory, multiple_choice, multiple_select, short_answer, true_false

pytestmark = [pytest.mark.django_db, pytest.mark.security]

BASE_DIR = Path(__file__).resolve().parents[2]
ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str, settings) -> dict[str, Any]:
    return jwt.decode(token, settings.SECRET_KEY, algorithms=[settings.SIMPLE_JWT["ALGORITHM"]])


def _assert_token_refused(response) -> None:
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert response["WWW-Authenticate"].startswith("Bearer")


def keys_anywhere(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair at any depth of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from keys_anywhere(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_anywhere(item)


# --- JWT: forged and revoked tokens ------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_an_unsigned_token_is_refused_whatever_the_spelling_of_none(student, settings, alg):
    claims = _claims(issue_token_pair(student).access_token, settings)
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())

    for unsigned in (f"{header}.{payload}.", f"{header}.{payload}"):
        response = _bearer(unsigned).get(ME)
        assert response.status_code == 401
        assert response.json()["code"] in ("token_not_valid", "bad_authorization_header")
    # The same claims, properly signed, are accepted: only the signature was wrong above.
    assert _bearer(jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")).get(ME).status_code == 200


@pytest.mark.filterwarnings("ignore:The HMAC key is")  # the test's SECRET_KEY is short for SHA-512
@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_a_token_signed_with_our_key_but_another_algorithm_is_refused(student, settings, alg):
    """Only the configured algorithm is accepted: no downgrade or confusion between HMAC sizes."""
    assert settings.SIMPLE_JWT["ALGORITHM"] == "HS256"
    claims = _claims(issue_token_pair(student).access_token, settings)

    _assert_token_refused(_bearer(jwt.encode(claims, settings.SECRET_KEY, algorithm=alg)).get(ME))


def test_a_token_of_a_deleted_user_is_refused(student):
    token = issue_token_pair(student).access_token
    User.objects.filter(pk=student.pk).delete()

    _assert_token_refused(_bearer(token).get(ME))


def test_a_token_whose_signature_was_moved_onto_other_claims_is_refused(student, other_student, settings):
    """Claims swapped under a valid signature (sub of another user): the signature covers the claims."""
    mine = issue_token_pair(student).access_token
    header, _, signature = mine.split(".")
    theirs = _claims(issue_token_pair(other_student).access_token, settings)
    spliced = f"{header}.{_b64(json.dumps(theirs).encode())}.{signature}"

    _assert_token_refused(_bearer(spliced).get(ME))


def test_after_logout_the_access_token_fails_on_every_route_not_only_me(student):
    pair = issue_token_pair(student)
    client = _bearer(pair.access_token)
    public_id = _upload_public_file(student)
    assert client.post(LOGOUT, {"refresh_token": pair.refresh_token}, format="json").status_code == 204

    for path in (ME, "/api/v1/users/me", "/api/v1/files/my-files", f"/api/v1/files/download/{public_id}"):
        _assert_token_refused(client.get(path))
    assert RevokedAccessToken.objects.filter(user=student).count() == 1
    assert BlacklistedToken.objects.filter(token__jti=_claims_unverified(pair.refresh_token)["jti"]).exists()


def _claims_unverified(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _upload_public_file(user: User) -> Any:
    response = client_for(user).post(
        "/api/v1/files/upload", {"file": upload("notes.pdf", PDF), "is_public": "true"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_deactivation_through_the_admin_api_ends_every_session_at_once(admin_client, student, api_client):
    first, second = issue_token_pair(student), issue_token_pair(student)
    assert _bearer(first.access_token).get(ME).status_code == 200

    response = admin_client.patch(f"/api/v1/users/{student.pk}", {"is_active": False}, format="json")

    assert (response.status_code, response.json()["is_active"]) == (200, False)
    for pair in (first, second):
        denied = _bearer(pair.access_token).get(ME)
        assert (denied.status_code, denied.json()["code"]) == (401, "account_disabled")
        assert (
            api_client.post(REFRESH, {"refresh_token": pair.refresh_token}, format="json").status_code == 401
        )
    outstanding = OutstandingToken.objects.filter(user=student)
    assert outstanding.count() == 2
    assert BlacklistedToken.objects.filter(token__in=outstanding).count() == 2
    login = api_client.post(
        "/api/v1/auth/login", {"email": student.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert (login.status_code, login.json()["code"]) == (401, "account_disabled")


def test_a_demotion_through_the_admin_api_takes_effect_on_the_next_request(admin_client, admin):
    other_admin = User.objects.create_user(
        "second-admin@example.com", DEFAULT_PASSWORD, full_name="Second Admin", role="admin"
    )
    client = client_for(other_admin)
    assert client.get("/api/v1/users").status_code == 200

    response = admin_client.patch(f"/api/v1/users/{other_admin.pk}", {"role": "student"}, format="json")

    assert response.status_code == 200
    assert User.objects.get(pk=other_admin.pk).role == "student"
    denied = client.get("/api/v1/users")  # the token still says "admin"
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")


# --- logs: no passwords, tokens or signatures -----------------------------------------------------


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def every_log_record() -> Iterator[list[logging.LogRecord]]:
    """Every record of every logger (root, and the loggers that do not propagate), at DEBUG."""
    handler = _Capture()
    names = [
        None,
        *(name for name, lg in logging.root.manager.loggerDict.items() if not getattr(lg, "propagate", True)),
    ]
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger("lms").setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
        logging.getLogger("lms").setLevel(logging.NOTSET)


def test_no_log_line_of_the_auth_and_file_flows_carries_a_password_token_or_signature(
    admin, api_client, every_log_record
):
    password, new_password = "Register-Secret-1111", "Changed-Secret-2222"
    wrong, admin_set, admin_reset = "Wrong-Secret-3333", "Admin-Set-Secret-4444", "Admin-Reset-Secret-5555"
    admin_client = client_for(admin)
    secrets: list[str] = [password, new_password, wrong, admin_set, admin_reset]
    requests = 0

    def call(client, method: str, path: str, body: dict | None = None, **extra):
        nonlocal requests
        requests += 1
        return getattr(client, method)(path, body, format="json", **extra)

    registered = call(
        api_client,
        "post",
        "/api/v1/auth/register",
        {"email": "leak@example.com", "password": password, "full_name": "Lea Leak"},
    )
    assert registered.status_code == 201
    weak = call(
        api_client,
        "post",
        "/api/v1/auth/register",
        {"email": "w@example.com", "password": "Qz7", "full_name": "W W"},
    )
    assert weak.status_code == 400
    secrets.append("Qz7")
    failed = call(api_client, "post", "/api/v1/auth/login", {"email": "leak@example.com", "password": wrong})
    assert failed.status_code == 401
    login = call(
        api_client, "post", "/api/v1/auth/login", {"email": "leak@example.com", "password": password}
    )
    assert login.status_code == 200
    tokens = login.json()["tokens"]
    refreshed = call(api_client, "post", REFRESH, {"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    pair = refreshed.json()["tokens"]
    me = _bearer(pair["access_token"])
    changed = call(me, "patch", "/api/v1/users/me", {"current_password": password, "password": new_password})
    assert changed.status_code == 200
    bad_header = call(APIClient(), "get", ME, HTTP_AUTHORIZATION="Bearer not.a-valid.token-secret-6666")
    assert bad_header.status_code == 401
    secrets.append("not.a-valid.token-secret-6666")
    created = call(
        admin_client,
        "post",
        "/api/v1/users",
        {"email": "made@example.com", "password": admin_set, "full_name": "Made By Admin", "role": "student"},
    )
    assert created.status_code == 201
    reset = call(admin_client, "patch", f"/api/v1/users/{created.json()['id']}", {"password": admin_reset})
    assert reset.status_code == 200

    # A signed download link: its signature travels in the query string, which must not be logged.
    file_id = _upload_public_file(User.objects.get(email="leak@example.com"))
    requests += 1  # the upload
    link = call(me, "get", f"/api/v1/files/{file_id}/download-url")
    assert link.status_code == 200
    url = urlsplit(link.json()["url"])
    signature = unquote(url.query.removeprefix("signature="))
    requests += 1
    downloaded = APIClient().get(f"{url.path}?{url.query}")
    assert downloaded.status_code == 200

    logout = call(me, "post", LOGOUT, {"refresh_token": pair["refresh_token"]})
    assert logout.status_code == 204
    # Replaying the first refresh token trips reuse detection, which logs a warning.
    replay = call(api_client, "post", REFRESH, {"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 401

    for token in (
        registered.json()["tokens"]["access_token"],
        registered.json()["tokens"]["refresh_token"],
        tokens["access_token"],
        tokens["refresh_token"],
        pair["access_token"],
        pair["refresh_token"],
    ):
        secrets += [token, token.rsplit(".", 1)[1]]  # the whole token and its signature alone
    secrets += [signature, quote(signature, safe=""), signature.rsplit(":", 1)[-1]]

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in every_log_record]
    request_lines = [r for r in every_log_record if r.name == "lms.request"]
    assert len(request_lines) == requests  # every request was seen, so nothing escaped the capture
    assert any(r.getMessage() == "refresh token reuse detected" for r in every_log_record)
    for line in lines:
        for secret in secrets:
            assert secret not in line, f"secret {secret[:12]}... logged in {line[:300]}"
        assert "Bearer" not in line and "signature=" not in line
    download_line = next(r for r in request_lines if r.path == url.path)
    assert download_line.status == 200


# --- answer data never reaches a student -------------------------------------------------------

SECRET_ANSWER, SECRET_ALTERNATIVE, SECRET_EXPLANATION = "zebra-answer-7731", "okapi-answer-8842", "why-9953"
ANSWER_KEYS = {"correct_answer", "accepted_answers", "explanation"}


@pytest.mark.parametrize("show_correct_answers", [False, True])
def test_no_student_response_of_any_quiz_route_carries_answer_data(student, instructor, show_correct_answers):
    course = CourseFactory(instructor=instructor, is_published=True)
    lesson = LessonFactory(course=course)
    quiz = QuizFactory(course=course, lesson=lesson, show_correct_answers=show_correct_answers)
    questions = [
        multiple_choice(quiz, correct="c", explanation=SECRET_EXPLANATION),
        multiple_select(quiz, correct=("b", "d"), explanation=SECRET_EXPLANATION),
        true_false(quiz, answer="false", explanation=SECRET_EXPLANATION),
        short_answer(
            quiz, answer=SECRET_ANSWER, accepted=[SECRET_ALTERNATIVE], explanation=SECRET_EXPLANATION
        ),
    ]
    quiz.refresh_from_db()
    enrollment = EnrollmentFactory(student=student, course=course)
    client = client_for(student)
    quiz_url = f"/api/v1/courses/{course.pk}/quizzes/{quiz.pk}"

    responses = {
        "course": client.get(f"/api/v1/courses/{course.pk}"),
        "lessons": client.get(f"/api/v1/courses/{course.pk}/lessons"),
        "quiz list": client.get(f"/api/v1/courses/{course.pk}/quizzes"),
        "quiz": client.get(quiz_url),
        "questions": client.get(f"{quiz_url}/questions"),
        "paper before": client.get(f"/api/v1/quizzes/{quiz.pk}/attempts/start"),
        "start": client.post(f"/api/v1/quizzes/{quiz.pk}/attempts"),
    }
    attempt_id = responses["start"].json()["id"]
    responses["paper during"] = client.get(f"/api/v1/quizzes/{quiz.pk}/attempts/start")
    wrong = [
        {"question_id": str(questions[0].pk), "selected_option_id": "a"},
        {"question_id": str(questions[1].pk), "selected_option_ids": ["a"]},
        {"question_id": str(questions[2].pk), "answer_text": "true"},
        {"question_id": str(questions[3].pk), "answer_text": "a guess"},
    ]
    responses["submit"] = client.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts/{attempt_id}/submit", {"answers": wrong}, format="json"
    )
    responses["attempt"] = client.get(f"/api/v1/quizzes/{quiz.pk}/attempts/{attempt_id}")
    responses["my attempts"] = client.get(f"/api/v1/quizzes/{quiz.pk}/attempts/my-attempts")
    responses["dashboard"] = client.get("/api/v1/analytics/my-dashboard")
    responses["enrollment"] = client.get(f"/api/v1/enrollments/{enrollment.pk}")
    # Manager-only routes answer a student with an error, and the error carries nothing either.
    responses["all attempts"] = client.get(f"{quiz_url}/attempts")
    responses["stats"] = client.get(f"{quiz_url}/stats")

    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses == {
        **dict.fromkeys(responses, 200),
        "start": 201,
        "all attempts": 403,
        "stats": 403,
    }
    assert responses["submit"].json()["status"] == "graded"
    for name, response in responses.items():
        raw = response.content.decode()
        for secret in (SECRET_ANSWER, SECRET_ALTERNATIVE, SECRET_EXPLANATION):
            assert secret not in raw, (name, secret)
        pairs = list(keys_anywhere(response.json()))
        assert {key for key, _ in pairs} & ANSWER_KEYS == set(), name
        for key, value in pairs:
            if key == "options" and isinstance(value, list):
                assert all(set(option) == {"option_id", "option_text"} for option in value), name
            if key == "is_correct" and not show_correct_answers:
                assert value is None, name
    answers = responses["attempt"].json()["answers"]
    assert len(answers) == 4
    expected = {False} if show_correct_answers else {None}
    assert {answer["is_correct"] for answer in answers} == expected
    assert Quiz.objects.get(pk=quiz.pk).questions.get(pk=questions[3].pk).correct_answer == SECRET_ANSWER


# --- uploads: HTML and SVG never run as pages of our origin --------------------------------------

SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML_WITH_SCRIPT = b"<!doctype html><html><script>fetch('/api/v1/auth/me')</script></html>"


@pytest.mark.parametrize("name", ["logo.svg", "logo.SVG", "page.html", "page.htm", "page.xhtml", "x.svgz"])
def test_html_and_svg_are_refused_under_the_default_allow_list(student_client, name):
    content = SVG_WITH_SCRIPT if "svg" in name.lower() else HTML_WITH_SCRIPT

    response = student_client.post(
        "/api/v1/files/upload", {"file": upload(name, content, "image/png")}, format="multipart"
    )

    assert (response.status_code, response.json()["code"]) == (400, "extension_not_allowed")
    assert not UploadedFile.objects.exists()


@pytest.mark.parametrize("name", ["logo.png", "logo.jpg", "page.pdf", "page.doc", "page.docx", "clip.mp4"])
@pytest.mark.parametrize("content", [SVG_WITH_SCRIPT, HTML_WITH_SCRIPT], ids=["svg", "html"])
def test_html_or_svg_under_an_allowed_extension_is_refused_by_content(student_client, name, content):
    response = student_client.post(
        "/api/v1/files/upload", {"file": upload(name, content, "image/png")}, format="multipart"
    )

    assert (response.status_code, response.json()["code"]) == (400, "content_mismatch")
    assert not UploadedFile.objects.exists()


def test_an_allowed_svg_downloaded_through_a_signed_link_is_still_a_sandboxed_attachment(
    settings, student_client
):
    settings.ALLOWED_UPLOAD_EXTENSIONS = [*settings.ALLOWED_UPLOAD_EXTENSIONS, "svg"]
    created = student_client.post(
        "/api/v1/files/upload", {"file": upload("logo.svg", SVG_WITH_SCRIPT)}, format="multipart"
    )
    assert created.status_code == 201
    link = urlsplit(student_client.get(f"/api/v1/files/{created.json()['id']}/download-url").json()["url"])

    response = APIClient().get(f"{link.path}?{link.query}", HTTP_ACCEPT="text/html,image/svg+xml")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SVG_WITH_SCRIPT
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert UploadedFile.objects.get(pk=created.json()["id"]).mime_type == "image/svg+xml"


# --- certificate PDFs: user-controlled fields fetch nothing --------------------------------------

REMOTE_MARKUP = (
    '<img src="http://attacker.example/pixel.png">'
    '<link rel="stylesheet" href="https://attacker.example/x.css">'
    '<style>@import url("http://attacker.example/i.css"); p { background: url(file:///etc/passwd) }</style>'
)


@pytest.fixture
def certificate_storage(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "storage"), "base_url": None},
        },
    }
    settings.PUBLIC_BASE_URL = "https://lms.example.com"


@pytest.fixture
def fetches_and_lookups(monkeypatch) -> tuple[list[str], list[str]]:
    """URLs the certificate renderer asked for, and host names anything tried to resolve."""
    fetched: list[str] = []
    looked_up: list[str] = []
    fetch = certificate_pdf.StaticOnlyURLFetcher.fetch
    getaddrinfo = socket.getaddrinfo

    def spy_fetch(self, url, headers=None):
        fetched.append(url)
        return fetch(self, url, headers)

    def spy_getaddrinfo(host, *args, **kwargs):
        looked_up.append(str(host))
        if "attacker" in str(host):
            raise OSError("network refused by the test")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(certificate_pdf.StaticOnlyURLFetcher, "fetch", spy_fetch)
    monkeypatch.setattr(socket, "getaddrinfo", spy_getaddrinfo)
    return fetched, looked_up


def test_remote_and_file_urls_in_names_and_titles_set_through_the_api_fetch_nothing(
    certificate_storage, fetches_and_lookups, student, instructor
):
    fetched, looked_up = fetches_and_lookups
    course = CourseFactory(instructor=instructor, is_published=True, title="Plain title")
    enrollment = CompletedEnrollmentFactory(student=student, course=course)
    student_client, instructor_client = client_for(student), client_for(instructor)
    evil_name = 'Eve <img src="file:///etc/passwd">'
    evil_title = f"Course {REMOTE_MARKUP}"[:255]
    evil_instructor = 'Ivan <object data="http://attacker.example/o">'
    assert (
        student_client.patch("/api/v1/users/me", {"full_name": evil_name}, format="json").status_code == 200
    )
    assert (
        instructor_client.patch("/api/v1/users/me", {"full_name": evil_instructor}, format="json").status_code
        == 200
    )
    titled = instructor_client.patch(f"/api/v1/courses/{course.pk}", {"title": evil_title}, format="json")
    assert titled.status_code == 200

    issued = student_client.post(f"/api/v1/certificates/enrollments/{enrollment.pk}/generate")
    assert issued.status_code in (200, 201), issued.content
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert (certificate.student_name, certificate.course_title, certificate.instructor_name) == (
        evil_name,
        evil_title,
        evil_instructor,
    )
    response = student_client.get(f"/api/v1/certificates/{certificate.pk}/download")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    assert b"root:x:0:0" not in data
    assert [url.split(":", 1)[0] for url in fetched] == ["file", "data"]  # the stylesheet, the QR code
    assert fetched[0] == f"{certificate_pdf.STATIC_ROOT_URL}certificates/certificate.css"
    assert not any("attacker" in host for host in looked_up)
    html = certificate_pdf.certificate_html(certificate)
    assert "<img" not in html.split("<body>", 1)[1].replace('<img src="data:', "")
    assert "&lt;style&gt;@import" in html


@pytest.mark.parametrize(
    "url",
    [
        "http://attacker.example/x.png",
        "https://attacker.example/x.css",
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "//attacker.example/x.png",
    ],
)
def test_injected_remote_urls_reaching_the_renderer_are_refused_before_any_connection(
    fetches_and_lookups, tmp_path, url
):
    """Belt and braces: markup that escaped the template (it cannot) still opens no connection."""
    from weasyprint import HTML

    fetched, looked_up = fetches_and_lookups
    HTML(
        string=(
            f'<p>x</p><img src="{url}"><link rel="stylesheet" href="{url}">'
            f'<link rel="attachment" href="{url}">'
        ),
        base_url=certificate_pdf.STATIC_ROOT_URL,
        url_fetcher=certificate_pdf.StaticOnlyURLFetcher(),
    ).write_pdf()

    assert fetched  # the renderer did ask, and was refused
    assert not any("attacker" in host or host.startswith(("127.", "169.254.")) for host in looked_up)


# --- CORS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example.com",
        "null",
        "http://localhost:3000.evil.example.com",
        "http://evil-localhost:3000",
        "https://localhost:3000",  # another scheme is another origin
        "http://localhost:3001",
    ],
)
def test_a_preflight_from_an_unlisted_origin_gets_no_cors_grant(api_client, settings, origin):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]

    preflight = api_client.options(
        "/api/v1/auth/me",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    simple = api_client.get("/api/v1/health", HTTP_ORIGIN=origin)

    for response in (preflight, simple):
        assert "Access-Control-Allow-Origin" not in response
        assert "Access-Control-Allow-Credentials" not in response
    assert "Access-Control-Allow-Headers" not in preflight


def test_a_listed_origin_gets_exactly_its_own_origin_back_and_no_credentials(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
    assert not getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False)
    assert not getattr(settings, "CORS_ALLOWED_ORIGIN_REGEXES", [])

    preflight = api_client.options(
        "/api/v1/auth/me",
        HTTP_ORIGIN="http://localhost:3000",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )

    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "http://localhost:3000"  # never "*"
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    # Bearer tokens, not cookies: a browser must never send the session cookie cross-site.
    assert "Access-Control-Allow-Credentials" not in preflight
    assert "origin" in preflight.get("Vary", "").lower()


# --- headers with DEBUG=False, behind a TLS proxy -------------------------------------------------

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def test_security_headers_are_on_every_kind_of_response_with_debug_off(settings, student):
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 0
    client = APIClient()
    responses = {
        "root": client.get("/"),
        "json 200": client.get("/api/v1/health"),
        "401": client.get(ME),
        "404": client.get("/api/v1/no-such-route"),
        "404 outside the api": client.get("/no-such-page"),
        "docs": client.get("/docs"),
        "bad host": client.get("/api/v1/health", HTTP_HOST="evil.example.com"),
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        "root": 200,
        "json 200": 200,
        "401": 401,
        "404": 404,
        "404 outside the api": 404,
        "docs": 200,
        "bad host": 400,
    }
    assert responses["bad host"].json() == {"detail": "Host header is not allowed.", "code": "bad_request"}
    for name, response in responses.items():
        for header, value in SECURITY_HEADERS.items():
            if name == "bad host" and header == "X-Frame-Options":
                continue  # set by the innermost middleware; the host check answers before it (JSON only)
            if name == "docs" and header == "Cross-Origin-Opener-Policy":
                # drf-spectacular's Swagger view sets "unsafe-none" itself (for OAuth2 pop-ups).
                assert response[header] == "unsafe-none"
                continue
            assert response.get(header) == value, (name, header)
        assert "Strict-Transport-Security" not in response
        assert b"Traceback" not in response.content and b"DEBUG = True" not in response.content


def test_behind_a_tls_proxy_hsts_and_the_https_redirect_follow_x_forwarded_proto(settings):
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = APIClient()

    plain = client.get("/api/v1/health")
    secure = client.get("/api/v1/health", HTTP_X_FORWARDED_PROTO="https")

    assert (plain.status_code, plain["Location"]) == (301, "https://testserver/api/v1/health")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    for header, value in SECURITY_HEADERS.items():
        assert secure[header] == value


def test_the_https_redirect_never_sends_a_client_to_a_host_it_made_up(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = APIClient().get("/api/v1/health", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert "Location" not in response
    assert response.json()["code"] == "bad_request"


def test_without_use_x_forwarded_proto_a_client_cannot_claim_https(settings):
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = True
    assert getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None

    response = APIClient().get("/api/v1/health", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301  # still plain HTTP: the header is not trusted
    assert "Strict-Transport-Security" not in response


# --- manage.py check --deploy under production settings -----------------------------------------

# What production sets (docs/operations.md, "Production settings that must be set"), TLS aside.
PRODUCTION_ENV = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "pK3v9-Qz7rT1wXy4Lm8Nc2Bd6Fg0Hj5Ks9Ua3Ve7Wi1Yo4Zp8Rq2St6Ux0-aE5bR7cT9dY1eU3fI5gO7hP9",
    "DATABASE_URL": "postgresql://lms@db.invalid:5432/lms",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "CELERY_BROKER_URL": "redis://redis.invalid:6379/1",
    "TRUSTED_HOSTS": "lms.example.com",
    "CORS_ORIGINS": "https://app.example.com",
    "TRUSTED_PROXIES": "10.0.0.0/8",
    "PUBLIC_BASE_URL": "https://lms.example.com",
    "EMAIL_HOST": "smtp.example.com",
}
# HTTPS is terminated at the proxy; these two are set only once TLS is in place (docs/operations.md:
# "USE_X_FORWARDED_PROTO=true, SECURE_HSTS_SECONDS, SECURE_SSL_REDIRECT | behind TLS").
HTTPS_PROXY_WARNINGS = {"security.W004", "security.W008"}
# drf-spectacular reports component naming collisions in the OpenAPI schema as deploy warnings: docs
# cosmetics, not security (errors, drf_spectacular.E001/W002, are not tolerated).
SCHEMA_NAMING_WARNINGS = {"drf_spectacular.W001"}

_CHECK = """
import io, json, re, django
django.setup()
from django.core.management import call_command
out, err = io.StringIO(), io.StringIO()
call_command("check", "--deploy", stdout=out, stderr=err)
print(json.dumps(sorted(set(re.findall(r"\\(([a-z_]+\\.[A-Z]\\d{3})\\)", out.getvalue() + err.getvalue())))))
"""


def _deploy_check(env: dict[str, str]) -> set[str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith(("SECURE_", "USE_X_"))
        and key not in PRODUCTION_ENV
    }
    result = subprocess.run(
        [sys.executable, "-c", _CHECK],
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "lms_project.settings",
            "LMS_IGNORE_DOTENV": "true",
            "PYTHONPATH": str(BASE_DIR),
            **env,
        },
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_check_deploy_in_production_warns_only_about_the_https_proxy_items():
    ids = _deploy_check(PRODUCTION_ENV)

    assert ids - SCHEMA_NAMING_WARNINGS == HTTPS_PROXY_WARNINGS


def test_check_deploy_with_tls_settings_leaves_only_the_hsts_preload_opt_in():
    ids = _deploy_check(
        {
            **PRODUCTION_ENV,
            "USE_X_FORWARDED_PROTO": "true",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_SSL_REDIRECT": "true",
        }
    )

    # W021: HSTS preload is a deliberate, hard-to-undo submission to browser lists (docs/security.md).
    assert ids - SCHEMA_NAMING_WARNINGS == {"security.W021"}


def test_check_deploy_names_what_a_half_configured_production_misses():
    """The check is not blind: dropping Redis, the broker, the public URL and PostgreSQL is reported."""
    env = {
        **PRODUCTION_ENV,
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "PUBLIC_BASE_URL": "",
        "DATABASE_URL": "",
    }

    ids = _deploy_check(env)

    assert ids - SCHEMA_NAMING_WARNINGS == HTTPS_PROXY_WARNINGS | {
        "lms.W001",
        "lms.W002",
        "lms.W003",
        "certificates.W001",
    }
