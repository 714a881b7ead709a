"""Bulk rows for load tests (`seed_demo_data --scale N`).

One unit of scale (N=1) is 1,000 students, 10 instructors, 100 published courses of 20 lessons
(about 1 KB of markdown each), 10 enrollments per student (every student is also in one "hot"
course, so it has N x 1,000), about 10 lesson-progress rows per enrollment and a rating on about a
third of the enrollments past 20%. The same shape as the FastAPI baseline's data set, so figures
compare. On top of it: a graded 10-question final quiz on the last lesson of every course, and a
graded attempt (with its 10 answers) for about a third of the enrollments past 50%.

Fast on purpose: rows are built in Python as plain tuples with explicit ids and every stored counter
precomputed (course lessons/enrollments/ratings, enrollment progress, quiz totals, attempt scores),
and written in batches by `bulk.Table`: a binary COPY on PostgreSQL, `bulk_create` elsewhere; on
PostgreSQL the big tables' indexes and foreign keys are built once after their load
(`bulk.loading`). Nothing goes through the services, whose per-row locks and counters would take
hours at N=10. At N=10 (1M progress rows) the command went from 281 s to 42 s on a shared 2-core
machine (its own CPU from 186 s to 21-24 s). The counters equal what `recount_course_counters()` and
`recalculate_progress()` would compute, and every attempt's score is what the grading rules give its
answers (the tests check both). The data is deterministic: each step draws from its own
`random.Random` seeded with a constant, and the ids come from that generator too, so two runs at the
same scale produce the same rows (only timestamps move with the day of the run), whichever the
database.

Each step skips what exists: students and instructors by e-mail, courses, enrollments, quizzes and
attempts as a whole (the shape depends on N, so a second run at another scale does not graft onto the
first one).
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Role, User
from courses.models import Course, Difficulty, Lesson, LessonType
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.services import REVIEW_MIN_PROGRESS, percentage
from quizzes import grading
from quizzes.grading import Grade, grade_answer
from quizzes.models import Answer, Attempt, AttemptStatus, Question, QuestionType, Quiz, QuizType

from . import bulk, content
from .base import DEMO_INSTRUCTOR, DEMO_STUDENT, SeedReport

SCALE_UNIT = 1000  # students per unit of --scale
SCALE_INSTRUCTORS_PER_UNIT = 10
SCALE_COURSES_PER_UNIT = 100
SCALE_LESSONS_PER_COURSE = 20
SCALE_ENROLLMENTS_PER_STUDENT = 10
SCALE_BATCH_SIZE = bulk.BATCH_SIZE
SCALE_SEED = 42
SCALE_EMAIL_DOMAIN = "scale.lms.local"
SCALE_STUDENT_PASSWORD = DEMO_STUDENT.password
SCALE_INSTRUCTOR_PASSWORD = DEMO_INSTRUCTOR.password
SCALE_COURSE_SLUG_PREFIX = "scale-course-"
# Argon2 explicitly, so the rows look like production ones even where a faster hasher comes first.
SCALE_PASSWORD_HASHER = "argon2"

_ONE_HUNDRED = Decimal("100.00")
_EMAIL_NUMBER = re.compile(r"^[a-z]+(\d+)@")


@dataclass(frozen=True)
class ScaleShape:
    """How many rows of each kind a scale gives. Fractions (tests) round, with at least one of each."""

    students: int
    instructors: int
    courses: int
    lessons_per_course: int = SCALE_LESSONS_PER_COURSE
    enrollments_per_student: int = SCALE_ENROLLMENTS_PER_STUDENT

    @classmethod
    def of(cls, scale: float) -> ScaleShape:
        return cls(
            students=max(1, round(SCALE_UNIT * scale)),
            instructors=max(1, round(SCALE_INSTRUCTORS_PER_UNIT * scale)),
            courses=max(1, round(SCALE_COURSES_PER_UNIT * scale)),
        )


def _rng(step: int) -> random.Random:
    # Reproducible data, not secrets: each step has its own stream so steps do not shift each other.
    return random.Random(SCALE_SEED + step)  # noqa: S311


_uuid = bulk.uuid4


def _course_slug(number: int) -> str:
    return f"{SCALE_COURSE_SLUG_PREFIX}{number:06d}"  # zero-padded: slug order is creation order


def _number(email: str) -> int:
    match = _EMAIL_NUMBER.match(email)
    return int(match.group(1)) if match else 0


# --- Users -----------------------------------------------------------------------------------------


def scale_users(scale: float, report: SeedReport) -> None:
    """`student1..@scale.lms.local` (the demo student's password) and `instructor1..@scale.lms.local`
    (the demo instructor's). Accounts that exist (same e-mail) are skipped, row by row."""
    shape = ScaleShape.of(scale)
    rng = _rng(0)
    now = timezone.now()
    # One hash per role shared by every row: hashing each one would cost ~50 ms a user.
    hashes = {
        Role.STUDENT: make_password(SCALE_STUDENT_PASSWORD, hasher=SCALE_PASSWORD_HASHER),
        Role.INSTRUCTOR: make_password(SCALE_INSTRUCTOR_PASSWORD, hasher=SCALE_PASSWORD_HASHER),
    }
    accounts = User.objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}")
    before = {role: accounts.filter(role=role).count() for role in hashes}
    rows: list[User] = []
    field = User._meta.get_field("created_at")
    # bulk_create even on PostgreSQL: ignore_conflicts skips existing e-mails, which COPY cannot do,
    # and 10,000 users take about a second.
    with bulk.given_timestamps(field):
        for role, prefix, total, first_day in (
            (Role.INSTRUCTOR, "instructor", shape.instructors, 730),
            (Role.STUDENT, "student", shape.students, 160),
        ):
            for i in range(1, total + 1):
                rows.append(
                    User(
                        id=_uuid(rng),
                        email=f"{prefix}{i}@{SCALE_EMAIL_DOMAIN}",
                        full_name=f"{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)}",
                        role=role,
                        password=hashes[role],
                        created_at=now
                        - timedelta(days=first_day - 60 * i / total, minutes=rng.randrange(1440)),
                    )
                )
                if len(rows) >= SCALE_BATCH_SIZE:
                    # Rows from an earlier run hit the e-mail unique index and are skipped.
                    User.objects.bulk_create(rows, ignore_conflicts=True)
                    rows.clear()
        User.objects.bulk_create(rows, ignore_conflicts=True)
    for role, kind, total in (
        (Role.INSTRUCTOR, "scale instructors", shape.instructors),
        (Role.STUDENT, "scale students", shape.students),
    ):
        created = accounts.filter(role=role).count() - before[role]
        report.count(kind, created=created, existing=total - created)


def _scale_user_ids(role: str, limit: int) -> list[tuple[uuid.UUID, datetime]]:
    """(id, created_at) of the first `limit` scale users of a role, in e-mail number order."""
    rows = User.objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}", role=role).values_list(
        "email", "id", "created_at"
    )
    numbered = sorted((_number(email), pk, created) for email, pk, created in rows)
    return [(pk, created) for number, pk, created in numbered if 1 <= number <= limit]


