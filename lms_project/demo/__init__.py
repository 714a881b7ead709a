"""Demo data for a fresh install (`manage.py seed_demo_data`).

Two lists of steps run in order:

- `SEED_STEPS`: the small, hand-written demo world (`world.py`): four accounts, the published course
  "Python from Zero" with six lessons and a draft course by the demo instructor, the demo student
  enrolled with some progress, a graded quiz on lesson 2 (one question of each type) with the demo
  student's graded attempt, and a second student who finished the course, with a review and a
  certificate. Each step creates what is missing through the apps' services and
  leaves existing rows alone, so running the command again changes nothing.
- `SCALE_STEPS`: bulk rows for load tests (`scale.py`), run only with `--scale N`. Each step takes N
  and the report and creates N x its unit of rows in batches (`bulk.py`: COPY on PostgreSQL,
  `bulk_create` elsewhere), skipping what exists: users, courses and lessons, enrollments with
  progress and ratings, then a final quiz per course and graded attempts with their answers.

A step is a plain function; to add one, write it in its module and append it to its list.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection, transaction

from .base import (
    DEMO_ACCOUNTS,
    DEMO_ADMIN,
    DEMO_INSTRUCTOR,
    DEMO_LEARNER,
    DEMO_STUDENT,
    DemoAccount,
    SeedReport,
)
from .content import DRAFT_COURSE_SLUG, PYTHON_COURSE_SLUG
from .scale import (
    SCALE_BATCH_SIZE,
    SCALE_COURSE_SLUG_PREFIX,
    SCALE_EMAIL_DOMAIN,
    SCALE_INSTRUCTOR_PASSWORD,
    SCALE_STUDENT_PASSWORD,
    SCALE_UNIT,
    ScaleShape,
    scale_attempts,
    scale_courses,
    scale_enrollments,
    scale_quizzes,
    scale_users,
)
from .world import seed_accounts, seed_courses, seed_enrollments, seed_learner, seed_quiz, seed_quiz_attempt

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_ADMIN",
    "DEMO_INSTRUCTOR",
    "DEMO_LEARNER",
    "DEMO_STUDENT",
    "DRAFT_COURSE_SLUG",
    "PYTHON_COURSE_SLUG",
    "SCALE_BATCH_SIZE",
    "SCALE_COURSE_SLUG_PREFIX",
    "SCALE_EMAIL_DOMAIN",
    "SCALE_INSTRUCTOR_PASSWORD",
    "SCALE_STEPS",
    "SCALE_STUDENT_PASSWORD",
    "SCALE_UNIT",
    "SEED_STEPS",
    "DemoAccount",
    "ScaleShape",
    "SeedReport",
    "seed_demo_data",
]

SeedStep = Callable[[SeedReport], None]
ScaleStep = Callable[[float, SeedReport], None]

# Each step only refers to rows made by the steps before it.
SEED_STEPS: list[SeedStep] = [
    seed_accounts,
    seed_courses,
    seed_enrollments,
    seed_quiz,
    seed_quiz_attempt,
    seed_learner,
]
SCALE_STEPS: list[ScaleStep] = [scale_users, scale_courses, scale_enrollments, scale_quizzes, scale_attempts]


def _timed(report: SeedReport, name: str, run: Callable[[], None]) -> None:
    started = time.monotonic()
    with transaction.atomic():
        run()
    report.timings[name] = time.monotonic() - started


def seed_demo_data(*, scale: float = 0) -> SeedReport:
    """Run every seed step, then every scale step when `scale` > 0 (fractions are for tests). Each
    step commits on its own, so a failure keeps the earlier steps' rows and a re-run picks up where
    it stopped. On PostgreSQL a scale run ends with VACUUM ANALYZE: the planner sees the new row
    counts at once, and the visibility map lets counts over the big tables (the lesson funnel) be
    index-only scans instead of one heap page per row (256 ms vs 32 ms at scale 10)."""
    report = SeedReport()
    for step in SEED_STEPS:
        _timed(report, step.__name__, lambda step=step: step(report))
    if scale > 0:
        for scale_step in SCALE_STEPS:
            _timed(report, scale_step.__name__, lambda scale_step=scale_step: scale_step(scale, report))
        if connection.vendor == "postgresql":
            started = time.monotonic()
            with connection.cursor() as cursor:
                # VACUUM cannot run inside a transaction (a test's, for one): then ANALYZE alone.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
            report.timings["analyze"] = time.monotonic() - started
    return report
