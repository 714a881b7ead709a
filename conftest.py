"""Shared fixtures: an API client and one persona per kind of caller."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from accounts.tokens import issue_token_pair
from lms_project import counters


@pytest.fixture(autouse=True)
def _isolated_counters(settings):
    """Rate-limit counters are process-wide (and shared in Redis); each test starts from zero."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex[:12]}:"
    counters.local_counters.clear()
    counters._state["retry_at"] = 0.0
    yield
    counters.local_counters.clear()


@pytest.fixture
def api_client() -> APIClient:
    """Anonymous client."""
    return APIClient()


def client_for(user: User) -> APIClient:
    """A client authenticated with a real bearer access token for `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user).access_token}")
    return client


@pytest.fixture
def admin(db) -> User:
    """May do everything, everywhere."""
    return AdminFactory(full_name="Ada Admin")


@pytest.fixture
def instructor(db) -> User:
    """Owns courses; manages only their own."""
    return InstructorFactory(full_name="Ivan Instructor")


@pytest.fixture
def other_instructor(db) -> User:
    """Another instructor: must not touch `instructor`'s courses."""
    return InstructorFactory(full_name="Olga Otherinstructor")


@pytest.fixture
def student(db) -> User:
    """Enrolls, learns, takes quizzes; sees only their own records."""
    return StudentFactory(full_name="Sam Student")


@pytest.fixture
def other_student(db) -> User:
    """Another student: must never see `student`'s records."""
    return StudentFactory(full_name="Olive Otherstudent")


@pytest.fixture
def admin_client(admin) -> APIClient:
    return client_for(admin)


@pytest.fixture
def instructor_client(instructor) -> APIClient:
    return client_for(instructor)


@pytest.fixture
def student_client(student) -> APIClient:
    return client_for(student)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"