# --- Courses and lessons ---------------------------------------------------------------------------

_LESSON_TYPES = (LessonType.VIDEO, LessonType.TEXT, LessonType.QUIZ, LessonType.ASSIGNMENT)
_LESSON_TYPE_WEIGHTS = (45, 35, 10, 10)
_DIFFICULTIES = (Difficulty.BEGINNER, Difficulty.INTERMEDIATE, Difficulty.ADVANCED)
_COURSE_COLUMNS = (
    "id",
    "title",
    "slug",
    "description",
    "instructor_id",
    "category",
    "difficulty_level",
    "is_published",
    "published_at",
    "thumbnail_url",
    "estimated_duration_minutes",
    "metadata",
    "lessons_count",
    "created_at",
)
_LESSON_COLUMNS = (
    "id",
    "course_id",
    "title",
    "slug",
    "description",
    "content",
    "lesson_type",
    "order_index",
    "duration_minutes",
    "video_url",
    "is_preview",
    "created_at",
)


def scale_courses(scale: float, report: SeedReport) -> None:
    """N x 100 published courses of 20 lessons, spread over the scale instructors. Skipped as a whole
    when scale courses exist."""
    existing = Course.objects.filter(slug__startswith=SCALE_COURSE_SLUG_PREFIX)
    if existing.exists():
        report.count("scale courses", existing=existing.count())
        report.count("scale lessons", existing=Lesson.objects.filter(course__in=existing).count())
        report.note("scale courses already present: left as they are")
        return
    shape = ScaleShape.of(scale)
    instructors = [pk for pk, _ in _scale_user_ids(Role.INSTRUCTOR, shape.instructors)]
    if not instructors:
        report.note("scale courses skipped: no scale instructors")
        return
    rng = _rng(1)
    now = timezone.now()
    courses = bulk.Table(Course, _COURSE_COLUMNS, now=now)
    lessons = bulk.Table(Lesson, _LESSON_COLUMNS, now=now)
    for number in range(1, shape.courses + 1):
        topic, category = rng.choice(content.TOPICS)
        title = rng.choice(content.COURSE_TITLES).format(topic)
        created_at = now - timedelta(days=540 - 360 * number / shape.courses, minutes=rng.randrange(1440))
        course_id = _uuid(rng)
        slug = _course_slug(number)
        # Drawn in the order the rows always drew them, so the data set stays the same.
        description = " ".join(rng.sample(content.SENTENCES, 2))
        difficulty = rng.choice(_DIFFICULTIES)
        published_at = created_at + timedelta(days=rng.randint(1, 14))
        metadata = {"language": rng.choice(("en", "en", "en", "de", "fr"))}
        total_minutes = 0
        for order in range(1, shape.lessons_per_course + 1):
            kind = LessonType.VIDEO if order == 1 else rng.choices(_LESSON_TYPES, _LESSON_TYPE_WEIGHTS)[0]
            minutes = rng.randint(5, 25)
            total_minutes += minutes
            lesson_title = f"{content.LESSON_TITLES[(order - 1) % len(content.LESSON_TITLES)]}: {topic}"
            lessons.rows.append(
                (
                    _uuid(rng),
                    course_id,
                    lesson_title,
                    f"lesson-{order}",
                    rng.choice(content.SENTENCES),
                    content.lesson_markdown(rng, lesson_title),
                    kind,
                    order,
                    minutes,
                    f"{content.VIDEO_HOST}/{slug}/{order:02d}.mp4" if kind == LessonType.VIDEO else None,
                    order == 1,
                    created_at + timedelta(hours=order),
                )
            )
        courses.rows.append(
            (
                course_id,
                f"{title} ({number})",
                slug,
                description,
                instructors[(number - 1) % len(instructors)],
                category,
                difficulty,
                True,
                published_at,
                f"https://cdn.example.com/courses/{slug}.png",
                total_minutes,
                metadata,
                shape.lessons_per_course,
                created_at,
            )
        )
        if len(lessons.rows) >= SCALE_BATCH_SIZE:
            courses.flush()
            lessons.flush()
    courses.flush()
    lessons.flush()
    report.count("scale courses", created=courses.written)
    report.count("scale lessons", created=lessons.written)


