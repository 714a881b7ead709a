from __future__ import annotations

import getpass
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import UntypedToken

from accounts.models import Role, User
from accounts.tests.factories import StudentFactory
from accounts.tokens import issue_token_pair

pytestmark = pytest.mark.django_db

STRONG = "Sturdy-Lantern-47"


class FakeTTY(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_admin_env(monkeypatch):
    """A developer's shell or .env may define these; each test sets what it needs."""
    for name in ("LMS_ADMIN_EMAIL", "LMS_ADMIN_PASSWORD", "LMS_ADMIN_FULL_NAME"):
        monkeypatch.delenv(name, raising=False)


def run(command: str, *args: str, **options) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def answers(monkeypatch, *, inputs: list[str], passwords: list[str]) -> list[str]:
    """Feed `input()` and `getpass.getpass()`; returns the prompts shown, in order."""
    prompts: list[str] = []
    inputs_left, passwords_left = iter(inputs), iter(passwords)

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(inputs_left)

    def fake_getpass(prompt: str = "Password: ", stream=None) -> str:
        prompts.append(prompt)
        return next(passwords_left)

    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    return prompts


# --- create_admin ----------------------------------------------------------------------------------


def test_create_admin_without_input_creates_an_active_admin():
    out = run(
        "create_admin",
        "--email",
        "Boss@Example.com",
        "--password",
        STRONG,
        "--full-name",
        "Bo Ss",
        "--no-input",
    )

    assert out.strip() == "Created admin boss@example.com"
    user = User.objects.get()
    assert (user.email, user.full_name, user.role, user.is_active) == (
        "boss@example.com",
        "Bo Ss",
        Role.ADMIN,
        True,
    )
    assert user.check_password(STRONG)


def test_create_admin_names_a_new_admin_administrator_by_default():
    run("create_admin", "--email", "boss@example.com", "--password", STRONG, "--no-input")

    assert User.objects.get().full_name == "Administrator"


def test_create_admin_reads_the_environment_when_flags_are_absent(monkeypatch):
    monkeypatch.setenv("LMS_ADMIN_EMAIL", "ops@example.com")
    monkeypatch.setenv("LMS_ADMIN_PASSWORD", STRONG)
    monkeypatch.setenv("LMS_ADMIN_FULL_NAME", "Ops Team")

    out = run("create_admin", "--no-input")

    assert out.strip() == "Created admin ops@example.com"
    user = User.objects.get()
    assert (user.email, user.full_name, user.role) == ("ops@example.com", "Ops Team", Role.ADMIN)
    assert user.check_password(STRONG)


def test_create_admin_flags_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("LMS_ADMIN_EMAIL", "env@example.com")
    monkeypatch.setenv("LMS_ADMIN_PASSWORD", "Env-Password-Not-Used-1")

    run("create_admin", "--email", "flag@example.com", "--password", STRONG, "--no-input")

    user = User.objects.get()
    assert user.email == "flag@example.com"
    assert user.check_password(STRONG)


def test_create_admin_refuses_a_weak_password_and_creates_nothing():
    with pytest.raises(CommandError) as raised:
        run("create_admin", "--email", "boss@example.com", "--password", "12345678", "--no-input")

    message = str(raised.value)
    assert message.startswith("Password refused:")
    assert "too common" in message
    assert "entirely numeric" in message
    assert not User.objects.exists()

    run("create_admin", "--email", "boss@example.com", "--password", STRONG, "--no-input")
    assert User.objects.filter(email="boss@example.com", role=Role.ADMIN).exists()


def test_create_admin_without_an_email_fails_with_no_input():
    with pytest.raises(CommandError, match="--email or LMS_ADMIN_EMAIL"):
        run("create_admin", "--password", STRONG, "--no-input")

    assert not User.objects.exists()


def test_create_admin_without_a_password_fails_with_no_input():
    with pytest.raises(CommandError, match="--password or LMS_ADMIN_PASSWORD"):
        run("create_admin", "--email", "boss@example.com", "--no-input")

    assert not User.objects.exists()


def test_create_admin_rejects_a_malformed_email():
    with pytest.raises(CommandError, match="not a valid e-mail"):
        run("create_admin", "--email", "not-an-email", "--password", STRONG, "--no-input")

    assert not User.objects.exists()


def test_create_admin_makes_an_existing_account_of_any_case_an_active_admin():
    user = StudentFactory(email="sam@example.com", full_name="Sam Student", is_active=False)
    old_session = issue_token_pair(user)

    out = run("create_admin", "--email", "SAM@Example.COM", "--password", STRONG, "--no-input")

    assert out.strip() == "Updated sam@example.com: now an active admin"
    assert User.objects.count() == 1
    user.refresh_from_db()
    assert (user.role, user.is_active, user.full_name) == (Role.ADMIN, True, "Sam Student")
    assert user.check_password(STRONG)
    # A password reset ends the sessions opened with the old password.
    assert BlacklistedToken.objects.filter(token__jti=UntypedToken(old_session.refresh_token)["jti"]).exists()


def test_create_admin_renames_an_existing_account_when_a_name_is_given():
    user = StudentFactory(email="sam@example.com", full_name="Sam Student")

    run(
        "create_admin",
        "--email",
        "sam@example.com",
        "--password",
        STRONG,
        "--full-name",
        "Sam Boss",
        "--no-input",
    )

    user.refresh_from_db()
    assert (user.role, user.full_name) == (Role.ADMIN, "Sam Boss")


def test_create_admin_leaves_an_existing_account_unchanged_when_the_password_is_weak():
    user = StudentFactory(email="sam@example.com", is_active=False)
    old_hash = user.password

    with pytest.raises(CommandError, match="Password refused"):
        run("create_admin", "--email", "sam@example.com", "--password", "password", "--no-input")

    user.refresh_from_db()
    assert (user.role, user.is_active, user.password) == (Role.STUDENT, False, old_hash)


def test_create_admin_interactive_prompts_again_after_a_mismatch_and_a_weak_password(monkeypatch):
    prompts = answers(
        monkeypatch,
        inputs=["boss@example.com", ""],  # e-mail, full name (blank keeps the default)
        passwords=[STRONG, "Something-Else-1", "12345678", "12345678", STRONG, STRONG],
    )
    err = StringIO()

    call_command("create_admin", stdin=FakeTTY(), stdout=StringIO(), stderr=err)

    assert prompts == [
        "E-mail: ",
        "Full name [Administrator]: ",
        *["Password: ", "Password (again): "] * 3,
    ]
    errors = err.getvalue()
    assert "the passwords do not match" in errors
    assert "This password is too common." in errors
    user = User.objects.get()
    assert (user.email, user.full_name, user.role) == ("boss@example.com", "Administrator", Role.ADMIN)
    assert user.check_password(STRONG)


def test_create_admin_interactive_offers_the_existing_name_as_default(monkeypatch):
    StudentFactory(email="sam@example.com", full_name="Sam Student")
    prompts = answers(monkeypatch, inputs=["Sam@example.com", ""], passwords=[STRONG, STRONG])

    call_command("create_admin", stdin=FakeTTY(), stdout=StringIO(), stderr=StringIO())

    assert prompts[1] == "Full name [Sam Student]: "
    user = User.objects.get()
    assert (user.role, user.full_name) == (Role.ADMIN, "Sam Student")


def test_create_admin_interactive_refuses_to_run_without_a_terminal():
    with pytest.raises(CommandError, match="Not running in a terminal"):
        call_command("create_admin", stdin=StringIO(), stdout=StringIO(), stderr=StringIO())

    assert not User.objects.exists()


# seed_demo_data: lms_project/tests/test_demo_data.py
