"""Users in the Django admin: who gets in, and changes going through the services."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from accounts.tokens import issue_token_pair

pytestmark = pytest.mark.django_db


def _logged_in(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def test_admin_logs_in_with_email_and_password_and_last_login_is_recorded(admin):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    admin.refresh_from_db()
    assert admin.last_login_at is not None


def test_instructors_may_enter_the_admin_but_not_manage_users(instructor):
    client = _logged_in(instructor)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


def test_students_are_kept_out_of_the_admin(student):
    client = _logged_in(student)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_user_list_page_searches_and_filters(admin):
    StudentFactory(email="findme@example.com")
    client = _logged_in(admin)
    response = client.get("/admin/accounts/user/", {"q": "findme", "role__exact": "student"})
    assert response.status_code == 200
    assert "findme@example.com" in response.content.decode()


def test_role_change_in_the_admin_goes_through_the_service(admin, student):
    client = _logged_in(admin)
    response = client.post(
        f"/admin/accounts/user/{student.pk}/change/",
        {"full_name": student.full_name, "role": "instructor", "is_active": "on", "new_password": ""},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.role == "instructor"


def test_admin_cannot_deactivate_themself_in_the_admin_either(admin):
    client = _logged_in(admin)
    response = client.post(
        f"/admin/accounts/user/{admin.pk}/change/",
        {"full_name": admin.full_name, "role": "admin", "new_password": ""},  # is_active unchecked
        follow=True,
    )
    assert "cannot change your own role or deactivate yourself" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_deactivate_action_revokes_sessions(admin, student):
    issue_token_pair(student)
    client = _logged_in(admin)
    response = client.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [str(student.pk)]}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert not student.is_active
    assert not OutstandingToken.objects.filter(user=student, blacklistedtoken__isnull=True).exists()


def test_add_user_in_the_admin_applies_password_rules(admin):
    client = _logged_in(admin)
    weak = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new@example.com",
            "full_name": "New Person",
            "role": "student",
            "is_active": "on",
            "password": "123",
        },
    )
    assert weak.status_code == 200  # the form is shown again, with the rule next to the field
    assert "too short" in weak.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()

    client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New@Example.com",
            "full_name": "New Person",
            "role": "student",
            "is_active": "on",
            "password": "Perfectly-Fine-Passphrase-9",
        },
    )
    created = User.objects.get(email="new@example.com")
    assert created.check_password("Perfectly-Fine-Passphrase-9")
