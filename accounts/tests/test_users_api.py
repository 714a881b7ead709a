"""Users API (contract section 3)."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, InstructorFactory, StudentFactory
from accounts.tokens import issue_token_pair
from conftest import client_for

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users"
ME = "/api/v1/users/me"
NEW_PASSWORD = "A-much-longer-passphrase-2027"


def _session(user: User):
    pair = issue_token_pair(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    return client, pair


def _unrevoked(user: User):
    return OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)


# --- /users/me ------------------------------------------------------------------------------------


def test_get_me_returns_my_profile(student_client, student):
    response = student_client.get(ME)
    assert response.status_code == 200
    assert response.json()["id"] == str(student.id)
    assert response.json()["email"] == student.email


def test_patch_me_changes_the_name(student_client, student):
    response = student_client.patch(ME, {"full_name": "  Samantha Student "}, format="json")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Samantha Student"
    student.refresh_from_db()
    assert student.full_name == "Samantha Student"


def test_patch_me_ignores_role_and_is_active(student_client, student):
    response = student_client.patch(
        ME, {"role": "admin", "is_active": False, "email": "x@y.z"}, format="json"
    )
    assert response.status_code == 200
    student.refresh_from_db()
    assert (student.role, student.is_active) == ("student", True)
    assert student.email != "x@y.z"


def test_changing_my_password_needs_the_current_password(student_client, student):
    response = student_client.patch(ME, {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 400
    assert "current_password" in response.json()["errors"]

    response = student_client.patch(
        ME, {"password": NEW_PASSWORD, "current_password": "Wrong-Password-1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_current_password"
    student.refresh_from_db()
    assert student.check_password(DEFAULT_PASSWORD)

    response = student_client.patch(
        ME, {"password": NEW_PASSWORD, "current_password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)


def test_a_weak_new_password_is_refused(student_client, student):
    response = student_client.patch(
        ME, {"password": "12345678", "current_password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    student.refresh_from_db()
    assert student.check_password(DEFAULT_PASSWORD)


def test_password_change_revokes_my_other_sessions_but_not_this_one(api_client, student):
    client, this_session = _session(student)
    _, other_session = _session(student)

    response = client.patch(
        ME, {"password": NEW_PASSWORD, "current_password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert list(_unrevoked(student).values_list("token", flat=True)) == [this_session.refresh_token]
    refresh = "/api/v1/auth/refresh"
    assert (
        api_client.post(refresh, {"refresh_token": this_session.refresh_token}, format="json").status_code
        == 200
    )
    # Presenting a revoked token afterwards is treated as reuse (contract: revoked/rotated -> 401).
    assert (
        api_client.post(refresh, {"refresh_token": other_session.refresh_token}, format="json").status_code
        == 401
    )


# --- admin: list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["student_client", "instructor_client"])
def test_non_admins_cannot_use_the_admin_routes(request, persona, student):
    client = request.getfixturevalue(persona)
    assert client.get(USERS).status_code == 403
    assert client.get(f"{USERS}/{student.id}").status_code == 403
    assert client.patch(f"{USERS}/{student.id}", {"full_name": "Hacked"}, format="json").status_code == 403
    response = client.post(
        USERS,
        {"email": "n@example.com", "password": NEW_PASSWORD, "full_name": "New", "role": "admin"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not User.objects.filter(email="n@example.com").exists()
    student.refresh_from_db()
    assert student.full_name != "Hacked"


def test_anonymous_gets_401_on_admin_routes(api_client):
    assert api_client.get(USERS).status_code == 401


def test_list_users_is_paginated_newest_first(admin_client, admin):
    students = StudentFactory.create_batch(3)
    response = admin_client.get(USERS, {"page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 4 and body["page"] == 1 and body["page_size"] == 2 and body["total_pages"] == 2
    expected = [
        str(u.id) for u in sorted([admin, *students], key=lambda u: (u.created_at, u.id), reverse=True)
    ]
    assert [item["id"] for item in body["items"]] == expected[:2]
    assert 'rel="next"' in response["Link"] and 'rel="last"' in response["Link"]

    second = admin_client.get(USERS, {"page_size": 2, "page": 2}).json()
    assert [item["id"] for item in second["items"]] == expected[2:]


def test_list_users_filters_by_role_active_and_search(admin_client, admin):
    StudentFactory(full_name="Alice Active", email="alice@example.com")
    StudentFactory(full_name="Bob Blocked", email="bob@example.com", is_active=False)
    InstructorFactory(full_name="Carol Teacher", email="carol@school.org")

    def emails(**params):
        return sorted(item["email"] for item in admin_client.get(USERS, params).json()["items"])

    assert emails(role="student") == ["alice@example.com", "bob@example.com"]
    assert emails(role="student", is_active="false") == ["bob@example.com"]
    assert emails(is_active="true", role="instructor") == ["carol@school.org"]
    assert emails(search="TEACH") == ["carol@school.org"]
    assert emails(search="school.org") == ["carol@school.org"]


def test_list_users_rejects_bad_filters(admin_client):
    response = admin_client.get(USERS, {"role": "king"})
    assert response.status_code == 400
    assert "role" in response.json()["errors"]
    assert admin_client.get(USERS, {"is_active": "maybe"}).status_code == 400


def test_list_users_query_count_does_not_grow_with_rows(admin_client, django_assert_num_queries):
    StudentFactory.create_batch(3)
    with django_assert_num_queries(3):  # auth user (+ deny-list EXISTS), COUNT, the page of users
        assert admin_client.get(USERS).status_code == 200
    StudentFactory.create_batch(20)
    with django_assert_num_queries(3):
        assert admin_client.get(USERS).status_code == 200


# --- admin: create, read, update ------------------------------------------------------------------


def test_admin_creates_a_user_of_any_role(admin_client):
    response = admin_client.post(
        USERS,
        {
            "email": "Grace@Example.com",
            "password": NEW_PASSWORD,
            "full_name": "Grace Hopper",
            "role": "instructor",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "grace@example.com" and body["role"] == "instructor" and body["is_active"] is True
    user = User.objects.get(email="grace@example.com")
    assert user.check_password(NEW_PASSWORD)
    assert user.is_staff and not user.is_superuser


def test_admin_create_with_a_duplicate_email_is_a_conflict(admin_client, student):
    response = admin_client.post(
        USERS,
        {"email": student.email.upper(), "password": NEW_PASSWORD, "full_name": "Dup", "role": "student"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


def test_admin_create_needs_a_role(admin_client):
    response = admin_client.post(
        USERS, {"email": "n@example.com", "password": NEW_PASSWORD, "full_name": "New"}, format="json"
    )
    assert response.status_code == 400
    assert "role" in response.json()["errors"]


def test_admin_reads_one_user_and_unknown_ids_are_404(admin_client, student):
    response = admin_client.get(f"{USERS}/{student.id}")
    assert response.status_code == 200
    assert response.json()["email"] == student.email

    missing = admin_client.get(f"{USERS}/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "User not found.", "code": "not_found"}
    assert admin_client.get(f"{USERS}/not-a-uuid").status_code == 404
    assert (
        admin_client.patch(f"{USERS}/{uuid.uuid4()}", {"full_name": "X Y"}, format="json").status_code == 404
    )


def test_admin_changes_role_name_and_password(admin_client, student):
    response = admin_client.patch(
        f"{USERS}/{student.id}",
        {"role": "instructor", "full_name": "Promoted Person", "password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["role"] == "instructor"
    student.refresh_from_db()
    assert (student.role, student.full_name) == ("instructor", "Promoted Person")
    assert student.check_password(NEW_PASSWORD)


def test_admin_deactivation_kills_the_users_tokens(admin_client, student, api_client):
    client, pair = _session(student)
    response = admin_client.patch(f"{USERS}/{student.id}", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/v1/auth/me").status_code == 401
    assert not _unrevoked(student).exists()
    assert (
        api_client.post(
            "/api/v1/auth/refresh", {"refresh_token": pair.refresh_token}, format="json"
        ).status_code
        == 401
    )


@pytest.mark.parametrize("change", [{"role": "student"}, {"role": "instructor"}, {"is_active": False}])
def test_an_admin_cannot_demote_or_deactivate_themself(admin_client, admin, change):
    response = admin_client.patch(f"{USERS}/{admin.id}", change, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "cannot_modify_self"
    admin.refresh_from_db()
    assert admin.role == "admin" and admin.is_active


def test_an_admin_may_still_rename_themself(admin_client, admin):
    response = admin_client.patch(
        f"{USERS}/{admin.id}", {"full_name": "Renamed Admin", "role": "admin"}, format="json"
    )
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.full_name == "Renamed Admin"


def test_admin_can_demote_another_admin(admin_client):
    from accounts.tests.factories import AdminFactory

    other = AdminFactory()
    response = admin_client.patch(f"{USERS}/{other.id}", {"role": "student"}, format="json")
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.role == "student"
    assert client_for(other).get(USERS).status_code == 403
