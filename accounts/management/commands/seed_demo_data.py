"""`manage.py seed_demo_data [--scale N]`: the demo accounts (and, with --scale, bulk load-test rows).

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
        "Create the demo accounts (admin@, instructor@, student@lms.local). Idempotent. With --scale N, "
        f"also bulk-create N x {demo.SCALE_UNIT} students for load tests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help=f"Also create N x {demo.SCALE_UNIT} students (student<i>@{demo.SCALE_EMAIL_DOMAIN}, "
            f"password {demo.SCALE_STUDENT_PASSWORD}). Default 0: none.",
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
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.2f}s."))
        for account in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.role:<10} {account.email} / {account.password}")
