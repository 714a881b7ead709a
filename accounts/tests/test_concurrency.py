"""Races on real PostgreSQL connections: one winner, no 500s."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import StudentFactory
from accounts.tokens import issue_token_pair
from lms_project.testing import postgres_only, run_concurrently

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_concurrent_refreshes_of_one_token_rotate_it_exactly_once():
    student = StudentFactory()
    refresh_token = issue_token_pair(student).refresh_token

    def refresh() -> int:
        return (
            APIClient()
            .post("/api/v1/auth/refresh", {"refresh_token": refresh_token}, format="json")
            .status_code
        )

    statuses = run_concurrently([refresh] * 8)

    assert sorted(statuses) == [200] + [401] * 7


def test_concurrent_sign_ups_with_one_email_create_one_user():
    body = {"email": "race@example.com", "password": "Analytical-Engine-1843", "full_name": "Race Condition"}

    def register() -> int:
        return APIClient().post("/api/v1/auth/register", body, format="json").status_code

    statuses = run_concurrently([register] * 8)

    assert sorted(statuses) == [201] + [409] * 7
    assert User.objects.filter(email="race@example.com").count() == 1
