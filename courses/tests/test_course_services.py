"""Rules of the course and lesson services, below the API."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from courses import services
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, LessonProgress
from enrollments.tests.factories import EnrollmentFactory, LessonProgressFactory
from lms_project.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def _fresh(course: Course) -> Course:
    return Course.objects.get(pk=course.pk)


# --- course_create --------------------------------------------------------------------------------


def test_course_create_makes_an_unpublished_course_owned_by_the_caller(instructor):
    course = services.course_create(instructor=instructor, title="Data Science 101", category="data")

    course = _fresh(course)
    assert (course.instructor_id, course.title, course.slug, course.category) == (
        instructor.id,
        "Data Science 101",
        "data-science-101",
        "data",
    )
    assert (course.is_published, course.published_at, course.metadata) == (False, None, {})
    assert (course.lessons_count, course.enrollments_count, course.rating_count) == (0, 0, 0)


def test_course_create_ignores_fields_that_are_not_course_input(instructor):
    course = services.course_create(
        instructor=instructor, title="Sneaky", is_published=True, lessons_count=7, rating_sum=50
    )

    course = _fresh(course)
    assert (course.is_published, course.lessons_count, course.rating_sum) == (False, 0, 0)


def test_a_null_metadata_is_stored_as_an_empty_object(instructor):
    assert (
        _fresh(services.course_create(instructor=instructor, title="No meta", metadata=None)).metadata == {}
    )


def test_the_derived_slug_takes_the_first_free_number(instructor):
    CourseFactory(slug="python")
    CourseFactory(slug="python-3")
    CourseFactory(slug="python-basics")

    second = services.course_create(instructor=instructor, title="Python")
    fourth = services.course_create(instructor=instructor, title="Python")

    assert (second.slug, fourth.slug) == ("python-2", "python-4")


def test_a_slug_that_only_shares_a_prefix_does_not_count_as_taken(instructor):
    CourseFactory(slug="python-basics")

    assert services.course_create(instructor=instructor, title="Python").slug == "python"


@pytest.mark.parametrize("title", ["日本語コース", "!!! ???", "---"])
def test_a_title_without_ascii_letters_gets_a_generic_slug(instructor, title):
    first = services.course_create(instructor=instructor, title=title)
    second = services.course_create(instructor=instructor, title=title)

    assert (first.slug, second.slug) == ("course", "course-2")


def test_an_explicit_slug_that_is_taken_raises_slug_taken(instructor):
    CourseFactory(slug="taken")

    with pytest.raises(ApplicationError) as excinfo:
        services.course_create(instructor=instructor, title="Mine", slug="taken")

    assert (excinfo.value.status, excinfo.value.code) == (409, "slug_taken")
    assert Course.objects.count() == 1
    assert services.course_create(instructor=instructor, title="Mine", slug="free").slug == "free"


# --- course_update --------------------------------------------------------------------------------


def test_course_update_changes_only_the_given_fields(instructor):
    course = CourseFactory(instructor=instructor, category="web", description="Kept", slug="stays")

    services.course_update(course=course, data={"category": None, "slug": "moved", "title": "New title"})

    course = _fresh(course)
    assert (course.category, course.description, course.slug, course.title) == (
        None,
        "Kept",
        "stays",
        "New title",
    )


def test_course_update_with_nothing_to_change_does_not_touch_updated_at(instructor):
    course = CourseFactory(instructor=instructor)
    before = _fresh(course).updated_at

    services.course_update(course=course, data={"slug": "ignored"})

    assert _fresh(course).updated_at == before


# --- publish / unpublish / delete -----------------------------------------------------------------


def test_publish_needs_a_lesson(instructor):
    course = CourseFactory(instructor=instructor)

    with pytest.raises(ApplicationError) as excinfo:
        services.course_publish(course=course)

    assert (excinfo.value.status, excinfo.value.code) == (400, "course_has_no_lessons")
    assert _fresh(course).is_published is False

    LessonFactory(course=course)
    assert services.course_publish(course=course).is_published is True


def test_republishing_after_an_unpublish_sets_a_new_published_at(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory(course=course)
    old = timezone.now() - timedelta(days=30)
    Course.objects.filter(pk=course.pk).update(published_at=old)

    assert services.course_publish(course=course).published_at == old  # already published: kept
    services.course_unpublish(course=course)
    republished = services.course_publish(course=course)

    assert republished.published_at > old
    assert _fresh(course).published_at == republished.published_at


def test_course_delete_refuses_a_course_with_enrollments(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory(course=course)
    EnrollmentFactory(course=course)

    with pytest.raises(ApplicationError) as excinfo:
        services.course_delete(course=course)

    assert (excinfo.value.status, excinfo.value.code) == (409, "course_has_enrollments")
    assert Course.objects.filter(pk=course.pk).exists()
    assert Lesson.objects.filter(course=course).count() == 1


def test_course_delete_removes_the_course_and_its_lessons(instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory.create_batch(2, course=course)

    services.course_delete(course=course)

    assert not Course.objects.exists()
    assert not Lesson.objects.exists()


# --- lesson_create --------------------------------------------------------------------------------


def test_lesson_create_appends_after_the_highest_order_index_and_counts_the_lesson(instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course, order_index=4)

    lesson = services.lesson_create(course=course, data={"title": "Next one", "lesson_type": "text"})

    assert (lesson.order_index, lesson.slug, lesson.metadata) == (5, "next-one", {})
    assert _fresh(course).lessons_count == 2


def test_lesson_create_gives_a_generic_slug_to_a_title_without_ascii_letters(instructor):
    course = CourseFactory(instructor=instructor)

    lesson = services.lesson_create(course=course, data={"title": "レッスン", "lesson_type": "text"})

    assert lesson.slug == "lesson"


def test_lesson_create_refuses_a_taken_order_index(instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course, order_index=1)

    with pytest.raises(ApplicationError) as excinfo:
        services.lesson_create(
            course=course, data={"title": "Clash", "lesson_type": "text", "order_index": 1}
        )

    assert (excinfo.value.status, excinfo.value.code) == (409, "order_conflict")
    assert _fresh(course).lessons_count == 1


def test_lesson_create_refuses_a_parent_of_another_course(instructor):
    course = CourseFactory(instructor=instructor)
    foreign = LessonFactory()

    with pytest.raises(ApplicationError) as excinfo:
        services.lesson_create(
            course=course, data={"title": "Child", "lesson_type": "text", "parent_lesson_id": foreign.id}
        )

    assert (excinfo.value.status, excinfo.value.code) == (400, "invalid")
    assert list(excinfo.value.errors) == ["parent_lesson_id"]
    assert not Lesson.objects.filter(course=course).exists()


def test_lesson_create_asks_for_a_recomputation_only_after_commit(
    instructor, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructor=instructor, is_published=True)
    enrollment = EnrollmentFactory(course=course)

    with django_capture_on_commit_callbacks() as callbacks:
        services.lesson_create(course=course, data={"title": "First", "lesson_type": "text"})

    assert len(callbacks) == 1
    assert Enrollment.objects.get(pk=enrollment.pk).total_lessons_count == 0
    callbacks[0]()
    assert Enrollment.objects.get(pk=enrollment.pk).total_lessons_count == 1


def test_a_completed_enrollment_stays_completed_when_a_lesson_is_added(
    instructor, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructor=instructor, is_published=True)
    lesson = LessonFactory(course=course)
    done_at = timezone.now() - timedelta(days=1)
    enrollment = EnrollmentFactory(course=course, status="completed", completed_at=done_at)
    LessonProgressFactory(enrollment=enrollment, lesson=lesson, status="completed", completed_at=done_at)

    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_create(course=course, data={"title": "Bonus", "lesson_type": "text"})

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.completed_at) == ("completed", done_at)
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (1, 2)
    assert enrollment.progress_percentage == Decimal("50.00")


# --- lesson_update --------------------------------------------------------------------------------


def test_lesson_update_refuses_an_order_index_held_by_another_lesson(instructor):
    course = CourseFactory(instructor=instructor)
    _first, second = LessonFactory.create_batch(2, course=course)

    with pytest.raises(ApplicationError) as excinfo:
        services.lesson_update(lesson=second, data={"order_index": 1})

    assert excinfo.value.code == "order_conflict"
    assert Lesson.objects.get(pk=second.pk).order_index == 2
    assert services.lesson_update(lesson=second, data={"order_index": 5}).order_index == 5


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_lesson_update_refuses_a_parent_inside_the_lessons_own_subtree(instructor, depth):
    course = CourseFactory(instructor=instructor)
    root = LessonFactory(course=course)
    node = root
    for _ in range(depth):
        node = LessonFactory(course=course, parent_lesson=node)

    with pytest.raises(ApplicationError) as excinfo:
        services.lesson_update(lesson=root, data={"parent_lesson_id": node.id})

    assert list(excinfo.value.errors) == ["parent_lesson_id"]
    assert Lesson.objects.get(pk=root.pk).parent_lesson_id is None


def test_lesson_update_accepts_a_sibling_branch_as_parent(instructor):
    course = CourseFactory(instructor=instructor)
    root = LessonFactory(course=course)
    left = LessonFactory(course=course, parent_lesson=root)
    right = LessonFactory(course=course, parent_lesson=root)

    services.lesson_update(lesson=right, data={"parent_lesson_id": left.id})

    assert Lesson.objects.get(pk=right.pk).parent_lesson_id == left.id


def test_lesson_update_with_null_metadata_stores_an_empty_object(instructor):
    lesson = LessonFactory(course=CourseFactory(instructor=instructor), metadata={"a": 1})

    services.lesson_update(lesson=lesson, data={"metadata": None})

    assert Lesson.objects.get(pk=lesson.pk).metadata == {}


# --- lesson_delete --------------------------------------------------------------------------------


def test_lesson_delete_removes_its_progress_and_counts_one_lesson_less(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    kept, removed = LessonFactory.create_batch(2, course=course)
    enrollment = EnrollmentFactory(course=course)
    LessonProgressFactory(enrollment=enrollment, lesson=kept)
    LessonProgressFactory(enrollment=enrollment, lesson=removed)

    services.lesson_delete(lesson=removed)

    assert list(Lesson.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(LessonProgress.objects.values_list("lesson_id", flat=True)) == [kept.pk]
    assert _fresh(course).lessons_count == 1


def test_removing_the_last_unfinished_lesson_completes_the_enrollment(
    instructor, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructor=instructor, is_published=True)
    done, pending = LessonFactory.create_batch(2, course=course)
    enrollment = EnrollmentFactory(course=course)
    LessonProgressFactory(enrollment=enrollment, lesson=done, status="completed", completed_at=timezone.now())
    Enrollment.objects.filter(pk=enrollment.pk).update(
        completed_lessons_count=1, progress_percentage=Decimal("50.00")
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_delete(lesson=pending)

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.progress_percentage) == ("completed", Decimal("100.00"))
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (1, 1)
    assert enrollment.completed_at is not None


# --- lesson_reorder -------------------------------------------------------------------------------


def test_lesson_reorder_numbers_the_lessons_1_to_n_in_the_given_order(instructor):
    course = CourseFactory(instructor=instructor)
    lessons = [LessonFactory(course=course, order_index=index) for index in (2, 5, 9)]
    wanted = [lessons[2].id, str(lessons[0].id), lessons[1].id]  # UUIDs and strings alike

    result = services.lesson_reorder(course=course, lesson_ids=wanted)

    assert [(lesson.id, lesson.order_index) for lesson in result] == [
        (lessons[2].id, 1),
        (lessons[0].id, 2),
        (lessons[1].id, 3),
    ]
    stored = Lesson.objects.filter(course=course).order_by("order_index").values_list("pk", "order_index")
    assert list(stored) == [(lessons[2].id, 1), (lessons[0].id, 2), (lessons[1].id, 3)]


@pytest.mark.parametrize("mistake", ["missing", "duplicate", "unknown"])
def test_lesson_reorder_refuses_anything_but_each_lesson_once(instructor, mistake):
    course = CourseFactory(instructor=instructor)
    first, second = (lesson.id for lesson in LessonFactory.create_batch(2, course=course))
    lesson_ids = {"missing": [second], "duplicate": [second, first, first], "unknown": [second, uuid.uuid4()]}

    with pytest.raises(ApplicationError) as excinfo:
        services.lesson_reorder(course=course, lesson_ids=lesson_ids[mistake])

    assert (excinfo.value.status, list(excinfo.value.errors)) == (400, ["lesson_ids"])
    assert list(Lesson.objects.order_by("order_index").values_list("pk", flat=True)) == [first, second]


def test_lesson_reorder_leaves_other_courses_alone(instructor):
    course = CourseFactory(instructor=instructor)
    mine = LessonFactory.create_batch(2, course=course)
    other = LessonFactory(order_index=7)

    services.lesson_reorder(course=course, lesson_ids=[mine[1].id, mine[0].id])

    assert Lesson.objects.get(pk=other.pk).order_index == 7
