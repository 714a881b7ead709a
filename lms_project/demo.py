"""Demo data for a fresh install (`manage.py seed_demo_data`).

Two lists of steps run in order:

- `SEED_STEPS`: the small, hand-written demo world (accounts now; courses, lessons, enrollments and
  quizzes join as their apps land). Each step takes the report, creates what is missing through the
  apps' services and leaves existing rows alone, so running the command again changes nothing.
- `SCALE_STEPS`: bulk rows for load tests, run only with `--scale N`. Each step takes N and the report
  and creates N x its unit of rows with `bulk_create`, skipping rows that already exist.

A step is a plain function; to add one, write it below and append it to its list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_create
from lms_project.exceptions import Conflict


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    full_name: str
    role: str


# Published on purpose (README, OpenAPI examples): never seed them into a database the public can reach.
DEMO_ADMIN = DemoAccount("admin@lms.local", "LmsAdmin!2026", "Demo Admin", Role.ADMIN)
DEMO_INSTRUCTOR = DemoAccount("instructor@lms.local", "LmsTeach!2026", "Demo Instructor", Role.INSTRUCTOR)
DEMO_STUDENT = DemoAccount("student@lms.local", "LmsLearn!2026", "Demo Student", Role.STUDENT)
DEMO_ACCOUNTS = (DEMO_ADMIN, DEMO_INSTRUCTOR, DEMO_STUDENT)

SCALE_UNIT = 1000  # rows of the base kind (students) per unit of --scale
SCALE_BATCH_SIZE = 2000
SCALE_EMAIL_DOMAIN = "scale.lms.local"
SCALE_STUDENT_PASSWORD = DEMO_STUDENT.password


@dataclass
class SeedReport:
    """What the steps did, per kind of row: `created` new rows, `existing` rows left alone."""

    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: int = 0, existing: int = 0) -> None:
        self.created[kind] = self.created.get(kind, 0) + created
        self.existing[kind] = self.existing.get(kind, 0) + existing

    def lines(self) -> list[str]:
        return [
            f"{kind}: {self.created[kind]} created, {self.existing[kind]} already present"
            for kind in self.created
        ]


SeedStep = Callable[[SeedReport], None]
ScaleStep = Callable[[int, SeedReport], None]


# --- Demo world ----------------------------------------------------------------------------------


def seed_accounts(report: SeedReport) -> None:
    """The three demo logins. An existing account keeps its password, name and role."""
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(email=account.email).exists():
            report.count("demo users", existing=1)
            continue
        try:
            user_create(
                email=account.email, password=account.password, full_name=account.full_name, role=account.role
            )
        except Conflict:  # created by a concurrent run between the check and the insert
            report.count("demo users", existing=1)
        else:
            report.count("demo users", created=1)


# Later steps (courses, lessons, enrollments, quizzes) go after the accounts they refer to.
SEED_STEPS: list[SeedStep] = [seed_accounts]


# --- Scale ---------------------------------------------------------------------------------------


def _scale_students(total: int, password_hash: str) -> Iterator[list[User]]:
    for start in range(1, total + 1, SCALE_BATCH_SIZE):
        yield [
            User(
                email=f"student{i}@{SCALE_EMAIL_DOMAIN}",
                full_name=f"Scale Student {i}",
                role=Role.STUDENT,
                password=password_hash,
            )
            for i in range(start, min(start + SCALE_BATCH_SIZE, total + 1))
        ]


def scale_students(scale: int, report: SeedReport) -> None:
    """`student1..student{scale*1000}@scale.lms.local`, all with the demo student's password."""
    # One Argon2 hash shared by every row: hashing each one would cost ~50 ms a student. Argon2
    # explicitly, so the rows look like production ones even where a faster hasher comes first.
    password_hash = make_password(SCALE_STUDENT_PASSWORD, hasher="argon2")
    scale_users = User.objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}")
    total = scale * SCALE_UNIT
    before = scale_users.count()
    for batch in _scale_students(total, password_hash):
        # Rows from an earlier run hit the e-mail unique index and are skipped.
        User.objects.bulk_create(batch, batch_size=SCALE_BATCH_SIZE, ignore_conflicts=True)
    created = scale_users.count() - before
    report.count("scale students", created=created, existing=total - created)


# Later scale steps (courses, enrollments, attempts) use the students made above.
SCALE_STEPS: list[ScaleStep] = [scale_students]


def seed_demo_data(*, scale: int = 0) -> SeedReport:
    """Run every seed step, then every scale step when `scale` > 0. Each step commits on its own, so
    a failure keeps the earlier steps' rows and a re-run picks up where it stopped."""
    report = SeedReport()
    for step in SEED_STEPS:
        with transaction.atomic():
            step(report)
    if scale > 0:
        for scale_step in SCALE_STEPS:
            with transaction.atomic():
                scale_step(scale, report)
    return report
