"""Auth API (contract section 2): register, login, refresh, logout, me."""

from __future__ import annotations

import bcrypt
import jwt
import pytest
from django.core import mail
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import RevokedAccessToken, User
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from accounts.tokens import issue_token_pair

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"
GOOD_PASSWORD = "Analytical-Engine-1843"


def _claims(token: str, settings) -> dict:
    return jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _login(api_client, email: str, password: str = DEFAULT_PASSWORD):
    return api_client.post(LOGIN, {"email": email, "password": password}, format="json")


# --- register -------------------------------------------------------------------------------------


def test_register_creates_a_student_with_tokens_and_queues_a_welcome_email(
    api_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            REGISTER,
            {"email": "  Ada@Example.COM ", "password": GOOD_PASSWORD, "full_name": "Ada Lovelace"},
            format="json",
        )

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get()
    assert body["user"] == {
        "id": str(user.id),
        "email": "ada@example.com",
        "full_name": "Ada Lovelace",
        "role": "student",
        "is_active": True,
        "created_at": body["user"]["created_at"],
        "last_login_at": None,
    }
    assert body["tokens"]["token_type"] == "bearer"
    assert body["tokens"]["expires_in"] == settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert "Ada Lovelace" in mail.outbox[0].body


@pytest.mark.security
def test_new_passwords_are_hashed_with_argon2id(api_client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    response = api_client.post(
        REGISTER, {"email": "a@example.com", "password": GOOD_PASSWORD, "full_name": "Ada"}, format="json"
    )
    assert response.status_code == 201
    assert User.objects.get().password.startswith("argon2$argon2id$")


def test_access_and_refresh_tokens_carry_exactly_the_contract_claims(api_client, settings):
    response = api_client.post(
        REGISTER, {"email": "a@example.com", "password": GOOD_PASSWORD, "full_name": "Ada"}, format="json"
    )
    tokens = response.json()["tokens"]
    user = User.objects.get()

    access = _claims(tokens["access_token"], settings)
    refresh = _claims(tokens["refresh_token"], settings)

    assert {"sub", "role", "typ", "jti", "iat", "exp"} <= set(access)
    assert access["sub"] == str(user.id) and access["role"] == "student" and access["typ"] == "access"
    assert access["exp"] - access["iat"] == settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60
    assert set(refresh) == {"sub", "typ", "jti", "iat", "exp"}
    assert refresh["typ"] == "refresh"
    assert refresh["exp"] - refresh["iat"] == settings.REFRESH_TOKEN_EXPIRE_DAYS * 86400
    assert access["sid"] == refresh["jti"]


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@EXAMPLE.COM", " Ada@example.com"])
def test_register_with_an_existing_email_in_any_case_is_a_conflict(api_client, email):
    StudentFactory(email="ada@example.com")
    response = api_client.post(
        REGISTER, {"email": email, "password": GOOD_PASSWORD, "full_name": "Ada Again"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123", "12345678901", "ada@example.com1"],
    ids=["too-short", "common", "all-digits", "like-email"],
)
def test_register_refuses_weak_passwords(api_client, password):
    response = api_client.post(
        REGISTER,
        {"email": "ada@example.com", "password": password, "full_name": "Ada Lovelace"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["password"]
    assert not User.objects.exists()


@pytest.mark.security
def test_register_as_admin_is_forbidden_and_then_a_student_signup_succeeds(api_client):
    body = {"email": "eve@example.com", "password": GOOD_PASSWORD, "full_name": "Eve", "role": "admin"}
    response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_allowed"
    assert not User.objects.exists()

    response = api_client.post(REGISTER, {**body, "role": "student"}, format="json")
    assert response.status_code == 201
    assert User.objects.get().role == "student"


@pytest.mark.security
def test_instructor_signup_is_refused_unless_allowed(api_client, settings):
    body = {"email": "ivan@example.com", "password": GOOD_PASSWORD, "full_name": "Ivan", "role": "instructor"}
    response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_allowed"

    settings.ALLOW_INSTRUCTOR_SIGNUP = True
    response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 201
    assert User.objects.get().role == "instructor"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": GOOD_PASSWORD, "full_name": "Ada"}, "email"),
        ({"password": GOOD_PASSWORD, "full_name": "Ada"}, "email"),
        ({"email": "a@example.com", "full_name": "Ada"}, "password"),
        ({"email": "a@example.com", "password": GOOD_PASSWORD, "full_name": "A"}, "full_name"),
        ({"email": "a@example.com", "password": GOOD_PASSWORD, "full_name": "A" * 256}, "full_name"),
        ({"email": "a@example.com", "password": GOOD_PASSWORD, "full_name": "Ada", "role": "king"}, "role"),
        ({"email": "a" * 250 + "@x.com", "password": GOOD_PASSWORD, "full_name": "Ada"}, "email"),
        ({"email": "a@example.com", "password": "x" * 129, "full_name": "Ada"}, "password"),
    ],
)
def test_register_with_bad_fields_is_a_validation_error_naming_the_field(api_client, body, field):
    response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid"
    assert field in payload["errors"]
    assert isinstance(payload["detail"], str)
    assert not User.objects.exists()


def test_malformed_json_is_a_parse_error(api_client):
    response = api_client.post(REGISTER, data='{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_json_list_instead_of_an_object_is_a_validation_error(api_client):
    response = api_client.post(REGISTER, data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "non_field_errors" in response.json()["errors"]


@pytest.mark.security
def test_unknown_fields_are_ignored_not_applied(api_client):
    response = api_client.post(
        REGISTER,
        {
            "email": "a@example.com",
            "password": GOOD_PASSWORD,
            "full_name": "Ada",
            "is_active": False,
            "id": "x",
        },
        format="json",
    )
    assert response.status_code == 201
    assert User.objects.get().is_active is True


def test_trailing_slash_works_without_a_redirect(api_client):
    response = api_client.post(
        REGISTER + "/",
        {"email": "a@example.com", "password": GOOD_PASSWORD, "full_name": "Ada"},
        format="json",
    )
    assert response.status_code == 201


# --- login ----------------------------------------------------------------------------------------


def test_login_returns_user_and_tokens_and_sets_last_login_at(api_client):
    user = StudentFactory(email="sam@example.com")
    assert user.last_login_at is None

    response = _login(api_client, "SAM@example.com")

    assert response.status_code == 200
    body = response.json()
    user.refresh_from_db()
    assert user.last_login_at is not None
    assert body["user"]["id"] == str(user.id)
    assert body["user"]["last_login_at"] is not None
    assert _bearer(body["tokens"]["access_token"]).get(ME).json()["email"] == "sam@example.com"


@pytest.mark.security
def test_wrong_password_and_unknown_email_get_the_same_answer(api_client):
    StudentFactory(email="sam@example.com")
    wrong_password = _login(api_client, "sam@example.com", "Not-The-Password-1")
    unknown_email = _login(api_client, "nobody@example.com", "Not-The-Password-1")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json()["code"] == "invalid_credentials"
    assert wrong_password["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.security
def test_disabled_account_cannot_log_in(api_client):
    StudentFactory(email="sam@example.com", is_active=False)
    response = _login(api_client, "sam@example.com")
    assert response.status_code == 401
    assert response.json()["code"] == "account_disabled"


@pytest.mark.security
def test_login_is_throttled_per_email_after_repeated_failures(api_client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    StudentFactory(email="sam@example.com")
    StudentFactory(email="other@example.com")
    for _ in range(3):
        assert _login(api_client, "sam@example.com", "Wrong-Password-1").status_code == 401

    blocked = _login(api_client, "sam@example.com")  # even the right password waits for the window
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "rate_limited"
    assert 1 <= int(blocked["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    # Another account from the same client is not affected.
    assert _login(api_client, "other@example.com").status_code == 200


def test_a_successful_login_resets_the_failure_count(api_client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    StudentFactory(email="sam@example.com")
    for _ in range(2):
        _login(api_client, "sam@example.com", "Wrong-Password-1")
    assert _login(api_client, "sam@example.com").status_code == 200
    for _ in range(2):
        assert _login(api_client, "sam@example.com", "Wrong-Password-1").status_code == 401
    assert _login(api_client, "sam@example.com").status_code == 200


def test_legacy_bcrypt_hash_verifies_and_is_upgraded_on_login(api_client, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "accounts.hashers.LegacyBcryptPasswordHasher",
    ]
    legacy = bcrypt.hashpw(b"Old-System-Password-7", bcrypt.gensalt(rounds=4)).decode()
    assert legacy.startswith("$2b$")
    user = StudentFactory(email="old@example.com")
    User.objects.filter(pk=user.pk).update(password=legacy)  # as the FastAPI system stored it

    assert _login(api_client, "old@example.com", "Wrong-Password-1").status_code == 401
    assert _login(api_client, "old@example.com", "Old-System-Password-7").status_code == 200

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert _login(api_client, "old@example.com", "Old-System-Password-7").status_code == 200


def test_legacy_bcrypt_passwords_longer_than_72_bytes_still_verify(api_client, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "accounts.hashers.LegacyBcryptPasswordHasher",
    ]
    long_password = "L0ng-" + "x" * 80
    # bcrypt < 5 (passlib) hashed only the first 72 bytes.
    legacy = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()
    user = StudentFactory(email="long@example.com")
    User.objects.filter(pk=user.pk).update(password=legacy)
    assert _login(api_client, "long@example.com", long_password).status_code == 200


# --- tokens on protected routes -------------------------------------------------------------------


@pytest.mark.security
def test_me_without_a_token_is_401_with_a_bearer_challenge(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.security
def test_tampered_token_is_rejected(student):
    token = issue_token_pair(student).access_token
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    response = _bearer(tampered).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.security
def test_token_signed_with_another_key_is_rejected(student, settings):
    claims = _claims(issue_token_pair(student).access_token, settings)
    forged = jwt.encode(claims, "another-secret-key-that-is-long-enough-32", algorithm="HS256")
    response = _bearer(forged).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


@pytest.mark.security
def test_alg_none_token_is_rejected(student, settings):
    claims = _claims(issue_token_pair(student).access_token, settings)
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    assert _bearer(unsigned).get(ME).status_code == 401


@pytest.mark.security
def test_expired_access_token_is_rejected(student, settings):
    claims = _claims(issue_token_pair(student).access_token, settings)
    expired = jwt.encode(
        {**claims, "iat": claims["iat"] - 3600, "exp": claims["iat"] - 60}, settings.SECRET_KEY
    )
    response = _bearer(expired).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert _bearer(jwt.encode(claims, settings.SECRET_KEY)).get(ME).status_code == 200


@pytest.mark.security
def test_refresh_token_used_as_bearer_is_rejected(student):
    pair = issue_token_pair(student)
    assert _bearer(pair.refresh_token).get(ME).status_code == 401
    assert _bearer(pair.access_token).get(ME).status_code == 200


@pytest.mark.security
def test_access_token_presented_to_refresh_is_rejected(api_client, student):
    pair = issue_token_pair(student)
    response = api_client.post(REFRESH, {"refresh_token": pair.access_token}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


@pytest.mark.security
def test_deactivated_user_tokens_fail_from_the_next_request(student):
    client = _bearer(issue_token_pair(student).access_token)
    assert client.get(ME).status_code == 200
    User.objects.filter(pk=student.pk).update(is_active=False)
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "account_disabled"


@pytest.mark.security
def test_role_is_read_from_the_database_not_the_token(student):
    client = _bearer(issue_token_pair(student).access_token)
    assert client.get("/api/v1/users").status_code == 403
    User.objects.filter(pk=student.pk).update(role="admin")
    assert client.get("/api/v1/users").status_code == 200


# --- refresh --------------------------------------------------------------------------------------


@pytest.mark.security
def test_refresh_rotates_the_pair_and_revokes_the_old_refresh_token(api_client, student):
    old = issue_token_pair(student)
    response = api_client.post(REFRESH, {"refresh_token": old.refresh_token}, format="json")

    assert response.status_code == 200
    new = response.json()["tokens"]
    assert new["refresh_token"] != old.refresh_token
    assert response.json()["user"]["id"] == str(student.id)
    assert _bearer(new["access_token"]).get(ME).status_code == 200
    assert BlacklistedToken.objects.filter(token__token=old.refresh_token).exists()


@pytest.mark.security
def test_reusing_a_rotated_refresh_token_revokes_all_of_the_users_refresh_tokens(api_client, student):
    first = issue_token_pair(student)
    other_device = issue_token_pair(student)
    rotated = api_client.post(REFRESH, {"refresh_token": first.refresh_token}, format="json").json()["tokens"]

    replay = api_client.post(REFRESH, {"refresh_token": first.refresh_token}, format="json")

    assert replay.status_code == 401
    assert replay.json()["code"] == "token_not_valid"
    unrevoked = OutstandingToken.objects.filter(user=student, blacklistedtoken__isnull=True)
    assert not unrevoked.exists()
    for token in (rotated["refresh_token"], other_device.refresh_token):
        response = api_client.post(REFRESH, {"refresh_token": token}, format="json")
        assert response.status_code == 401


@pytest.mark.security
def test_refresh_of_a_disabled_user_is_refused(api_client, student):
    pair = issue_token_pair(student)
    User.objects.filter(pk=student.pk).update(is_active=False)
    response = api_client.post(REFRESH, {"refresh_token": pair.refresh_token}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "account_disabled"


@pytest.mark.security
@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c"])
def test_refresh_with_garbage_is_rejected(api_client, garbage):
    response = api_client.post(REFRESH, {"refresh_token": garbage}, format="json")
    assert response.status_code in (400, 401)
    assert response.json()["code"] in ("invalid", "token_not_valid")


# --- logout and me --------------------------------------------------------------------------------


@pytest.mark.security
def test_logout_revokes_the_refresh_token_and_the_presented_access_token(api_client, student):
    pair = issue_token_pair(student)
    client = _bearer(pair.access_token)
    assert client.get(ME).status_code == 200

    response = client.post(LOGOUT, {"refresh_token": pair.refresh_token}, format="json")

    assert response.status_code == 204
    assert RevokedAccessToken.objects.filter(user=student).count() == 1
    after = client.get(ME)
    assert after.status_code == 401
    assert after.json()["code"] == "token_not_valid"
    assert api_client.post(REFRESH, {"refresh_token": pair.refresh_token}, format="json").status_code == 401
    # Other sessions of the same user keep working.
    assert _bearer(issue_token_pair(student).access_token).get(ME).status_code == 200


@pytest.mark.security
def test_logout_with_someone_elses_refresh_token_is_rejected_and_revokes_nothing(student, other_student):
    mine = issue_token_pair(student)
    theirs = issue_token_pair(other_student)
    response = _bearer(mine.access_token).post(LOGOUT, {"refresh_token": theirs.refresh_token}, format="json")
    assert response.status_code == 401
    assert not BlacklistedToken.objects.exists()
    assert not RevokedAccessToken.objects.exists()


@pytest.mark.security
def test_logout_needs_authentication(api_client, student):
    pair = issue_token_pair(student)
    response = api_client.post(LOGOUT, {"refresh_token": pair.refresh_token}, format="json")
    assert response.status_code == 401
    assert not BlacklistedToken.objects.exists()


def test_me_returns_the_user_shape(student):
    response = _bearer(issue_token_pair(student).access_token).get(ME)
    assert response.status_code == 200
    assert set(response.json()) == {
        "id",
        "email",
        "full_name",
        "role",
        "is_active",
        "created_at",
        "last_login_at",
    }
    assert response.json()["id"] == str(student.id)


def test_authenticated_request_costs_one_query_for_user_and_revocation(student, django_assert_num_queries):
    client = _bearer(issue_token_pair(student).access_token)
    with django_assert_num_queries(1):  # the user row with the access-token deny-list EXISTS folded in
        assert client.get(ME).status_code == 200
