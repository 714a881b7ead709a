"""Rules about enrollments and lesson progress.

Locks, in the project-wide order course -> enrollment -> attempt:
- enrolling holds the course row (`FOR NO KEY UPDATE`, which does not block readers or foreign-key
  checks) while it looks for an existing enrollment, so concurrent duplicate requests create one row;
  the unique (student, course) index backs it up;
- a progress write holds the enrollment row, so the counters it keeps cannot race;
- a review holds the course row (its rating counters) and then the enrollment.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone

from accounts.models import Role, User
from courses.models import Course, Lesson
from lms_project.exceptions import ApplicationError, Forbidden, NotFound
from lms_project.jobs import enqueue_on_commit

from .models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus

logger = logging.getLogger("lms.enrollments")

REVIEW_MIN_PROGRESS = Decimal("20")
_PROGRESS_FIELDS = (
    "status",
    "completion_percentage",
    "time_spent_seconds",
    "last_position_seconds",
    "notes",
    "completed_at",
    "updated_at",
)
_STATUS_RANK = {ProgressStatus.NOT_STARTED: 0, ProgressStatus.IN_PROGRESS: 1, ProgressStatus.COMPLETED: 2}
_HUNDRED = Decimal("100")
# The same rule as `percentage()`, in SQL: completed / total x 100, 2 decimals rounded half up, capped,
# 0 when empty. Computed in whole hundredths of a percent with integer arithmetic (floor((2c x 10000
# + t) / 2t) is c/t x 10000 rounded half up), and only then divided by 100: SQLite casts decimal
# literals to NUMERIC, which turns 100.0 into the integer 100, so a decimal formula silently became
# an integer division there (1 of 3 gave 33.00). The last division is a float one on both databases;
# a whole number of hundredths divided by 100 lands back on the same 2-dp value when stored.
_PROGRESS_HUNDREDTHS = Least(
    (F("completed_lessons_count") * 20000 + F("total_lessons_count")) / (F("total_lessons_count") * 2),
    Value(10000),
)
PROGRESS_PERCENTAGE_SQL = Case(
    When(total_lessons_count=0, then=Value(Decimal("0.00"))),
    default=ExpressionWrapper(
        Cast(_PROGRESS_HUNDREDTHS, FloatField()) / Value(100.0), output_field=FloatField()
    ),
    output_field=DecimalField(max_digits=5, decimal_places=2),
)


def percentage(part: int, whole: int) -> Decimal:
    """`part / whole * 100` with 2 decimals, capped at 100; 0 when there is nothing to count."""
    if whole <= 0:
        return Decimal("0.00")
    value = (Decimal(part) * _HUNDRED / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(value, _HUNDRED)


# --- hooks -----------------------------------------------------------------------------------------


def course_completed(*, enrollment_id: Any) -> None:
    """Runs once, after the commit of the transaction that completed an enrollment.

    The place where finishing a course has consequences (the student is congratulated by e-mail;
    the certificate issue belongs here too). Must stay cheap and never raise into the request: it
    only enqueues background work, which reloads the enrollment by id.
    """
    from certificates.services import certificate_issue_on_completion

    from .tasks import send_course_completed_email_task

    # Certificate first: with inline tasks the e-mail then already sees `certificate_issued_at`.
    certificate_issue_on_completion(enrollment_id=enrollment_id)
    enqueue_on_commit(send_course_completed_email_task, str(enrollment_id))


def _completed_on_commit(enrollment_id: Any) -> None:
    transaction.on_commit(lambda: course_completed(enrollment_id=enrollment_id), robust=True)


def course_lessons_changed(*, course_id: Any) -> None:
    """Lessons were added or removed: recompute every enrollment of the course after commit."""
    from .tasks import recalculate_course_progress

    enqueue_on_commit(recalculate_course_progress, str(course_id))


# --- enrollments -----------------------------------------------------------------------------------


def enrollment_enroll(*, actor: User, course_id: Any, student_id: Any = None) -> tuple[Enrollment, bool]:
    """Enroll a student (the caller, or for admins `student_id`). Idempotent: an existing enrollment
    is returned (`created=False`); a dropped one is re-activated.

    403 `students_only` for instructors (and admins enrolling a non-student), 404 for an unknown
    course, 403 `course_not_published` for a draft.
    """
    if actor.role == Role.ADMIN and student_id is not None:
        student = User.objects.filter(pk=student_id).first()
        if student is None:
            raise ApplicationError(
                "Unknown student.", code="invalid", errors={"student_id": ["No user with this id."]}
            )
    else:
        student = actor
    if student.role != Role.STUDENT:
        raise Forbidden("Only students can enroll in courses.", code="students_only")

    with transaction.atomic():
        course = Course.objects.select_for_update(no_key=True).filter(pk=course_id).first()
        if course is None:
            raise NotFound("Course not found.")
        if not course.is_published:
            raise Forbidden("This course is not published.", code="course_not_published")
        existing = Enrollment.objects.select_for_update().filter(student=student, course=course).first()
        if existing is not None:
            existing.course = course  # the response shows it; spare the serializer a lazy query
            return _reactivate(existing), False
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    student=student, course=course, total_lessons_count=course.lessons_count
                )
        except IntegrityError:  # only reachable without the lock (e.g. SQLite); the index decides
            existing = Enrollment.objects.select_for_update().get(student=student, course=course)
            existing.course = course
            return _reactivate(existing), False
        Course.objects.filter(pk=course.pk).update(enrollments_count=F("enrollments_count") + 1)
    enrollment.course = course
    return enrollment, True


def _reactivate(enrollment: Enrollment) -> Enrollment:
    if enrollment.status == EnrollmentStatus.DROPPED:
        enrollment.status = EnrollmentStatus.COMPLETED if enrollment.completed_at else EnrollmentStatus.ACTIVE
        enrollment.save(update_fields=["status", "updated_at"])
    return enrollment


@transaction.atomic
def enrollment_drop(*, enrollment: Enrollment) -> Enrollment:
    """Drop an enrollment (the student or an admin; the view checks who). Dropping twice is a no-op.

    Progress is kept: enrolling again re-activates the same enrollment where the student left off.
    """
    # `of=("self",)`: a plain FOR UPDATE over the join would lock the course row too, after the
    # enrollment (against the project's order), and deadlock with an enroll holding the course.
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("course").get(pk=enrollment.pk)
    )
    if enrollment.status != EnrollmentStatus.DROPPED:
        enrollment.status = EnrollmentStatus.DROPPED
        enrollment.save(update_fields=["status", "updated_at"])
    return enrollment


@transaction.atomic
def enrollment_review(*, enrollment: Enrollment, rating: int, review: str) -> Enrollment:
    """Rate and review a course (the enrolled student). Needs progress >= 20%
    (403 `review_requires_progress`). A second review replaces the first; the course's rating
    counters change by the difference, under the course lock."""
    Course.objects.select_for_update(no_key=True).filter(pk=enrollment.course_id).first()
    # `of=("self",)`: the course row is held already; a plain FOR UPDATE over the join would upgrade
    # it to FOR UPDATE after taking the enrollment (a deadlock with a concurrent drop or enroll).
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("course").get(pk=enrollment.pk)
    )
    if enrollment.progress_percentage < REVIEW_MIN_PROGRESS:
        raise Forbidden(
            f"Complete at least {REVIEW_MIN_PROGRESS}% of the course before reviewing it.",
            code="review_requires_progress",
        )
    previous = enrollment.rating
    enrollment.rating, enrollment.review, enrollment.reviewed_at = rating, review, timezone.now()
    enrollment.save(update_fields=["rating", "review", "reviewed_at", "updated_at"])
    if previous is None:
        Course.objects.filter(pk=enrollment.course_id).update(
            rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + rating
        )
    elif previous != rating:
        Course.objects.filter(pk=enrollment.course_id).update(
            rating_sum=F("rating_sum") + (rating - previous)
        )
    return enrollment


# --- progress --------------------------------------------------------------------------------------


def progress_update(
    *, user: User, enrollment: Enrollment, lesson_id: Any, data: dict[str, Any]
) -> LessonProgress:
    """Record progress on one lesson (the enrolled student only; the view checks who).

    Rules (contract section 5): the first write creates the record `in_progress`; `completed` or
    100% completes it (`completed_at` set once); status never goes back (400 `progress_downgrade`);
    time spent and completion percentage never decrease, so retries and replays are harmless. The
    enrollment's counters change in the same transaction; when every lesson is completed the
    enrollment completes and `course_completed` runs after commit. Holds the enrollment row lock.
    """
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("course")
            .only(
                "id",
                "student_id",
                "course_id",
                "status",
                "started_at",
                "completed_at",
                "completed_lessons_count",
                "total_time_spent_seconds",
                "course__lessons_count",
            )
            .get(pk=enrollment.pk)
        )
        if enrollment.status == EnrollmentStatus.DROPPED:
            raise Forbidden(
                "This enrollment was dropped; enroll again to continue.", code="enrollment_dropped"
            )
        if enrollment.status == EnrollmentStatus.EXPIRED:
            raise Forbidden("This enrollment has expired.", code="enrollment_expired")
        now = timezone.now()
        progress = (
            LessonProgress.objects.select_for_update()
            .filter(enrollment=enrollment, lesson_id=lesson_id)
            .first()
        )
        created = progress is None
        if created:
            # Only a first write needs the lesson check: a progress row exists only for a lesson of
            # this course (and goes when the lesson goes), so repeat writes skip a query.
            if not _lesson_in_course_key_shared(lesson_id, enrollment.course_id):
                raise NotFound("Lesson not found in this course.")
            progress = LessonProgress(
                enrollment=enrollment, lesson_id=lesson_id, status=ProgressStatus.IN_PROGRESS, started_at=now
            )
        was_completed = progress.status == ProgressStatus.COMPLETED
        old_time = progress.time_spent_seconds

        wanted = data.get("status")
        if wanted is not None and not created and _STATUS_RANK[wanted] < _STATUS_RANK[progress.status]:
            raise ApplicationError(
                f"This lesson is already {progress.status}; progress cannot go back.",
                code="progress_downgrade",
            )
        if data.get("completion_percentage") is not None:
            progress.completion_percentage = max(
                progress.completion_percentage, data["completion_percentage"]
            )
        if data.get("time_spent_seconds") is not None:
            progress.time_spent_seconds = max(progress.time_spent_seconds, data["time_spent_seconds"])
        if data.get("last_position_seconds") is not None:
            progress.last_position_seconds = data["last_position_seconds"]
        if "notes" in data:
            progress.notes = data["notes"]
        if wanted == ProgressStatus.COMPLETED or progress.completion_percentage >= _HUNDRED:
            progress.status = ProgressStatus.COMPLETED
            progress.completion_percentage = _HUNDRED
            progress.completed_at = progress.completed_at or now
        progress.save(update_fields=None if created else _PROGRESS_FIELDS)

        newly_completed = progress.status == ProgressStatus.COMPLETED and not was_completed
        _enrollment_after_progress(
            enrollment,
            now=now,
            lesson_completed=newly_completed,
            extra_seconds=progress.time_spent_seconds - old_time,
        )
    return progress


def _lesson_in_course_key_shared(lesson_id: Any, course_id: Any) -> bool:
    """Whether the lesson is in the course; on PostgreSQL the row is held `FOR KEY SHARE` until commit.

    That is the lock the new progress row's foreign key takes anyway, but at commit (Django's foreign
    keys are deferred): too late, a concurrent `lesson_delete` could have collected the lesson's
    progress rows in between, and then one of the two failed with a foreign-key error (a 500). Taken
    here, `lesson_delete` (which locks the lesson FOR UPDATE before collecting) either waits for this
    write and deletes its row with the lesson, or deleted the lesson first and this write is a 404.
    KEY SHARE does not make progress writers of one lesson wait for each other."""
    lessons = Lesson.objects.filter(pk=lesson_id, course_id=course_id).order_by().values("pk")
    if connection.vendor != "postgresql":
        return lessons.exists()
    sql, params = lessons.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} FOR KEY SHARE", params)
        return cursor.fetchone() is not None


def _enrollment_after_progress(
    enrollment: Enrollment, *, now: Any, lesson_completed: bool, extra_seconds: int
) -> None:
    """Update the enrollment's counters for one progress write (caller holds the enrollment lock)."""
    changes: dict[str, Any] = {"last_accessed_at": now, "updated_at": now}
    if extra_seconds:
        changes["total_time_spent_seconds"] = F("total_time_spent_seconds") + extra_seconds
    if enrollment.started_at is None:
        changes["started_at"] = now
    if lesson_completed:
        total = enrollment.course.lessons_count
        completed = enrollment.completed_lessons_count + 1
        changes.update(
            completed_lessons_count=completed,
            total_lessons_count=total,
            progress_percentage=percentage(completed, total),
        )
        if enrollment.status == EnrollmentStatus.ACTIVE and total and completed >= total:
            changes["status"] = EnrollmentStatus.COMPLETED
            if enrollment.completed_at is None:
                changes["completed_at"] = now
            _completed_on_commit(enrollment.pk)
    Enrollment.objects.filter(pk=enrollment.pk).update(**changes)