# --- Enrollments, progress, ratings ----------------------------------------------------------------

_ENROLLMENT_COLUMNS = (
    "id",
    "student_id",
    "course_id",
    "status",
    "enrolled_at",
    "started_at",
    "completed_at",
    "progress_percentage",
    "completed_lessons_count",
    "total_lessons_count",
    "total_time_spent_seconds",
    "last_accessed_at",
    "rating",
    "review",
    "reviewed_at",
)
_PROGRESS_COLUMNS = (
    "id",
    "enrollment_id",
    "lesson_id",
    "status",
    "started_at",
    "completed_at",
    "time_spent_seconds",
    "last_position_seconds",
    "completion_percentage",
)
_COMPLETED = ProgressStatus.COMPLETED.value
_IN_PROGRESS = ProgressStatus.IN_PROGRESS.value
# The share of a lesson an unfinished row shows: what `Decimal(rng.randint(500, 9500)) / 100` gives,
# looked up instead of divided a million times.
_PARTIAL_PERCENT = {n: Decimal(n) / 100 for n in range(500, 9501)}
_SECOND = timedelta(seconds=1)


@dataclass
class _CourseTally:
    published_at: datetime
    lessons: list[tuple[uuid.UUID, int]]  # (lesson id, duration in minutes), in order
    enrollments: int = 0
    rating_count: int = 0
    rating_sum: int = 0


