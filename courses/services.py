"""Rules about courses and lessons. Views and the admin call these; nothing else writes them.

Locks: services that change a course's lessons hold the course row (`SELECT ... FOR UPDATE`) for
the whole transaction, so lesson numbering and the lesson counter cannot race. Lock order across
the project is course, then enrollment, then attempt.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, ProtectedError
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from enrollments.services import course_lessons_changed
from lms_project.exceptions import ApplicationError, Conflict

from .models import Course, Lesson

COURSE_FIELDS = (
    "title",
    "description",
    "category",
    "difficulty_level",
    "thumbnail_url",
    "estimated_duration_minutes",
    "metadata",
)
LESSON_FIELDS = (
    "title",
    "slug",
    "description",
    "content",
    "lesson_type",
    "order_index",
    "duration_minutes",
    "video_url",
    "is_preview",
    "metadata",
)
_SLUG_ATTEMPTS = 5


def _slug_base(title: str) -> str:
    return slugify(title)[:240].strip("-") or "course"


def _free_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not taken yet."""
    taken = set(Course.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def course_create(*, instructor: User, title: str, slug: str | None = None, **fields: Any) -> Course:
    """Create an unpublished course owned by `instructor` (the caller: an instructor or an admin).

    An explicit slug that is taken is a 409 `slug_taken`; a slug derived from the title gets `-2`,
    `-3`... instead. The unique index settles races: a derived slug is retried a few times.
    """
    data = {key: value for key, value in fields.items() if key in COURSE_FIELDS}
    if data.get("metadata") is None:
        data["metadata"] = {}
    for _ in range(_SLUG_ATTEMPTS):
        candidate = slug or _free_slug(_slug_base(title))
        if slug and Course.objects.filter(slug=slug).exists():
            raise Conflict(f"The slug {slug!r} is already used by another course.", code="slug_taken")
        try:
            with transaction.atomic():
                return Course.objects.create(instructor=instructor, title=title, slug=candidate, **data)
        except IntegrityError:
            if slug:
                raise Conflict(
                    f"The slug {slug!r} is already used by another course.", code="slug_taken"
                ) from None
    raise Conflict("Could not find a free slug for this title; pass one explicitly.", code="slug_taken")


def course_update(*, course: Course, data: dict[str, Any]) -> Course:
    """PATCH: only the fields present change; `None` clears a nullable field."""
    fields = [key for key in data if key in COURSE_FIELDS]
    for key in fields:
        value = data[key]
        setattr(course, key, {} if key == "metadata" and value is None else value)
    if fields:
        course.save(update_fields=[*fields, "updated_at"])
    return course


@transaction.atomic
def course_publish(*, course: Course) -> Course:
    """Publish a course that has at least one lesson (400 `course_has_no_lessons` otherwise)."""
    course = Course.objects.select_for_update().select_related("instructor").get(pk=course.pk)
    if not Lesson.objects.filter(course=course).exists():
        raise ApplicationError(
            "A course needs at least one lesson before it can be published.", code="course_has_no_lessons"
        )
    if not course.is_published:
        course.is_published = True
        course.published_at = timezone.now()
        course.save(update_fields=["is_published", "published_at", "updated_at"])
    return course


@transaction.atomic
def course_unpublish(*, course: Course) -> Course:
    """Hide a course from the catalogue. Existing enrollments keep working."""
    course = Course.objects.select_for_update().select_related("instructor").get(pk=course.pk)
    if course.is_published:
        course.is_published = False
        course.save(update_fields=["is_published", "updated_at"])
    return course


@transaction.atomic
def course_delete(*, course: Course) -> None:
    """Delete a course without enrollments (409 `course_has_enrollments`: unpublish it instead).

    Holds the course lock, so an enrollment cannot slip in between the check and the delete.
    """
    from enrollments.models import Enrollment

    course = Course.objects.select_for_update().get(pk=course.pk)
    if Enrollment.objects.filter(course=course).exists():
        raise Conflict(
            "This course has enrollments; unpublish it instead of deleting it.", code="course_has_enrollments"
        )
    course.delete()


def _check_parent(course: Course, parent_id: Any, lesson: Lesson | None = None) -> Lesson | None:
    """The parent lesson for `lesson`: another lesson of the same course that is not one of the
    lesson's own descendants (a cycle would hang every client that walks the tree)."""
    if parent_id is None:
        return None
    parent = Lesson.objects.filter(pk=parent_id, course=course).first()
    if parent is None or (lesson is not None and _is_in_subtree(parent, root=lesson)):
        raise ApplicationError(
            "The parent lesson must be another lesson of the same course, outside this lesson's subtree.",
            code="invalid",
            errors={"parent_lesson_id": ["Must be another lesson of the same course, not a sub-lesson."]},
        )
    return parent


def _is_in_subtree(candidate: Lesson, *, root: Lesson) -> bool:
    """`candidate` is `root` or below it: walk up the parent links (one query for the course)."""
    parents = dict(Lesson.objects.filter(course_id=root.course_id).values_list("pk", "parent_lesson_id"))
    node, seen = candidate.pk, set()
    while node is not None and node not in seen:
        if node == root.pk:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def _order_conflict(order_index: int) -> Conflict:
    return Conflict(
        f"Another lesson of this course already has order_index {order_index}.", code="order_conflict"
    )


@transaction.atomic
def lesson_create(*, course: Course, data: dict[str, Any]) -> Lesson:
    """Add a lesson; without `order_index` it goes last. Holds the course lock.

    Recomputes the progress of every enrollment of the course after commit (one more lesson).
    """
    course = Course.objects.select_for_update().get(pk=course.pk)
    fields = {key: value for key, value in data.items() if key in LESSON_FIELDS and value is not None}
    parent = _check_parent(course, data.get("parent_lesson_id"))
    order_index = fields.pop("order_index", None)
    if order_index is None:
        order_index = (Lesson.objects.filter(course=course).aggregate(m=Max("order_index"))["m"] or 0) + 1
    elif Lesson.objects.filter(course=course, order_index=order_index).exists():
        raise _order_conflict(order_index)
    fields.setdefault("slug", slugify(fields["title"])[:255] or "lesson")
    fields.setdefault("metadata", {})
    lesson = Lesson.objects.create(course=course, order_index=order_index, parent_lesson=parent, **fields)
    Course.objects.filter(pk=course.pk).update(
        lessons_count=F("lessons_count") + 1, updated_at=timezone.now()
    )
    course_lessons_changed(course_id=course.pk)
    return lesson


@transaction.atomic
def lesson_update(*, lesson: Lesson, data: dict[str, Any]) -> Lesson:
    """PATCH a lesson; a new `order_index` must be free in the course (409 `order_conflict`)."""
    Course.objects.select_for_update().filter(pk=lesson.course_id).first()
    lesson = Lesson.objects.select_for_update().select_related("course").get(pk=lesson.pk)
    fields = [key for key in data if key in LESSON_FIELDS]
    new_index = data.get("order_index")
    if (
        new_index is not None
        and new_index != lesson.order_index
        and Lesson.objects.filter(course_id=lesson.course_id, order_index=new_index).exists()
    ):
        raise _order_conflict(new_index)
    if "parent_lesson_id" in data:
        lesson.parent_lesson = _check_parent(lesson.course, data["parent_lesson_id"], lesson)
        fields.append("parent_lesson")
    for key in fields:
        if key == "parent_lesson":
            continue
        value = data[key]
        setattr(lesson, key, {} if key == "metadata" and value is None else value)
    if fields:
        lesson.save(update_fields=[*fields, "updated_at"])
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> None:
    """Remove a lesson (its progress rows go with it) and recompute the course's enrollments."""
    course = Course.objects.select_for_update().get(pk=lesson.course_id)
    # The lesson row too, before its progress rows are collected: a first progress write holds it
    # FOR KEY SHARE (enrollments.services), so it either commits first (and its row goes below) or
    # finds the lesson gone. Otherwise its row could point at the deleted lesson: an error at commit.
    list(Lesson.objects.select_for_update().filter(pk=lesson.pk).order_by().values_list("pk"))
    try:
        with transaction.atomic():
            deleted, _ = Lesson.objects.filter(pk=lesson.pk).delete()
    except ProtectedError:  # its quiz has attempts: grading history must stay
        raise Conflict(
            "This lesson's quiz has attempts; the lesson cannot be deleted.", code="lesson_has_attempts"
        ) from None
    if deleted:
        Course.objects.filter(pk=course.pk).update(
            lessons_count=F("lessons_count") - 1, updated_at=timezone.now()
        )
        course_lessons_changed(course_id=course.pk)


@transaction.atomic
def lesson_reorder(*, course: Course, lesson_ids: list[Any]) -> list[Lesson]:
    """Give the course's lessons the order of `lesson_ids` (all of them, each once), as 1..n.

    Two UPDATEs under the course lock: first every lesson moves out of the way (past any current
    index), then each takes its final place; so the unique (course, order_index) index never sees two
    lessons on one number, on databases that check it row by row (PostgreSQL) as well.
    """
    course = Course.objects.select_for_update().get(pk=course.pk)
    current = set(Lesson.objects.filter(course=course).values_list("pk", flat=True))
    wanted = [str(lesson_id) for lesson_id in lesson_ids]
    if len(set(wanted)) != len(wanted) or set(wanted) != {str(pk) for pk in current}:
        raise ApplicationError(
            "lesson_ids must list every lesson of the course exactly once.",
            code="invalid",
            errors={"lesson_ids": ["Must list every lesson of the course exactly once."]},
        )
    if not wanted:
        return []
    offset = (Lesson.objects.filter(course=course).aggregate(m=Max("order_index"))["m"] or 0) + len(wanted)
    Lesson.objects.filter(course=course).update(order_index=F("order_index") + offset)
    by_id = {str(lesson.pk): lesson for lesson in Lesson.objects.filter(course=course).defer("content")}
    now = timezone.now()
    for position, lesson_id in enumerate(wanted, start=1):
        lesson = by_id[lesson_id]
        lesson.order_index = position
        lesson.updated_at = now
    Lesson.objects.bulk_update(by_id.values(), ["order_index", "updated_at"])
    Course.objects.filter(pk=course.pk).update(updated_at=now)
    return sorted(by_id.values(), key=lambda lesson: lesson.order_index)