# --- recomputation ---------------------------------------------------------------------------------


def recalculate_progress(*, course_id: Any = None) -> int:
    """Recompute the counters of every enrollment (of one course, or of all courses) in set-based
    SQL: a handful of statements whatever the number of enrollments. Idempotent.

    Active enrollments whose every lesson is now completed (a lesson was removed) become completed,
    and `course_completed` runs for each after commit. Completed enrollments stay completed when
    lessons are added. Returns the number of enrollments updated.
    """
    with transaction.atomic():
        enrollments = Enrollment.objects.all()
        if course_id is not None:
            enrollments = enrollments.filter(course_id=course_id)
        done = (
            LessonProgress.objects.filter(enrollment=OuterRef("pk"), status=ProgressStatus.COMPLETED)
            .values("enrollment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        seconds = (
            LessonProgress.objects.filter(enrollment=OuterRef("pk"))
            .values("enrollment")
            .annotate(s=Sum("time_spent_seconds"))
            .values("s")
        )
        # Lock the enrollments first, in id order. An UPDATE that had to wait for a concurrent progress
        # write (which holds its enrollment row) would recount from the snapshot it started with and
        # miss that write: under READ COMMITTED only the updated row is re-read, not the subqueries.
        # Once this statement holds the rows, the UPDATEs below start with a snapshot that has every
        # earlier write in it, and later writes wait for this transaction.
        list(enrollments.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
        updated = enrollments.update(
            completed_lessons_count=Coalesce(Subquery(done), Value(0)),
            total_lessons_count=Subquery(
                Course.objects.filter(pk=OuterRef("course_id")).values("lessons_count")[:1]
            ),
            total_time_spent_seconds=Coalesce(Subquery(seconds), Value(0)),
        )
        # Second statement: the percentage from the counters just written (one UPDATE reads old values).
        enrollments.update(progress_percentage=PROGRESS_PERCENTAGE_SQL)
        finished = enrollments.filter(
            status=EnrollmentStatus.ACTIVE,
            total_lessons_count__gt=0,
            completed_lessons_count__gte=F("total_lessons_count"),
        )
        finished_ids = list(finished.values_list("pk", flat=True))
        if finished_ids:
            now = timezone.now()
            Enrollment.objects.filter(pk__in=finished_ids).update(
                status=EnrollmentStatus.COMPLETED, completed_at=Coalesce(F("completed_at"), Value(now))
            )
            for enrollment_id in finished_ids:
                _completed_on_commit(enrollment_id)
    return updated


def recount_course_counters() -> int:
    """Nightly drift repair of the course counters (lessons, enrollments, ratings) in one UPDATE."""
    lessons = (
        Lesson.objects.filter(course=OuterRef("pk")).values("course").annotate(n=Count("pk")).values("n")
    )
    enrollments = (
        Enrollment.objects.filter(course=OuterRef("pk")).values("course").annotate(n=Count("pk")).values("n")
    )
    rated = Enrollment.objects.filter(course=OuterRef("pk"), rating__isnull=False).values("course")
    return Course.objects.update(
        lessons_count=Coalesce(Subquery(lessons), Value(0)),
        enrollments_count=Coalesce(Subquery(enrollments), Value(0)),
        rating_count=Coalesce(Subquery(rated.annotate(n=Count("pk")).values("n")), Value(0)),
        rating_sum=Coalesce(Subquery(rated.annotate(s=Sum("rating")).values("s")), Value(0)),
    )


# --- bulk enrollment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkEnrollResult:
    """What `bulk_enroll` did, in counts of distinct students."""

    created: int = 0
    already_enrolled: int = 0  # enrolled before the call; includes `reactivated`
    reactivated: int = 0  # of those, dropped enrollments made active again
    not_students: int = 0  # users whose role is not student: refused
    unknown: int = 0  # ids (or malformed ids) with no user: refused

    @property
    def refused(self) -> int:
        return self.not_students + self.unknown


class _EqualsAny(Func):
    """`column = ANY(%s)` with the ids as ONE array parameter (PostgreSQL). The same filter as
    `column__in=ids`, but an IN list of 10,000 literals cost PostgreSQL ~0.5 s to parse and plan
    here, the array ~0.1 s."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def _among(column: str, ids: Collection[uuid.UUID]) -> Q | _EqualsAny:
    if connection.vendor == "postgresql":
        return _EqualsAny(F(column), Value(list(ids)))
    return Q(**{f"{column}__in": ids})


def _distinct_ids(students_or_ids: Iterable[User | Any]) -> tuple[set[uuid.UUID], int]:
    """The distinct user ids asked for, and how many distinct values were not ids at all."""
    ids: set[uuid.UUID] = set()
    malformed: set[str] = set()
    for item in students_or_ids:
        raw = item.pk if isinstance(item, User) else item
        try:
            ids.add(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw)))
        except ValueError:
            malformed.add(str(raw))
    return ids, len(malformed)


# Every NOT NULL column of `enrollments_enrollment`, with the value `Enrollment(...)` would give it.
_INSERT_ENROLLMENTS_SQL = """
    INSERT INTO enrollments_enrollment (
        id, student_id, course_id, status, enrolled_at, updated_at, progress_percentage,
        completed_lessons_count, total_lessons_count, total_time_spent_seconds
    )
    SELECT gen_random_uuid(), student_id, %s, 'active', %s, %s, 0, 0, %s, 0
    FROM unnest(%s::uuid[]) AS student_id
    ON CONFLICT (student_id, course_id) DO NOTHING
"""


def _insert_enrollments(course: Course, student_ids: Collection[uuid.UUID]) -> int:
    """Insert an active enrollment in `course` for each student, skipping any that exists (the unique
    (student, course) index decides); return the number of rows the database really added.

    PostgreSQL: one `INSERT ... SELECT FROM unnest(ids) ON CONFLICT DO NOTHING`, whose row count is
    exactly the rows inserted. `bulk_create` of the same 10,000 rows spent ~1 s of Python preparing
    170,000 values. The columns are the ones `Enrollment(...)` would fill; a nullable field added
    with a default must be added here too (`test_a_bulk_enrollment_is_the_row_a_single_enroll_makes`
    compares the two). Elsewhere (SQLite, the quick start): `bulk_create(ignore_conflicts=True)`,
    counted by the rows of the course before and after, which nothing else can change meanwhile
    (the caller holds the course lock; SQLite has one writer at a time anyway).
    """
    if connection.vendor != "postgresql":
        in_course = Enrollment.objects.filter(course=course)
        before = in_course.count()
        Enrollment.objects.bulk_create(
            [
                Enrollment(student_id=pk, course=course, total_lessons_count=course.lessons_count)
                for pk in student_ids
            ],
            ignore_conflicts=True,
        )
        return in_course.count() - before
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_ENROLLMENTS_SQL, [course.pk, now, now, course.lessons_count, list(student_ids)]
        )
        return cursor.rowcount


def bulk_enroll(
    *, course: Course | Any, students_or_ids: Iterable[User | Any], actor: User | None
) -> BulkEnrollResult:
    """Enroll many students in one course at once (the admin action, `manage.py bulk_enroll`).

    Who: an admin, or the course's instructor; `actor=None` is the operator's command line. The
    rules of `enrollment_enroll`, per student: the course must exist (404) and be published (403
    `course_not_published`, nothing enrolled); users who are not students are refused (counted, not
    raised: one wrong row must not sink 10,000 right ones), as are unknown ids; an existing
    enrollment is left as it is, except that a dropped one is re-activated.

    One transaction, a fixed number of statements whatever the number of students (on PostgreSQL;
    SQLite splits the INSERT into batches of 999 variables): lock the course row (`FOR NO KEY
    UPDATE`, the lock the single enroll takes first, so the two serialise and never deadlock:
    course -> enrollment), read the users' roles, then the students' existing enrollments, insert
    the rest (`_insert_enrollments`, backed by the unique (student, course) index), one UPDATE for
    the dropped ones, and `Course.enrollments_count` raised by the number of rows the database says
    it inserted. 10,000 students: see `python -m bench.bulk_enroll`.

    Side effects: none, and no e-mail. Enrolling sends nothing in this project (the single enroll
    neither); should a "you were enrolled" mail appear, a bulk enroll must enqueue ONE job after
    commit (course id + the ids), never one task per student.
    """
    ids, malformed = _distinct_ids(students_or_ids)
    with transaction.atomic():
        course_id = course.pk if isinstance(course, Course) else course
        locked = Course.objects.select_for_update(no_key=True).filter(pk=course_id).first()
        if locked is None:
            raise NotFound("Course not found.")
        if actor is not None and not (actor.role == Role.ADMIN or locked.instructor_id == actor.pk):
            raise Forbidden("Only an admin or the course's instructor may enroll students in bulk.")
        if not locked.is_published:
            raise Forbidden("This course is not published.", code="course_not_published")
        if not ids:
            return BulkEnrollResult(unknown=malformed)

        roles = dict(User.objects.filter(_among("pk", ids)).values_list("pk", "role"))
        students = {pk for pk, role in roles.items() if role == Role.STUDENT}
        # Two reads rather than a join: a correlated subquery per user, planned with the statistics
        # of a course that had no enrollments yet, scanned the course's rows once per user (48 s
        # for a repeat of 10,000). Each of these is linear whichever index the planner picks.
        existing = dict(
            Enrollment.objects.filter(_among("student_id", students), course=locked).values_list(
                "student_id", "status"
            )
        )
        new = students - existing.keys()
        created = _insert_enrollments(locked, new) if new else 0
        if created:
            Course.objects.filter(pk=locked.pk).update(enrollments_count=F("enrollments_count") + created)
        dropped = [pk for pk, status in existing.items() if status == EnrollmentStatus.DROPPED]
        if dropped:
            # As `_reactivate`: back to where the student left off.
            Enrollment.objects.filter(
                _among("student_id", dropped), course=locked, status=EnrollmentStatus.DROPPED
            ).update(
                status=Case(
                    When(completed_at__isnull=False, then=Value(EnrollmentStatus.COMPLETED)),
                    default=Value(EnrollmentStatus.ACTIVE),
                ),
                updated_at=timezone.now(),
            )
    result = BulkEnrollResult(
        created=created,
        already_enrolled=len(students) - created,
        reactivated=len(dropped),
        not_students=len(roles) - len(students),
        unknown=malformed + len(ids) - len(roles),
    )
    logger.info(
        "bulk enroll",
        extra={
            "course_id": str(locked.pk),
            "actor_id": str(getattr(actor, "pk", "") or ""),
            "enrolled": result.created,  # not "created": a LogRecord attribute, `extra` may not set it
            "already_enrolled": result.already_enrolled,
            "reactivated": result.reactivated,
            "refused": result.refused,
        },
    )
    return result