def _enroll(
    rng: random.Random,
    student_id: uuid.UUID,
    joined: datetime,
    course_id: uuid.UUID,
    course: _CourseTally,
    percentages: list[Decimal],
    enrollments: list[tuple[Any, ...]],
    progress: list[tuple[Any, ...]],
) -> None:
    """One enrollment (appended to `enrollments`) and its progress rows (to `progress`), with the
    enrollment's counters computed from the rows. `percentages[n]` is `percentage(n, lessons)`."""
    total = len(course.lessons)
    enrolled_at = max(joined, course.published_at) + timedelta(minutes=rng.randrange(30 * 1440))
    enrollment_id = _uuid(rng)
    # 10% never start, 15% finish, the rest stop somewhere in between: ~10.5 rows per enrollment.
    draw = rng.random()
    touched = 0 if draw < 0.10 else total if draw < 0.25 else rng.randint(1, max(total - 1, 1))
    finished_all = touched == total
    moment = enrolled_at + timedelta(minutes=rng.randrange(1, 3 * 1440))
    started_at = last_accessed_at = completed_at = None
    completed = seconds = 0
    random_ = rng.random
    for index, (lesson_id, minutes) in enumerate(course.lessons[:touched]):
        # The last lesson touched is still under way for 70% of those who stopped.
        done = finished_all or index < touched - 1 or random_() < 0.3
        if started_at is None:
            started_at = moment
        # `a + (b - a) * random()` is `rng.uniform(a, b)`, and `n * _SECOND` is `timedelta(seconds=n)`:
        # the same values, without a Python call or keyword parsing a row (a million rows at N=10).
        if done:
            spent = int(minutes * 60 * (0.6 + (1.5 - 0.6) * random_()))
            last_accessed_at = completed_at = moment + spent * _SECOND
            completed += 1
            progress.append(
                (
                    _uuid(rng),
                    enrollment_id,
                    lesson_id,
                    _COMPLETED,
                    moment,
                    completed_at,
                    spent,
                    spent,
                    _ONE_HUNDRED,
                )
            )
        else:  # the id is drawn before the share, as it always was
            spent = int(minutes * 60 * (0.1 + (0.6 - 0.1) * random_()))
            last_accessed_at = moment + spent * _SECOND
            progress_id = _uuid(rng)
            share = _PARTIAL_PERCENT[rng.randint(500, 9500)]
            progress.append(
                (
                    progress_id,
                    enrollment_id,
                    lesson_id,
                    _IN_PROGRESS,
                    moment,
                    None,
                    spent,
                    int(spent * 0.9),
                    share,
                )
            )
        seconds += spent
        moment += (spent + 60 * rng.randrange(10, 48 * 60)) * _SECOND
    progress_percentage = percentages[completed]
    if total and completed >= total:
        status = EnrollmentStatus.COMPLETED.value
        # `completed_at` is the last completed row's: with every lesson done, the last row's.
    elif touched and rng.random() < 0.03:
        status, completed_at = EnrollmentStatus.DROPPED.value, None
    else:
        status, completed_at = EnrollmentStatus.ACTIVE.value, None
    rating = review = reviewed_at = None
    if progress_percentage >= REVIEW_MIN_PROGRESS and rng.random() < 1 / 3:
        rating = rng.choices((1, 2, 3, 4, 5), (3, 5, 12, 35, 45))[0]
        review = rng.choice(content.REVIEWS) if rng.random() < 0.6 else None
        reviewed_at = last_accessed_at + timedelta(minutes=rng.randrange(5, 600))
        course.rating_count += 1
        course.rating_sum += rating
    course.enrollments += 1
    enrollments.append(
        (
            enrollment_id,
            student_id,
            course_id,
            status,
            enrolled_at,
            started_at,
            completed_at,
            progress_percentage,
            completed,
            total,
            seconds,
            last_accessed_at,
            rating,
            review,
            reviewed_at,
        )
    )


