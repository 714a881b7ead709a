"""Courses and lessons in the Django admin: instructors are scoped to their own courses, and every
change (create, edit, inline lessons, publish, delete) goes through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD
from courses.models import Course, Lesson, LessonType
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment
from enrollments.tests.factories import EnrollmentFactory, LessonProgressFactory

pytestmark = pytest.mark.django_db

COURSES = "/admin/courses/course/"
LESSONS = "/admin/courses/lesson/"


def _logged_in(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def _change_url(course: Course) -> str:
    return f"{COURSES}{course.pk}/change/"


def _lesson_rows(course: Course | None, rows: list[dict[str, Any]], *, initial: int = 0) -> dict[str, Any]:
    """The course page's lesson table (inline formset) as a browser posts it."""
    data: dict[str, Any] = {
        "lessons-TOTAL_FORMS": str(len(rows)),
        "lessons-INITIAL_FORMS": str(initial),
        "lessons-MIN_NUM_FORMS": "0",
        "lessons-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data[f"lessons-{i}-course"] = str(course.pk) if course else ""
        data[f"lessons-{i}-id"] = str(row["lesson"].pk) if "lesson" in row else ""
        data[f"lessons-{i}-title"] = row.get("title", "")
        data[f"lessons-{i}-lesson_type"] = row.get("lesson_type", LessonType.TEXT)
        data[f"lessons-{i}-order_index"] = str(row.get("order_index", ""))
        data[f"lessons-{i}-duration_minutes"] = str(row.get("duration_minutes", ""))
        if row.get("is_preview"):
            data[f"lessons-{i}-is_preview"] = "on"
        if row.get("delete"):
            data[f"lessons-{i}-DELETE"] = "on"
    return data


def _course_form(course: Course | None = None, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": course.title if course else "",
        "description": (course.description or "") if course else "",
        "category": (course.category or "") if course else "",
        "difficulty_level": (course.difficulty_level or "") if course else "",
        "thumbnail_url": "",
        "estimated_duration_minutes": "",
        "metadata": "{}",
    }
    data.update(overrides)
    return data


def _existing_rows(course: Course) -> list[dict[str, Any]]:
    return [
        {
            "lesson": lesson,
            "title": lesson.title,
            "lesson_type": lesson.lesson_type,
            "order_index": lesson.order_index,
            "duration_minutes": lesson.duration_minutes or "",
            "is_preview": lesson.is_preview,
        }
        for lesson in course.lessons.order_by("order_index")
    ]


# --- scope ---------------------------------------------------------------------------------------------


def test_an_instructor_sees_only_their_own_courses(instructor, other_instructor):
    CourseFactory(instructor=instructor, title="Mine published", is_published=True)
    CourseFactory(instructor=instructor, title="Mine draft")
    CourseFactory(instructor=other_instructor, title="Theirs published", is_published=True)
    CourseFactory(instructor=other_instructor, title="Theirs draft")

    response = _logged_in(instructor).get(COURSES)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mine published" in page and "Mine draft" in page
    assert "Theirs published" not in page and "Theirs draft" not in page


def test_an_admin_sees_every_course(admin, instructor, other_instructor):
    CourseFactory(instructor=instructor, title="Ivan course")
    CourseFactory(instructor=other_instructor, title="Olga course", is_published=True)

    page = _logged_in(admin).get(COURSES).content.decode()

    assert "Ivan course" in page and "Olga course" in page


def test_the_category_filter_lists_only_the_instructors_own_categories(instructor, other_instructor):
    CourseFactory(instructor=instructor, category="mine-category")
    CourseFactory(instructor=other_instructor, category="secret-category")

    page = _logged_in(instructor).get(COURSES).content.decode()

    assert "mine-category" in page and "secret-category" not in page


def test_an_instructor_cannot_open_or_change_another_instructors_course(instructor, other_instructor):
    theirs = CourseFactory(instructor=other_instructor, title="Theirs", description="Original")
    client = _logged_in(instructor)

    page = client.get(_change_url(theirs))
    assert page.status_code == 302 and page["Location"] == "/admin/"

    posted = client.post(
        _change_url(theirs),
        {**_course_form(theirs, title="Hijacked", description="Changed"), **_lesson_rows(theirs, [])},
    )
    assert posted.status_code == 302 and posted["Location"] == "/admin/"
    theirs.refresh_from_db()
    assert (theirs.title, theirs.description) == ("Theirs", "Original")

    for url in (f"{COURSES}{theirs.pk}/delete/", f"{COURSES}{theirs.pk}/history/"):
        assert client.get(url)["Location"] == "/admin/"
    client.post(f"{COURSES}{theirs.pk}/delete/", {"post": "yes"})
    assert Course.objects.filter(pk=theirs.pk).exists()


def test_an_instructor_cannot_act_on_another_instructors_course(instructor, other_instructor):
    theirs = CourseFactory(instructor=other_instructor)
    LessonFactory(course=theirs)

    _logged_in(instructor).post(COURSES, {"action": "publish_courses", "_selected_action": [str(theirs.pk)]})

    theirs.refresh_from_db()
    assert not theirs.is_published


def test_an_instructor_sees_and_opens_only_the_lessons_of_their_courses(instructor, other_instructor):
    mine = LessonFactory(course=CourseFactory(instructor=instructor), title="My lesson")
    theirs = LessonFactory(course=CourseFactory(instructor=other_instructor), title="Their lesson")
    client = _logged_in(instructor)

    page = client.get(LESSONS).content.decode()
    assert "My lesson" in page and "Their lesson" not in page
    assert client.get(f"{LESSONS}{mine.pk}/change/").status_code == 200
    assert client.get(f"{LESSONS}{theirs.pk}/change/")["Location"] == "/admin/"


def test_an_instructor_cannot_add_a_lesson_to_another_instructors_course(instructor, other_instructor):
    theirs = CourseFactory(instructor=other_instructor)

    response = _logged_in(instructor).post(
        f"{LESSONS}add/",
        {"course": str(theirs.pk), "title": "Sneaky", "lesson_type": "text", "metadata": "{}"},
    )

    assert response.status_code == 200  # the form again: the course is not a choice
    assert "Select a valid choice" in response.content.decode()
    assert not Lesson.objects.filter(course=theirs).exists()


# --- creating and editing ------------------------------------------------------------------------------


def test_an_instructor_creates_a_course_owned_by_them_even_when_tampering(instructor, other_instructor):
    response = _logged_in(instructor).post(
        f"{COURSES}add/",
        {
            **_course_form(title="Django From Zero", instructor=str(other_instructor.pk), slug=""),
            **_lesson_rows(None, []),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    course = Course.objects.get(title="Django From Zero")
    assert course.instructor == instructor
    assert course.slug == "django-from-zero"  # derived by course_create
    assert not course.is_published and course.metadata == {}
    assert course.description is None  # an empty input is "not set", as in the API


def test_a_derived_slug_that_is_taken_gets_a_suffix(instructor):
    CourseFactory(slug="same-title")

    _logged_in(instructor).post(
        f"{COURSES}add/", {**_course_form(title="Same Title"), **_lesson_rows(None, [])}
    )

    assert Course.objects.get(title="Same Title").slug == "same-title-2"


def test_an_explicit_slug_that_is_taken_is_a_form_error(instructor):
    CourseFactory(slug="taken")

    response = _logged_in(instructor).post(
        f"{COURSES}add/", {**_course_form(title="New", slug="taken"), **_lesson_rows(None, [])}
    )

    assert response.status_code == 200
    assert not Course.objects.filter(title="New").exists()


def test_an_admin_chooses_the_instructor(admin, instructor, student):
    client = _logged_in(admin)

    client.post(
        f"{COURSES}add/",
        {**_course_form(title="Assigned", instructor=str(instructor.pk)), **_lesson_rows(None, [])},
    )
    assert Course.objects.get(title="Assigned").instructor == instructor

    refused = client.post(
        f"{COURSES}add/",
        {**_course_form(title="Taught by a student", instructor=str(student.pk)), **_lesson_rows(None, [])},
    )
    assert refused.status_code == 200
    assert not Course.objects.filter(title="Taught by a student").exists()


def test_the_instructor_field_is_not_offered_to_instructors(instructor):
    add_page = _logged_in(instructor).get(f"{COURSES}add/").content.decode()

    assert 'name="instructor"' not in add_page


def test_a_new_course_with_lessons_in_the_same_form_counts_them(instructor):
    response = _logged_in(instructor).post(
        f"{COURSES}add/",
        {
            **_course_form(title="With lessons"),
            **_lesson_rows(None, [{"title": "Welcome"}, {"title": "Setup", "lesson_type": "video"}]),
        },
    )

    assert response.status_code == 302
    course = Course.objects.get(title="With lessons")
    assert course.lessons_count == 2
    assert list(course.lessons.order_by("order_index").values_list("title", "order_index")) == [
        ("Welcome", 1),
        ("Setup", 2),
    ]


def test_editing_a_course_goes_through_the_service(instructor):
    course = CourseFactory(instructor=instructor, title="Old title", slug="old-title")

    response = _logged_in(instructor).post(
        _change_url(course),
        {
            **_course_form(course, title="New title", category="web", slug="tampered"),
            **_lesson_rows(course, []),
        },
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.title, course.category, course.slug) == ("New title", "web", "old-title")


def test_lessons_added_changed_and_removed_inline_keep_the_counter_right(
    instructor, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructor=instructor, is_published=True)
    first, second = LessonFactory(course=course), LessonFactory(course=course)
    enrollment = EnrollmentFactory(course=course)
    LessonProgressFactory(
        enrollment=enrollment, lesson=first, status="completed", completed_at=timezone.now()
    )
    client = _logged_in(instructor)

    rows = _existing_rows(course)
    rows[0]["title"] = "Renamed first"
    rows[1]["delete"] = True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _change_url(course),
            {
                **_course_form(course),
                **_lesson_rows(
                    course,
                    [*rows, {"title": "Brand new"}, {"title": "Numbered", "order_index": 7}],
                    initial=2,
                ),
            },
        )

    assert response.status_code == 302, response.content.decode()[:3000]
    course.refresh_from_db()
    assert course.lessons_count == 3 == course.lessons.count()
    assert not Lesson.objects.filter(pk=second.pk).exists()
    assert list(course.lessons.order_by("order_index").values_list("title", "order_index")) == [
        ("Renamed first", 1),
        ("Brand new", 2),  # removals first: the freed number 2 is the next one after the last
        ("Numbered", 7),
    ]
    # The lesson services recompute the enrollments after commit: 1 of 3 lessons done.
    enrollment.refresh_from_db()
    assert (enrollment.completed_lessons_count, enrollment.total_lessons_count) == (1, 3)


def test_an_inline_lesson_number_already_taken_is_a_form_error(instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course)

    response = _logged_in(instructor).post(
        _change_url(course),
        {
            **_course_form(course),
            **_lesson_rows(
                course, [*_existing_rows(course), {"title": "Clash", "order_index": 1}], initial=1
            ),
        },
    )

    assert response.status_code == 200
    course.refresh_from_db()
    assert course.lessons_count == 1 and not Lesson.objects.filter(title="Clash").exists()


def test_a_lesson_added_on_its_own_page_goes_through_the_service(instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course)

    response = _logged_in(instructor).post(
        f"{LESSONS}add/",
        {
            "course": str(course.pk),
            "title": "Deep Dive",
            "slug": "",
            "lesson_type": "text",
            "order_index": "",
            "content": "The long text",
            "metadata": "{}",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    lesson = Lesson.objects.get(title="Deep Dive")
    assert (lesson.slug, lesson.order_index, lesson.content) == ("deep-dive", 2, "The long text")
    course.refresh_from_db()
    assert course.lessons_count == 2


def test_editing_a_lesson_checks_its_number_and_parent(instructor):
    course = CourseFactory(instructor=instructor)
    first, second = LessonFactory(course=course), LessonFactory(course=course)
    elsewhere = LessonFactory(course=CourseFactory(instructor=instructor))
    client = _logged_in(instructor)
    form = {
        "title": second.title,
        "slug": second.slug,
        "lesson_type": "text",
        "order_index": "2",
        "content": "New content",
        "metadata": "{}",
    }

    clash = client.post(f"{LESSONS}{second.pk}/change/", {**form, "order_index": "1"})
    assert clash.status_code == 200 and "already has this number" in clash.content.decode()
    foreign = client.post(f"{LESSONS}{second.pk}/change/", {**form, "parent_lesson": str(elsewhere.pk)})
    assert foreign.status_code == 200 and "same course" in foreign.content.decode()

    ok = client.post(f"{LESSONS}{second.pk}/change/", {**form, "parent_lesson": str(first.pk)})
    assert ok.status_code == 302
    second.refresh_from_db()
    assert (second.content, second.parent_lesson_id, second.order_index) == ("New content", first.pk, 2)


def test_deleting_a_lesson_on_its_page_keeps_the_counter_right(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    lesson = LessonFactory(course=course)
    LessonFactory(course=course)
    LessonProgressFactory(enrollment=EnrollmentFactory(course=course), lesson=lesson)

    response = _logged_in(instructor).post(f"{LESSONS}{lesson.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.lessons_count == 1 and not Lesson.objects.filter(pk=lesson.pk).exists()


def test_bulk_lesson_delete_goes_through_the_service(instructor):
    course = CourseFactory(instructor=instructor)
    first, second, third = (LessonFactory(course=course) for _ in range(3))

    response = _logged_in(instructor).post(
        LESSONS,
        {"action": "delete_selected", "_selected_action": [str(first.pk), str(third.pk)], "post": "yes"},
        follow=True,
    )

    assert "Deleted 2 lessons." in response.content.decode()
    course.refresh_from_db()
    assert course.lessons_count == 1 and list(course.lessons.all()) == [second]


def test_a_lesson_whose_quiz_has_attempts_is_not_deleted_and_the_reason_is_shown(instructor):
    from quizzes.tests.factories import AttemptFactory, QuizFactory

    course = CourseFactory(instructor=instructor, is_published=True)
    kept, free = LessonFactory(course=course, title="Quizzed lesson"), LessonFactory(course=course)
    AttemptFactory(quiz=QuizFactory(course=course, lesson=kept))
    client = _logged_in(instructor)
    selection = {"action": "delete_selected", "_selected_action": [str(kept.pk), str(free.pk)]}

    assert "Cannot delete" in client.post(LESSONS, selection).content.decode()
    response = client.post(LESSONS, {**selection, "post": "yes"}, follow=True)

    page = response.content.decode()
    assert "Quizzed lesson: This lesson&#x27;s quiz has attempts" in page
    assert "Deleted 1 lesson." in page
    course.refresh_from_db()
    assert course.lessons_count == 1 and list(course.lessons.all()) == [kept]


# --- actions -------------------------------------------------------------------------------------------


def test_publish_action_goes_through_the_service_and_names_the_refused_course(instructor):
    ready = CourseFactory(instructor=instructor, title="Ready course")
    LessonFactory(course=ready)
    empty = CourseFactory(instructor=instructor, title="Empty course")

    response = _logged_in(instructor).post(
        COURSES,
        {"action": "publish_courses", "_selected_action": [str(ready.pk), str(empty.pk)]},
        follow=True,
    )

    page = response.content.decode()
    assert "Empty course: A course needs at least one lesson" in page
    assert "1 course(s) published." in page
    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.is_published and ready.published_at is not None
    assert not empty.is_published


def test_unpublish_action(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)

    _logged_in(instructor).post(
        COURSES, {"action": "unpublish_courses", "_selected_action": [str(course.pk)]}
    )

    course.refresh_from_db()
    assert not course.is_published


# --- deleting ------------------------------------------------------------------------------------------


def test_an_instructor_deletes_a_course_without_enrollments(instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course)

    response = _logged_in(instructor).post(f"{COURSES}{course.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302 and response["Location"] == COURSES
    assert not Course.objects.filter(pk=course.pk).exists()


def test_an_instructor_may_not_delete_a_course_with_enrollments(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    EnrollmentFactory(course=course)
    client = _logged_in(instructor)

    assert f"{course.pk}/delete/" not in client.get(_change_url(course)).content.decode()
    assert client.post(f"{COURSES}{course.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Course.objects.filter(pk=course.pk).exists()


def test_an_admin_is_told_why_a_course_with_enrollments_cannot_be_deleted(admin):
    course = CourseFactory(is_published=True)
    EnrollmentFactory(course=course)

    response = _logged_in(admin).post(f"{COURSES}{course.pk}/delete/", {"post": "yes"})

    assert response.status_code == 200
    assert "Cannot delete course" in response.content.decode()
    assert Course.objects.filter(pk=course.pk).exists()


@pytest.mark.parametrize("persona", ["admin", "instructor"])
def test_bulk_delete_goes_through_the_service_and_names_the_refused_course(request, persona, instructor):
    enrolled = CourseFactory(instructor=instructor, title="Enrolled course", is_published=True)
    EnrollmentFactory(course=enrolled)
    empty = CourseFactory(instructor=instructor, title="Empty course")
    client = _logged_in(request.getfixturevalue(persona))
    selection = {"action": "delete_selected", "_selected_action": [str(enrolled.pk), str(empty.pk)]}

    confirmation = client.post(COURSES, selection)
    assert confirmation.status_code == 200  # Django's page, listing what stops the deletion
    assert "Cannot delete" in confirmation.content.decode()

    # Confirmed anyway (an old tab, a race with a new enrollment): the service decides per course.
    response = client.post(COURSES, {**selection, "post": "yes"}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enrolled course: This course has enrollments" in page
    assert "Deleted 1 course." in page
    assert Course.objects.filter(pk=enrolled.pk).exists()
    assert Enrollment.objects.filter(course=enrolled).count() == 1
    assert not Course.objects.filter(pk=empty.pk).exists()


def test_the_service_refusing_a_single_delete_is_a_message_not_a_500(admin, monkeypatch):
    """An enrollment arriving between the confirmation page and the delete: `course_delete` says no."""
    from courses.admin import CourseAdmin

    course = CourseFactory(title="Raced course")
    monkeypatch.setattr(CourseAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), []))
    EnrollmentFactory(course=course)

    response = _logged_in(admin).post(f"{COURSES}{course.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Raced course: This course has enrollments" in page
    assert "was deleted successfully" not in page
    assert Course.objects.filter(pk=course.pk).exists()


# --- queries -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 15])
@pytest.mark.parametrize("persona", ["admin", "instructor"])
def test_the_course_list_costs_the_same_for_3_or_15_courses(
    request, persona, rows, instructor, django_assert_max_num_queries
):
    for i in range(rows):
        course = CourseFactory(instructor=instructor, category=f"cat-{i % 4}", is_published=i % 2 == 0)
        LessonFactory(course=course)
    client = _logged_in(request.getfixturevalue(persona))

    with django_assert_max_num_queries(12):
        assert client.get(COURSES).status_code == 200


@pytest.mark.parametrize("rows", [3, 15])
def test_the_lesson_list_costs_the_same_for_3_or_15_lessons(rows, instructor, django_assert_max_num_queries):
    for _ in range(rows):
        LessonFactory(course=CourseFactory(instructor=instructor))
    client = _logged_in(instructor)

    with django_assert_max_num_queries(10):
        assert client.get(LESSONS).status_code == 200


@pytest.mark.parametrize("rows", [3, 15])
def test_the_course_page_costs_the_same_for_3_or_15_lessons(rows, instructor, django_assert_max_num_queries):
    course = CourseFactory(instructor=instructor)
    for _ in range(rows):
        LessonFactory(course=course)
    client = _logged_in(instructor)

    with django_assert_max_num_queries(12):
        assert client.get(_change_url(course)).status_code == 200
