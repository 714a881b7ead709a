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


# The evidence counted at the end of a run (issue 8): how many races, faults, security checks and
# permission-matrix cells ran, and how many were skipped and why. Concurrency tests live in files
# named test_concurrency.py and are marked here, so a new race there is counted without a decorator.
EVIDENCE_MARKERS = ("race", "fault", "security", "matrix", "browser")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name == "test_concurrency.py":
            item.add_marker(pytest.mark.race)


def pytest_terminal_summary(terminalreporter):
    counts = {name: {"passed": 0, "failed": 0, "skipped": 0} for name in EVIDENCE_MARKERS}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if report.when == "setup" and outcome == "passed":
                continue  # counted at "call"
            keywords = getattr(report, "keywords", {})
            for name in EVIDENCE_MARKERS:
                if name in keywords:
                    counts[name]["failed" if outcome == "error" else outcome] += 1
    if not any(sum(c.values()) for c in counts.values()):
        return
    terminalreporter.write_sep("-", "evidence")
    for name, c in counts.items():
        terminalreporter.write_line(
            f"{name:<9} {c['passed']:>5} passed {c['failed']:>3} failed {c['skipped']:>3} skipped"
        )
