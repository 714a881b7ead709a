"""`manage.py create_admin`: create an admin, or turn an existing account into an active admin.

Interactive by default. For scripts and containers:

    LMS_ADMIN_EMAIL=ops@example.com LMS_ADMIN_PASSWORD=... manage.py create_admin --no-input

The flags `--email`, `--password` and `--full-name` win over `LMS_ADMIN_EMAIL`, `LMS_ADMIN_PASSWORD`
and `LMS_ADMIN_FULL_NAME`. Prefer the variable for the password: a flag lands in shell history and
in the process list.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from accounts.models import User, normalize_email
from accounts.services import DEFAULT_ADMIN_NAME, admin_ensure
from lms_project.exceptions import ApplicationError

DEFAULT_FULL_NAME = DEFAULT_ADMIN_NAME


def _refusal(exc: ApplicationError) -> str:
    if exc.errors and "password" in exc.errors:
        return "Password refused:\n" + "\n".join(f"  - {reason}" for reason in exc.errors["password"])
    return exc.detail


class Command(BaseCommand):
    help = (
        "Create an admin account, or make an existing account (matched by e-mail, any case) an active "
        "admin with a new password. Reads LMS_ADMIN_EMAIL, LMS_ADMIN_PASSWORD and LMS_ADMIN_FULL_NAME "
        "when the flags are absent."
    )
    stealth_options = ("stdin",)  # tests pass a fake terminal, as with Django's createsuperuser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="The admin's e-mail address (login). Env: LMS_ADMIN_EMAIL.")
        parser.add_argument(
            "--password",
            help="The new password. Visible in shell history and `ps`: prefer LMS_ADMIN_PASSWORD.",
        )
        parser.add_argument(
            "--full-name",
            dest="full_name",
            help=f"Display name; default {DEFAULT_FULL_NAME!r} for a new admin. Env: LMS_ADMIN_FULL_NAME.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Never prompt; fail when the e-mail or the password is missing.",
        )

    def execute(self, *args: Any, **options: Any) -> Any:
        self.stdin = options.get("stdin", sys.stdin)
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        email = (options["email"] or os.environ.get("LMS_ADMIN_EMAIL", "")).strip()
        # Passwords are taken verbatim: leading and trailing spaces are part of them.
        password = options["password"] or os.environ.get("LMS_ADMIN_PASSWORD", "")
        full_name = (options["full_name"] or os.environ.get("LMS_ADMIN_FULL_NAME", "")).strip() or None
        if email:
            self._check_email(email)
        if options["interactive"]:
            user, created = self._run_interactive(email=email, password=password, full_name=full_name)
        else:
            needed = (("--email or LMS_ADMIN_EMAIL", email), ("--password or LMS_ADMIN_PASSWORD", password))
            missing = [what for what, value in needed if not value]
            if missing:
                raise CommandError(f"--no-input needs {' and '.join(missing)}.")
            user, created = self._ensure(email=email, password=password, full_name=full_name)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created admin {user.email}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"Updated {user.email}: now an active admin"))

    @staticmethod
    def _check_email(email: str) -> None:
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid e-mail address.") from None
        if len(email) > User._meta.get_field("email").max_length:
            raise CommandError("The e-mail address is too long.")

    def _ensure(self, *, email: str, password: str, full_name: str | None) -> tuple[User, bool]:
        try:
            return admin_ensure(email=email, password=password, full_name=full_name)
        except ApplicationError as exc:
            raise CommandError(_refusal(exc)) from None

    def _run_interactive(self, *, email: str, password: str, full_name: str | None) -> tuple[User, bool]:
        if hasattr(self.stdin, "isatty") and not self.stdin.isatty():
            raise CommandError(
                "Not running in a terminal. Use --no-input with --email and --password "
                "(or LMS_ADMIN_EMAIL and LMS_ADMIN_PASSWORD)."
            )
        try:
            if not email:
                email = self._prompt_email()
            if full_name is None:
                existing = User.objects.filter(email__iexact=normalize_email(email)).first()
                default = existing.full_name if existing else DEFAULT_FULL_NAME
                full_name = input(f"Full name [{default}]: ").strip() or default
            if password:
                # A password given by flag or environment is not re-prompted: a refusal is final.
                return self._ensure(email=email, password=password, full_name=full_name)
            while True:
                password = self._prompt_password()
                try:
                    return admin_ensure(email=email, password=password, full_name=full_name)
                except ApplicationError as exc:
                    if not exc.errors or "password" not in exc.errors:
                        raise CommandError(_refusal(exc)) from None
                    for line in exc.errors["password"]:
                        self.stderr.write(f"Error: {line}")
        except (KeyboardInterrupt, EOFError):
            raise CommandError("Cancelled; nothing was changed.") from None

    def _prompt_email(self) -> str:
        while True:
            email = input("E-mail: ").strip()
            if not email:
                self.stderr.write("Error: the e-mail cannot be blank.")
                continue
            try:
                self._check_email(email)
            except CommandError as exc:
                self.stderr.write(f"Error: {exc}")
                continue
            return email

    def _prompt_password(self) -> str:
        while True:
            password = getpass.getpass("Password: ")
            if not password:
                self.stderr.write("Error: the password cannot be blank.")
                continue
            if getpass.getpass("Password (again): ") != password:
                self.stderr.write("Error: the passwords do not match.")
                continue
            return password
