"""What every seed step shares: the demo logins and the report the steps fill in."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Role


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
# A second student who finished "Python from Zero", so the demo has a certificate to show.
DEMO_LEARNER = DemoAccount("learner@lms.local", "LmsLearn!2026", "Demo Learner", Role.STUDENT)
DEMO_ACCOUNTS = (DEMO_ADMIN, DEMO_INSTRUCTOR, DEMO_STUDENT, DEMO_LEARNER)


@dataclass
class SeedReport:
    """What the steps did, per kind of row: `created` new rows, `existing` rows left alone; plus
    free-text `notes` (a step skipped, and why) and each step's duration in seconds."""

    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, kind: str, *, created: int = 0, existing: int = 0) -> None:
        self.created[kind] = self.created.get(kind, 0) + created
        self.existing[kind] = self.existing.get(kind, 0) + existing

    def note(self, text: str) -> None:
        self.notes.append(text)

    def lines(self) -> list[str]:
        return [
            *(
                f"{kind}: {self.created[kind]} created, {self.existing[kind]} already present"
                for kind in self.created
            ),
            *self.notes,
        ]