def scale_enrollments(scale: float, report: SeedReport) -> None:
    """10 enrollments per scale student (the first scale course, the "hot" one, plus 9 others),
    their progress rows, ratings, and the courses' counters. Skipped as a whole when any scale
    course has enrollments."""
    scale_courses_qs = Course.objects.filter(slug__startswith=SCALE_COURSE_SLUG_PREFIX)
    existing = Enrollment.objects.filter(course__in=scale_courses_qs)
    if existing.exists():
        report.count("scale enrollments", existing=existing.count())
        report.count(
            "scale lesson progress", existing=LessonProgress.objects.filter(enrollment__in=existing).count()
        )
        report.note("scale enrollments already present: left as they are")
        return
    shape = ScaleShape.of(scale)
    students = _scale_user_ids(Role.STUDENT, shape.students)
    tallies = {
        pk: _CourseTally(published_at=published_at, lessons=[])
        for pk, published_at in scale_courses_qs.order_by("slug").values_list("id", "published_at")
    }
    if not students or not tallies:
        report.note("scale enrollments skipped: no scale students or courses")
        return
    for course_id, lesson_id, minutes in (
        Lesson.objects.filter(course__in=scale_courses_qs)
        .order_by("course_id", "order_index")
        .values_list("course_id", "id", "duration_minutes")
    ):
        tallies[course_id].lessons.append((lesson_id, minutes or 10))
    hot, *others = tallies  # slug order: scale-course-000001 is the hot course
    picks_per_student = min(shape.enrollments_per_student - 1, len(others))
    percentages: dict[int, list[Decimal]] = {}
    for tally in tallies.values():
        total = len(tally.lessons)
        if total not in percentages:
            percentages[total] = [percentage(n, total) for n in range(total + 1)]

    rng = _rng(2)
    now = timezone.now()
    enrollments = bulk.Table(Enrollment, _ENROLLMENT_COLUMNS, now=now)
    progress = bulk.Table(LessonProgress, _PROGRESS_COLUMNS, now=now)
    with bulk.loading(Enrollment, LessonProgress):
        for student_id, joined in students:
            for course_id in (hot, *rng.sample(others, picks_per_student)):
                tally = tallies[course_id]
                _enroll(
                    rng,
                    student_id,
                    joined,
                    course_id,
                    tally,
                    percentages[len(tally.lessons)],
                    enrollments.rows,
                    progress.rows,
                )
            if len(progress.rows) >= SCALE_BATCH_SIZE:
                enrollments.flush()
                progress.flush()
        enrollments.flush()
        progress.flush()
    Course.objects.bulk_update(
        [
            Course(
                pk=pk, enrollments_count=t.enrollments, rating_count=t.rating_count, rating_sum=t.rating_sum
            )
            for pk, t in tallies.items()
        ],
        ["enrollments_count", "rating_count", "rating_sum"],
        batch_size=1000,
    )
    report.count("scale enrollments", created=enrollments.written)
    report.count("scale lesson progress", created=progress.written)
    report.count("scale ratings", created=sum(t.rating_count for t in tallies.values()))


# --- Quizzes, attempts, answers --------------------------------------------------------------------

