"""`manage.py bulk_enroll`: enroll many students in one course, through `enrollments.services.bulk_enroll`.

    manage.py bulk_enroll --course intro-to-python --emails-file students.txt
    manage.py bulk_enroll --course 3f0c...-uuid --all-students

The e-mail file holds one address per line (any case; blank lines and lines starting with `#` are
skipped; `-` reads standard input). Addresses with no account, and accounts that are not students,
are reported and skipped; the others are enrolled in one transaction. Running it twice is harmless:
the second run finds everyone already enrolled. No e-mail is sent.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Role, User, normalize_email
from courses.models import Course
from enrollments.services import bulk_enroll
from lms_project.exceptions import ApplicationError

_SHOWN = 10  # unknown addresses listed by name; the rest are only counted


def _course(ref: str) -> Course:
    try:
        lookup = {"pk": uuid.UUID(ref)}
    except ValueError:
        lookup = {"slug": ref}
    course = Course.objects.filter(**lookup).first()
    if course is None:
        raise CommandError(f"No course with the slug or id {ref!r}.")
    return course


def _emails(path: str) -> list[str]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
    emails = (normalize_email(line) for line in text.splitlines())
    return list(dict.fromkeys(email for email in emails if email and not email.startswith("#")))


class Command(BaseCommand):
    help = "Enroll the students listed in a file (one e-mail a line), or every active student, in one course."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--course", required=True, help="The course's slug or id. It must be published.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument(
            "--emails-file", dest="emails_file", help="A file of e-mail addresses, one a line ('-': stdin)."
        )
        who.add_argument("--all-students", action="store_true", help="Every active student account.")

    def handle(self, *args: Any, **options: Any) -> None:
        course = _course(options["course"])
        missing: list[str] = []
        if options["all_students"]:
            ids: list[Any] = list(
                User.objects.filter(role=Role.STUDENT, is_active=True).values_list("pk", flat=True)
            )
        else:
            emails = _emails(options["emails_file"])
            found = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
            ids = list(found.values())
            missing = [email for email in emails if email not in found]
        try:
            result = bulk_enroll(course=course, students_or_ids=ids, actor=None)
        except ApplicationError as exc:
            raise CommandError(f"{course.slug}: {exc.detail}") from exc

        if missing:
            shown = ", ".join(missing[:_SHOWN]) + (
                f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
            )
            self.stderr.write(f"No account for {len(missing)} address(es): {shown}")
        if result.not_students:
            self.stderr.write(f"Skipped {result.not_students} account(s) that are not students.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{course.slug}: {result.created} enrolled, {result.already_enrolled} already enrolled "
                f"({result.reactivated} re-activated), {result.refused + len(missing)} refused."
            )
        )
