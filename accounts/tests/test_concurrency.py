"""Races on real PostgreSQL connections: one winner, no 500s."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import StudentFactory
from accounts.tokens import issue_token_pair

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so there is no race to prove",
)
pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def run_concurrently(count: int, request: Callable[[], int]) -> list[int]:
    """Run `request` in `count` threads released together; return their status codes."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            status = request()
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def test_concurrent_refreshes_of_one_token_rotate_it_exactly_once():
    student = StudentFactory()
    refresh_token = issue_token_pair(student).refresh_token

    statuses = run_concurrently(
        8,
        lambda: (
            APIClient()
            .post("/api/v1/auth/refresh", {"refresh_token": refresh_token}, format="json")
            .status_code
        ),
    )

    assert sorted(statuses) == [200] + [401] * 7


def test_concurrent_sign_ups_with_one_email_create_one_user():
    body = {"email": "race@example.com", "password": "Analytical-Engine-1843", "full_name": "Race Condition"}

    statuses = run_concurrently(
        8, lambda: APIClient().post("/api/v1/auth/register", body, format="json").status_code
    )

    assert sorted(statuses) == [201] + [409] * 7
    assert User.objects.filter(email="race@example.com").count() == 1