SCALE_QUIZ_PASSING_SCORE = Decimal("70.00")
SCALE_QUIZ_TIME_LIMIT_MINUTES = 30
SCALE_ATTEMPT_MIN_PROGRESS = Decimal("50.00")  # attempts only for enrollments past this
SCALE_ATTEMPT_SHARE = 1 / 3  # ... and about this share of them
_QUIZ_COLUMNS = (
    "id",
    "course_id",
    "lesson_id",
    "title",
    "description",
    "quiz_type",
    "time_limit_minutes",
    "passing_score",
    "max_attempts",
    "is_published",
    "total_questions",
    "total_points",
    "created_at",
)
_QUESTION_COLUMNS = (
    "id",
    "quiz_id",
    "question_text",
    "question_type",
    "points",
    "options",
    "correct_answer",
    "accepted_answers",
    "order_index",
    "created_at",
)
_ATTEMPT_COLUMNS = (
    "id",
    "enrollment_id",
    "quiz_id",
    "attempt_number",
    "status",
    "started_at",
    "deadline_at",
    "submitted_at",
    "graded_at",
    "score",
    "max_score",
    "percentage",
    "is_passed",
    "time_taken_seconds",
    "question_order",
    "option_order",
)
_ANSWER_COLUMNS = (
    "id",
    "attempt_id",
    "question_id",
    "selected_option_id",
    "selected_option_ids",
    "answer_text",
    "is_correct",
    "points_earned",
    "graded_at",
)


def scale_quizzes(scale: float, report: SeedReport) -> None:
    """One published, graded final quiz per scale course, on its last lesson: 10 auto-graded
    questions of four types (`content.SCALE_QUIZ_QUESTIONS`), with `total_questions` and
    `total_points` set as the question services would. Skipped as a whole when scale quizzes exist."""
    scale_courses_qs = Course.objects.filter(slug__startswith=SCALE_COURSE_SLUG_PREFIX)
    existing = Quiz.objects.filter(course__in=scale_courses_qs)
    if existing.exists():
        report.count("scale quizzes", existing=existing.count())
        report.count("scale questions", existing=Question.objects.filter(quiz__in=existing).count())
        report.note("scale quizzes already present: left as they are")
        return
    last_lessons: dict[uuid.UUID, tuple[uuid.UUID, str, datetime]] = {}
    for course_id, lesson_id, title, created_at in (
        Lesson.objects.filter(course__in=scale_courses_qs)
        .order_by("course__slug", "order_index")
        .values_list("course_id", "id", "title", "created_at")
    ):
        last_lessons[course_id] = (lesson_id, title, created_at)  # the last one in order wins
    if not last_lessons:
        report.note("scale quizzes skipped: no scale lessons")
        return
    rng = _rng(3)
    templates = content.SCALE_QUIZ_QUESTIONS
    total_points = sum((q["points"] for q in templates), Decimal("0.00"))
    now = timezone.now()
    quizzes = bulk.Table(Quiz, _QUIZ_COLUMNS, now=now)
    questions = bulk.Table(Question, _QUESTION_COLUMNS, now=now)
    for course_id, (lesson_id, title, lesson_created) in last_lessons.items():
        topic = title.split(": ", 1)[-1]
        created_at = lesson_created + timedelta(minutes=rng.randrange(10, 120))
        quiz_id = _uuid(rng)
        quizzes.rows.append(
            (
                quiz_id,
                course_id,
                lesson_id,
                f"Final quiz: {topic}",
                f"Ten questions on the course. You need {SCALE_QUIZ_PASSING_SCORE}% to pass.",
                QuizType.GRADED,
                SCALE_QUIZ_TIME_LIMIT_MINUTES,
                SCALE_QUIZ_PASSING_SCORE,
                3,
                True,
                len(templates),
                total_points,
                created_at,
            )
        )
        for order, template in enumerate(templates, start=1):
            questions.rows.append(
                (
                    _uuid(rng),
                    quiz_id,
                    template["question_text"].format(topic),
                    template["question_type"],
                    template["points"],
                    template.get("options"),
                    template.get("correct_answer"),
                    template.get("accepted_answers"),
                    order,
                    created_at,
                )
            )
        if len(questions.rows) >= SCALE_BATCH_SIZE:
            quizzes.flush()
            questions.flush()
    quizzes.flush()
    questions.flush()
    report.count("scale quizzes", created=quizzes.written)
    report.count("scale questions", created=questions.written)


