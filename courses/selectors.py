"""Reads of courses and lessons, scoped to the caller.

Visibility (contract section 4): anyone sees published courses; a draft is visible only to its
managers (the owning instructor and admins) and is a 404 for everybody else, exactly as if it did not
exist. "Managed" lookups answer 404 when the caller cannot even see the course and 403 when they can
see it but not manage it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Value, When

from accounts.models import Role
from lms_project.exceptions import Forbidden, NotFound

from .models import Course, Lesson

ORDERINGS: dict[str, tuple[Any, ...]] = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "-enrollments_count": ("-enrollments_count", "-created_at", "-id"),
}
ORDERING_CHOICES = [*ORDERINGS, "-average_rating"]

_AVERAGE_RATING = Case(
    When(rating_count=0, then=Value(None)),
    default=ExpressionWrapper(
        F("rating_sum") * Value(1.0) / F("rating_count"),
        output_field=DecimalField(max_digits=5, decimal_places=2),
    ),
)


def is_manager(user: Any, course: Course) -> bool:
    """Admins manage every course; an instructor manages the courses they own."""
    if not (user and user.is_authenticated):
        return False
    return user.role == Role.ADMIN or course.instructor_id == user.pk


def _base() -> QuerySet[Course]:
    return Course.objects.select_related("instructor").defer(
        "instructor__password", "instructor__email", "instructor__last_login_at"
    )


def _visible_filter(user: Any) -> Q:
    if user and user.is_authenticated:
        if user.role == Role.ADMIN:
            return Q()
        return Q(is_published=True) | Q(instructor_id=user.pk)
    return Q(is_published=True)


def course_list(
    *,
    user: Any,
    mine: bool = False,
    category: str | None = None,
    difficulty_level: str | None = None,
    instructor_id: Any = None,
    search: str | None = None,
    ordering: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Course]:
    """The catalogue: published courses for everyone; every course for admins; with `mine`, the
    courses the caller teaches, in every state (empty for students and anonymous callers)."""
    qs = _base()
    if mine:
        qs = qs.filter(instructor_id=user.pk) if user and user.is_authenticated else qs.none()
    elif not (user and user.is_authenticated and user.role == Role.ADMIN):
        qs = qs.filter(is_published=True)
    if category:
        qs = qs.filter(category=category)
    if difficulty_level:
        qs = qs.filter(difficulty_level=difficulty_level)
    if instructor_id:
        qs = qs.filter(instructor_id=instructor_id)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    if ordering == "-average_rating":
        return qs.annotate(avg_rating=_AVERAGE_RATING).order_by(
            F("avg_rating").desc(nulls_last=True), "-created_at", "-id"
        )
    return qs.order_by(*ORDERINGS.get(ordering or "-created_at", ORDERINGS["-created_at"]))


# The columns the course list reads with `values()`: the hot read path builds its JSON from these
# rows (`serializers.course_row_to_dict`) without instantiating two models per row (issue 7).
COURSE_ROW_FIELDS = (
    "id",
    "title",
    "slug",
    "description",
    "instructor_id",
    "instructor__full_name",
    "category",
    "difficulty_level",
    "is_published",
    "published_at",
    "thumbnail_url",
    "estimated_duration_minutes",
    "metadata",
    "lessons_count",
    "enrollments_count",
    "rating_sum",
    "rating_count",
    "created_at",
    "updated_at",
)


def course_get(*, course_id: Any, user: Any) -> Course:
    """A course the caller may see: published, managed by them, or one they are enrolled in (an
    unpublished course keeps working for its students). 404 otherwise."""
    course = _base().filter(pk=course_id).first()
    if course is None or not (course.is_published or is_manager(user, course) or _is_enrolled(user, course)):
        raise NotFound("Course not found.")
    return course


def course_get_managed(*, course_id: Any, user: Any, for_update: bool = False) -> Course:
    """A course the caller manages: 404 when they cannot see it, 403 when they only can see it."""
    course = course_get(course_id=course_id, user=user)
    if not is_manager(user, course):
        raise Forbidden("Only the course's instructor or an admin may do this.")
    if for_update:
        return Course.objects.select_for_update().get(pk=course.pk)
    return course


LESSON_ROW_FIELDS = (
    "id",
    "course_id",
    "title",
    "slug",
    "description",
    "lesson_type",
    "order_index",
    "parent_lesson_id",
    "duration_minutes",
    "video_url",
    "is_preview",
    "metadata",
    "created_at",
    "updated_at",
)


def lesson_list(*, course: Course) -> QuerySet[Lesson]:
    """Lessons of a course in order as rows of LESSON_ROW_FIELDS: without their (possibly large)
    content, and without a model instance per lesson (the list is a hot read path)."""
    return Lesson.objects.filter(course=course).order_by("order_index").values(*LESSON_ROW_FIELDS)


def _is_enrolled(user: Any, course: Course) -> bool:
    # Imported here: enrollments.selectors imports this module.
    from enrollments.selectors import is_enrolled

    return is_enrolled(user=user, course=course)


def lesson_get(*, lesson_id: Any, user: Any) -> Lesson:
    """A lesson whose course the caller may see (404 otherwise): a published course, one they
    manage, or one they are enrolled in (an unpublished course keeps working for its students).
    Content gating is `lesson_get_readable`'s job."""
    lesson = Lesson.objects.select_related("course").filter(pk=lesson_id).first()
    if lesson is None or not (
        lesson.course.is_published or is_manager(user, lesson.course) or _is_enrolled(user, lesson.course)
    ):
        raise NotFound("Lesson not found.")
    return lesson


def lesson_get_readable(*, lesson_id: Any, user: Any) -> Lesson:
    """A lesson with its content, for its course's managers, students enrolled in the course (active
    or completed), and anyone when it is a preview lesson of a published course. Others: 403
    `enrollment_required` when the course is published, 404 when it is not."""
    lesson = Lesson.objects.select_related("course").filter(pk=lesson_id).first()
    if lesson is None:
        raise NotFound("Lesson not found.")
    course = lesson.course
    if is_manager(user, course) or (course.is_published and lesson.is_preview) or _is_enrolled(user, course):
        return lesson
    if course.is_published:
        raise Forbidden("Enroll in the course to read this lesson.", code="enrollment_required")
    raise NotFound("Lesson not found.")


def lesson_get_managed(*, lesson_id: Any, user: Any) -> Lesson:
    lesson = lesson_get(lesson_id=lesson_id, user=user)
    if not is_manager(user, lesson.course):
        raise Forbidden("Only the course's instructor or an admin may do this.")
    return lesson
