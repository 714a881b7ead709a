"""`manage.py seed_demo_data [--scale N]`: the demo world (and, with --scale, bulk load-test rows).

Safe to run again: existing rows are left as they are. The steps live in `lms_project.demo`.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lms_project import demo
from lms_project.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Create the demo accounts (admin@, instructor@, student@, learner@lms.local), the demo course "
        f"'Python from Zero' with a draft beside it, and the demo student's enrollment. Idempotent. "
        f"With --scale N, also bulk-create a load-test data set of N x {demo.SCALE_UNIT} students."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help=(
                f"Also create N x ({demo.SCALE_UNIT} students, 10 instructors, 100 published courses of "
                "20 lessons, 10 enrollments per student with ~10 progress rows each, ratings). Logins: "
                f"student<i>@{demo.SCALE_EMAIL_DOMAIN} / {demo.SCALE_STUDENT_PASSWORD}, "
                f"instructor<i>@{demo.SCALE_EMAIL_DOMAIN} / {demo.SCALE_INSTRUCTOR_PASSWORD}. "
                "Skipped when scale data exists. Default 0: none."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale: int = options["scale"]
        if scale < 0:
            raise CommandError("--scale must be 0 or more.")
        if settings.ENVIRONMENT == "production":
            self.stderr.write(
                self.style.WARNING(
                    "ENVIRONMENT=production: the demo accounts have published passwords. "
                    "Remove them (or change their passwords) unless this is a demo site."
                )
            )
        started = time.monotonic()
        try:
            report = demo.seed_demo_data(scale=scale)
        except ApplicationError as exc:
            raise CommandError(f"Seeding stopped: {exc.detail} ({exc.code})") from None
        elapsed = time.monotonic() - started
        for line in report.lines():
            self.stdout.write(f"  {line}")
        steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.timings.items())
        self.stdout.write(f"  steps: {steps}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.2f}s."))
        for account in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.role:<10} {account.email} / {account.password}")