# One possible answer to a question: (selected_option_id, selected_option_ids, answer_text).
_Given = tuple[str | None, tuple[str, ...] | None, str | None]


def _answer_variants(template: dict) -> tuple[list[_Given], list[_Given]]:
    """The right and the wrong answers a seeded student may give to a question (None: unanswered)."""
    kind = template["question_type"]
    if kind == QuestionType.MULTIPLE_CHOICE:
        ids = [o["option_id"] for o in template["options"]]
        right = [o["option_id"] for o in template["options"] if o["is_correct"]]
        return [(i, None, None) for i in right], [(i, None, None) for i in ids if i not in right] + [
            (None, None, None)
        ]
    if kind == QuestionType.MULTIPLE_SELECT:
        ids = [o["option_id"] for o in template["options"]]
        right = tuple(o["option_id"] for o in template["options"] if o["is_correct"])
        wrong = [i for i in ids if i not in right]
        partial = [
            right[1:],  # one right option missing
            tuple(sorted((*right, wrong[0]))),  # one wrong option too
            (wrong[-1],),
        ]
        return [(None, right, None)], [(None, p, None) for p in partial if p] + [(None, None, None)]
    if kind == QuestionType.TRUE_FALSE:
        truth = template["correct_answer"]
        return [(None, None, truth)], [(None, None, "false" if truth == "true" else "true")]
    # short_answer
    keys = [template["correct_answer"], *(template.get("accepted_answers") or [])]
    return [(None, None, k) for k in keys], [(None, None, t or None) for t in content.SCALE_WRONG_TEXT]


def _graded_variants() -> list[tuple[list[tuple[_Given, Grade]], list[tuple[_Given, Grade]]]]:
    """Per question of the template: its right and wrong answers, each graded once by the grading
    rules (every scale quiz has the same answer key)."""
    out = []
    for template in content.SCALE_QUIZ_QUESTIONS:
        graded = []
        for variants in _answer_variants(template):
            graded.append(
                [
                    (
                        given,
                        grade_answer(
                            question_type=template["question_type"],
                            points=template["points"],
                            options=template.get("options"),
                            correct_answer=template.get("correct_answer"),
                            accepted_answers=template.get("accepted_answers"),
                            selected_option_id=given[0],
                            selected_option_ids=list(given[1]) if given[1] is not None else None,
                            answer_text=given[2],
                        ),
                    )
                    for given in variants
                ]
            )
        out.append((graded[0], graded[1]))
    return out


def _draw_paper(rng: random.Random, graded: list, skill: float) -> tuple[list[tuple[_Given, Grade]], Decimal]:
    paper = [rng.choice(right if rng.random() < skill else wrong) for right, wrong in graded]
    return paper, sum((grade.points or Decimal(0) for _, grade in paper), Decimal("0.00"))


def scale_attempts(scale: float, report: SeedReport) -> None:
    """Graded attempts (one each, with an Answer row per question) for about a third of the scale
    enrollments past 50%, at their course's final quiz. Scores come from the grading rules;
    `score`, `percentage` and `is_passed` follow from the answers. Only an enrollment that completed
    the quiz's lesson may pass (passing would have completed it); the others fail. Skipped as a
    whole when scale attempts exist."""
    quizzes_qs = Quiz.objects.filter(course__slug__startswith=SCALE_COURSE_SLUG_PREFIX)
    existing = Attempt.objects.filter(quiz__in=quizzes_qs)
    if existing.exists():
        report.count("scale quiz attempts", existing=existing.count())
        report.count("scale answers", existing=Answer.objects.filter(attempt__in=existing).count())
        report.note("scale quiz attempts already present: left as they are")
        return
    quizzes = {
        course_id: (quiz_id, lesson_id, passing, total)
        for course_id, quiz_id, lesson_id, passing, total in quizzes_qs.values_list(
            "course_id", "id", "lesson_id", "passing_score", "total_points"
        )
    }
    if not quizzes:
        report.note("scale quiz attempts skipped: no scale quizzes")
        return
    question_ids: dict[uuid.UUID, list[uuid.UUID]] = {}
    for quiz_id, question_id in (
        Question.objects.filter(quiz__in=quizzes_qs)
        .order_by("quiz_id", "order_index")
        .values_list("quiz_id", "id")
    ):
        question_ids.setdefault(quiz_id, []).append(question_id)
    # An attempt's question order: its quiz's ids as strings, shuffled (formatted once per quiz).
    question_order = {quiz_id: [str(i) for i in ids] for quiz_id, ids in question_ids.items()}
    candidates = (
        Enrollment.objects.filter(course_id__in=quizzes, progress_percentage__gt=SCALE_ATTEMPT_MIN_PROGRESS)
        .order_by("id")
        .values_list("id", "course_id", "last_accessed_at")
    )
    lesson_done = set(
        LessonProgress.objects.filter(
            enrollment__course_id__in=quizzes,
            lesson_id__in=[lesson_id for _, lesson_id, _, _ in quizzes.values()],
            status=ProgressStatus.COMPLETED,
        ).values_list("enrollment_id", flat=True)
    )
    graded = _graded_variants()
    rng = _rng(4)
    now = timezone.now()
    attempts = bulk.Table(Attempt, _ATTEMPT_COLUMNS, now=now)
    answers = bulk.Table(Answer, _ANSWER_COLUMNS, now=now)
    graded_status = AttemptStatus.GRADED.value
    with bulk.loading(Attempt, Answer):
        for enrollment_id, course_id, last_accessed_at in candidates:
            if rng.random() >= SCALE_ATTEMPT_SHARE:
                continue
            quiz_id, _, passing, total = quizzes[course_id]
            ids = question_ids[quiz_id]
            may_pass = enrollment_id in lesson_done
            skill = rng.uniform(0.5, 1.0) if may_pass else rng.uniform(0.2, 0.7)
            for _ in range(20):
                paper, score = _draw_paper(rng, graded, skill)
                if may_pass or grading.percentage(score, total) < passing:
                    break
            else:  # an unlucky streak for a student who may not pass: every answer wrong
                paper = [wrong[-1] for _, wrong in graded]
                score = sum((grade.points or Decimal(0) for _, grade in paper), Decimal("0.00"))
            score = grading.quantize(score)
            percent = grading.percentage(score, total)
            taken = rng.randint(4 * 60, SCALE_QUIZ_TIME_LIMIT_MINUTES * 60 - 60)
            submitted_at = last_accessed_at - timedelta(minutes=rng.randrange(0, 60))
            started_at = submitted_at - timedelta(seconds=taken)
            order = question_order[quiz_id].copy()
            rng.shuffle(order)
            attempt_id = _uuid(rng)
            attempts.rows.append(
                (
                    attempt_id,
                    enrollment_id,
                    quiz_id,
                    1,
                    graded_status,
                    started_at,
                    started_at + timedelta(minutes=SCALE_QUIZ_TIME_LIMIT_MINUTES),
                    submitted_at,
                    submitted_at,
                    score,
                    total,
                    percent,
                    percent >= passing,
                    taken,
                    order,
                    {},
                )
            )
            for question_id, ((single, many, text), grade) in zip(ids, paper, strict=True):
                many_ids = list(many) if many is not None else None
                answers.rows.append(
                    (
                        _uuid(rng),
                        attempt_id,
                        question_id,
                        single,
                        many_ids,
                        text,
                        grade.is_correct,
                        grade.points,
                        submitted_at,
                    )
                )
            if len(answers.rows) >= SCALE_BATCH_SIZE:
                attempts.flush()
                answers.flush()
        attempts.flush()
        answers.flush()
    report.count("scale quiz attempts", created=attempts.written)
    report.count("scale answers", created=answers.written)
