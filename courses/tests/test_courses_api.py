"""Courses API (contract section 4): catalogue, create, read, edit, publish, delete."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import AdminFactory, InstructorFactory
from accounts.tokens import issue_token_pair
from conftest import client_for
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment
from enrollments.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db

COURSES = "/api/v1/courses"


def _url(course: Course, action: str = "") -> str:
    return f"{COURSES}/{course.id}{'/' + action if action else ''}"


def _iso(value: Any) -> str | None:
    """A datetime as the API renders it (ISO 8601, UTC as `Z`)."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _course_json(course: Course) -> dict[str, Any]:
    """The contract's Course shape for the row as it is now in the database."""
    course = Course.objects.select_related("instructor").get(pk=course.pk)
    return {
        "id": str(course.id),
        "title": course.title,
        "slug": course.slug,
        "description": course.description,
        "instructor_id": str(course.instructor_id),
        "instructor": {"id": str(course.instructor_id), "full_name": course.instructor.full_name},
        "category": course.category,
        "difficulty_level": course.difficulty_level,
        "is_published": course.is_published,
        "published_at": _iso(course.published_at),
        "thumbnail_url": course.thumbnail_url,
        "estimated_duration_minutes": course.estimated_duration_minutes,
        "metadata": course.metadata,
        "lessons_count": course.lessons_count,
        "enrollments_count": course.enrollments_count,
        "average_rating": None if course.average_rating is None else f"{course.average_rating:.2f}",
        "created_at": _iso(course.created_at),
        "updated_at": _iso(course.updated_at),
    }


def _age(course: Course, *, minutes: int) -> Course:
    """Pretend `course` was created `minutes` ago, so "newest first" is deterministic."""
    Course.objects.filter(pk=course.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    course.refresh_from_db()
    return course


def _as(request, persona: str) -> APIClient:
    """A client for a persona fixture by name, or an anonymous one."""
    return APIClient() if persona == "anonymous" else client_for(request.getfixturevalue(persona))


def _ids(response) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


def _titles(response) -> list[str]:
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def catalogue(instructor, other_instructor) -> dict[str, Course]:
    """One published and one draft course for each of two instructors, newest first in this order."""
    courses = {
        "mine_published": CourseFactory(instructor=instructor, is_published=True),
        "mine_draft": CourseFactory(instructor=instructor),
        "theirs_published": CourseFactory(instructor=other_instructor, is_published=True),
        "theirs_draft": CourseFactory(instructor=other_instructor),
    }
    for age, course in enumerate(courses.values(), start=1):
        _age(course, minutes=age)
    return courses


# --- list: visibility -----------------------------------------------------------------------------


def test_anonymous_callers_see_only_published_courses_newest_first(api_client, catalogue):
    response = api_client.get(COURSES)

    assert response.status_code == 200
    body = response.json()
    assert body["items"] == [
        _course_json(catalogue["mine_published"]),
        _course_json(catalogue["theirs_published"]),
    ]
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (2, 1, 20, 1)


def test_students_see_only_published_courses(student_client, catalogue):
    response = student_client.get(COURSES)

    assert response.status_code == 200
    assert _ids(response) == [str(catalogue["mine_published"].id), str(catalogue["theirs_published"].id)]


def test_instructors_see_only_published_courses_without_mine(instructor_client, catalogue):
    response = instructor_client.get(COURSES)

    assert _ids(response) == [str(catalogue["mine_published"].id), str(catalogue["theirs_published"].id)]


def test_mine_gives_an_instructor_their_own_courses_in_every_state(instructor_client, catalogue):
    response = instructor_client.get(COURSES, {"mine": "true"})

    assert response.status_code == 200
    assert _ids(response) == [str(catalogue["mine_published"].id), str(catalogue["mine_draft"].id)]
    assert response.json()["total"] == 2


def test_admins_see_every_course_in_every_state(admin_client, catalogue):
    response = admin_client.get(COURSES)

    assert response.status_code == 200
    assert _ids(response) == [str(course.id) for course in catalogue.values()]


def test_mine_gives_an_admin_only_the_courses_they_own(admin_client, admin, catalogue):
    own_draft = CourseFactory(instructor=admin)

    response = admin_client.get(COURSES, {"mine": "true"})

    assert _ids(response) == [str(own_draft.id)]


@pytest.mark.parametrize("persona", ["student_client", "api_client"])
def test_mine_is_empty_for_students_and_anonymous_callers(request, persona, catalogue):
    response = request.getfixturevalue(persona).get(COURSES, {"mine": "true"})

    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0, "page": 1, "page_size": 20, "total_pages": 0}


def test_mine_false_is_the_ordinary_catalogue(instructor_client, catalogue):
    response = instructor_client.get(COURSES, {"mine": "false"})

    assert _ids(response) == [str(catalogue["mine_published"].id), str(catalogue["theirs_published"].id)]


# --- list: shape ----------------------------------------------------------------------------------


def test_a_course_in_the_list_has_the_contract_shape(api_client, instructor):
    course = CourseFactory(
        instructor=instructor,
        title="Python from Zero",
        slug="python-from-zero",
        description="Variables to classes.",
        category="programming",
        difficulty_level="beginner",
        is_published=True,
        thumbnail_url="https://cdn.example.com/python.png",
        estimated_duration_minutes=300,
        metadata={"language": "en"},
    )
    LessonFactory.create_batch(2, course=course)
    EnrollmentFactory.create_batch(3, course=course)
    Course.objects.filter(pk=course.pk).update(rating_count=2, rating_sum=9)
    course.refresh_from_db()

    item = api_client.get(COURSES).json()["items"][0]

    assert item == {
        "id": str(course.id),
        "title": "Python from Zero",
        "slug": "python-from-zero",
        "description": "Variables to classes.",
        "instructor_id": str(instructor.id),
        "instructor": {"id": str(instructor.id), "full_name": "Ivan Instructor"},
        "category": "programming",
        "difficulty_level": "beginner",
        "is_published": True,
        "published_at": _iso(course.published_at),
        "thumbnail_url": "https://cdn.example.com/python.png",
        "estimated_duration_minutes": 300,
        "metadata": {"language": "en"},
        "lessons_count": 2,
        "enrollments_count": 3,
        "average_rating": "4.50",
        "created_at": _iso(course.created_at),
        "updated_at": _iso(course.updated_at),
    }


def test_average_rating_is_null_without_reviews_and_two_decimals_with_them(api_client):
    unrated = _age(CourseFactory(is_published=True), minutes=2)
    rated = _age(CourseFactory(is_published=True), minutes=1)
    Course.objects.filter(pk=rated.pk).update(rating_count=3, rating_sum=14)  # 4.666... -> 4.67

    ratings = {item["id"]: item["average_rating"] for item in api_client.get(COURSES).json()["items"]}

    assert ratings == {str(unrated.id): None, str(rated.id): "4.67"}


# --- list: filters --------------------------------------------------------------------------------


def test_the_list_filters_by_category(api_client):
    web = CourseFactory(is_published=True, category="web")
    CourseFactory(is_published=True, category="data")
    CourseFactory(is_published=True, category=None)

    assert _ids(api_client.get(COURSES, {"category": "web"})) == [str(web.id)]
    assert _ids(api_client.get(COURSES, {"category": "nothing-here"})) == []


def test_the_list_filters_by_difficulty_level(api_client):
    hard = CourseFactory(is_published=True, difficulty_level="advanced")
    CourseFactory(is_published=True, difficulty_level="beginner")
    CourseFactory(is_published=True, difficulty_level=None)

    assert _ids(api_client.get(COURSES, {"difficulty_level": "advanced"})) == [str(hard.id)]


def test_the_list_filters_by_instructor(api_client, catalogue, other_instructor):
    response = api_client.get(COURSES, {"instructor_id": str(other_instructor.id)})

    # Their draft stays hidden: the filter narrows the visible courses, it does not widen them.
    assert _ids(response) == [str(catalogue["theirs_published"].id)]


def test_search_matches_title_or_description_case_insensitively(api_client):
    by_title = _age(CourseFactory(is_published=True, title="Intro to DJANGO"), minutes=2)
    by_description = _age(
        CourseFactory(is_published=True, title="Web apps", description="Built with django and htmx"),
        minutes=1,
    )
    CourseFactory(is_published=True, title="Rust basics", description="Ownership and borrowing")
    CourseFactory(title="Django drafts stay hidden")

    response = api_client.get(COURSES, {"search": "Django"})

    assert _ids(response) == [str(by_description.id), str(by_title.id)]
    assert _ids(api_client.get(COURSES, {"search": "dJaNgO"})) == [str(by_description.id), str(by_title.id)]


def test_an_empty_search_does_not_filter(api_client, catalogue):
    assert api_client.get(COURSES, {"search": ""}).json()["total"] == 2


def test_updated_since_returns_courses_changed_at_or_after_the_time(api_client):
    now = timezone.now()
    old = CourseFactory(is_published=True)
    fresh = CourseFactory(is_published=True)
    Course.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=2))
    Course.objects.filter(pk=fresh.pk).update(updated_at=now - timedelta(hours=1))

    response = api_client.get(COURSES, {"updated_since": _iso(now - timedelta(days=1))})

    assert _ids(response) == [str(fresh.id)]
    assert api_client.get(COURSES, {"updated_since": _iso(now - timedelta(days=3))}).json()["total"] == 2


def test_filters_combine(api_client, instructor):
    match = CourseFactory(
        instructor=instructor, is_published=True, category="web", difficulty_level="beginner"
    )
    CourseFactory(instructor=instructor, is_published=True, category="web", difficulty_level="advanced")
    CourseFactory(is_published=True, category="web", difficulty_level="beginner")

    response = api_client.get(
        COURSES, {"category": "web", "difficulty_level": "beginner", "instructor_id": str(instructor.id)}
    )

    assert _ids(response) == [str(match.id)]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("difficulty_level", "expert"),
        ("instructor_id", "not-a-uuid"),
        ("updated_since", "yesterday"),
        ("mine", "maybe"),
        ("ordering", "popularity"),
        ("ordering", "average_rating"),
        ("page", "abc"),
        ("page", "0"),
        ("page_size", "0"),
        ("page_size", "abc"),
    ],
)
def test_bad_list_parameters_are_a_400(api_client, catalogue, param, value):
    response = api_client.get(COURSES, {param: value})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [param]

    # Without the bad parameter the same request works.
    assert api_client.get(COURSES).status_code == 200


# --- list: ordering -------------------------------------------------------------------------------


@pytest.fixture
def ranked() -> dict[str, Course]:
    """Four published courses with distinct titles, ages, enrollment counts and ratings."""
    specs = {
        # name: (title, minutes old, enrollments_count, rating_count, rating_sum)
        "alpha": ("Alpha course", 40, 5, 2, 9),  # 4.50
        "beta": ("Beta course", 30, 50, 0, 0),  # no rating
        "gamma": ("Gamma course", 20, 5, 1, 5),  # 5.00
        "delta": ("Delta course", 10, 0, 2, 6),  # 3.00
    }
    courses = {}
    for name, (title, minutes, enrollments, rating_count, rating_sum) in specs.items():
        course = CourseFactory(is_published=True, title=title)
        Course.objects.filter(pk=course.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes),
            enrollments_count=enrollments,
            rating_count=rating_count,
            rating_sum=rating_sum,
        )
        courses[name] = course
    return courses


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["Delta course", "Gamma course", "Beta course", "Alpha course"]),
        ("-created_at", ["Delta course", "Gamma course", "Beta course", "Alpha course"]),
        ("created_at", ["Alpha course", "Beta course", "Gamma course", "Delta course"]),
        ("title", ["Alpha course", "Beta course", "Delta course", "Gamma course"]),
        ("-title", ["Gamma course", "Delta course", "Beta course", "Alpha course"]),
        # Ties (alpha and gamma have 5) are broken newest first.
        ("-enrollments_count", ["Beta course", "Gamma course", "Alpha course", "Delta course"]),
        # Courses without a rating come last.
        ("-average_rating", ["Gamma course", "Alpha course", "Delta course", "Beta course"]),
    ],
)
def test_each_allowed_ordering_sorts_the_list(api_client, ranked, ordering, expected):
    params = {"ordering": ordering} if ordering else {}

    response = api_client.get(COURSES, params)

    assert response.status_code == 200
    assert _titles(response) == expected


def test_unrated_courses_stay_last_when_sorting_by_rating_across_pages(api_client, ranked):
    first = api_client.get(COURSES, {"ordering": "-average_rating", "page_size": 3})
    second = api_client.get(COURSES, {"ordering": "-average_rating", "page_size": 3, "page": 2})

    assert _titles(first) == ["Gamma course", "Alpha course", "Delta course"]
    assert _titles(second) == ["Beta course"]


# --- list: pagination -----------------------------------------------------------------------------


def test_page_size_above_the_maximum_is_clamped_to_100(api_client):
    CourseFactory.create_batch(101, is_published=True)

    response = api_client.get(COURSES, {"page_size": 1000})

    assert response.status_code == 200
    body = response.json()
    assert (len(body["items"]), body["total"], body["page_size"], body["total_pages"]) == (100, 101, 100, 2)


def test_pages_follow_each_other_and_a_page_past_the_end_is_empty(api_client):
    courses = [_age(CourseFactory(is_published=True), minutes=minutes) for minutes in range(5)]

    first = api_client.get(COURSES, {"page_size": 2})
    third = api_client.get(COURSES, {"page_size": 2, "page": 3})
    beyond = api_client.get(COURSES, {"page_size": 2, "page": 4})

    assert _ids(first) == [str(courses[0].id), str(courses[1].id)]
    assert first.json()["total_pages"] == 3
    assert 'rel="next"' in first["Link"] and 'rel="prev"' not in first["Link"]
    assert _ids(third) == [str(courses[4].id)]
    assert 'rel="prev"' in third["Link"] and 'rel="next"' not in third["Link"]
    assert beyond.status_code == 200
    assert beyond.json() == {"items": [], "total": 5, "page": 4, "page_size": 2, "total_pages": 3}


# --- list: query count ----------------------------------------------------------------------------


def test_the_anonymous_list_costs_two_queries_whatever_the_number_of_courses(
    api_client, django_assert_num_queries
):
    for course in CourseFactory.create_batch(3, is_published=True):
        LessonFactory(course=course)
        EnrollmentFactory(course=course)
    with django_assert_num_queries(2):  # COUNT of the visible courses, the page with instructors joined
        assert api_client.get(COURSES, {"ordering": "-average_rating"}).status_code == 200

    for course in CourseFactory.create_batch(12, is_published=True):
        LessonFactory(course=course)
        EnrollmentFactory(course=course)
    with django_assert_num_queries(2):
        response = api_client.get(COURSES, {"ordering": "-average_rating"})
    assert response.json()["total"] == 15


def test_the_authenticated_list_costs_three_queries_whatever_the_number_of_courses(
    instructor, instructor_client, django_assert_num_queries
):
    CourseFactory.create_batch(3, instructor=instructor)
    with django_assert_num_queries(3):  # the caller (+ deny-list EXISTS), COUNT, the page of courses
        assert instructor_client.get(COURSES, {"mine": "true"}).status_code == 200

    CourseFactory.create_batch(12, instructor=instructor, is_published=True)
    with django_assert_num_queries(3):
        response = instructor_client.get(COURSES, {"mine": "true"})
    assert response.json()["total"] == 15


# --- create ---------------------------------------------------------------------------------------


def test_an_instructor_creates_an_unpublished_course_they_own(instructor_client, instructor):
    response = instructor_client.post(
        COURSES,
        {
            "title": "Python from Zero",
            "description": "Variables to classes.",
            "category": "programming",
            "difficulty_level": "beginner",
            "thumbnail_url": "https://cdn.example.com/python.png",
            "estimated_duration_minutes": 300,
            "metadata": {"language": "en"},
        },
    )

    assert response.status_code == 201
    course = Course.objects.get()
    body = response.json()
    assert body == _course_json(course)
    assert body["slug"] == "python-from-zero"
    assert body["instructor"] == {"id": str(instructor.id), "full_name": "Ivan Instructor"}
    assert (body["is_published"], body["published_at"]) == (False, None)
    assert (body["lessons_count"], body["enrollments_count"], body["average_rating"]) == (0, 0, None)
    assert course.instructor_id == instructor.id
    assert (course.title, course.category, course.difficulty_level) == (
        "Python from Zero",
        "programming",
        "beginner",
    )
    assert (course.estimated_duration_minutes, course.metadata) == (300, {"language": "en"})


def test_the_minimal_course_needs_only_a_title(instructor_client):
    response = instructor_client.post(COURSES, {"title": "Tiny"})

    assert response.status_code == 201
    body = response.json()
    assert (body["description"], body["category"], body["difficulty_level"]) == (None, None, None)
    assert (body["thumbnail_url"], body["estimated_duration_minutes"], body["metadata"]) == (None, None, {})


def test_an_admin_creates_a_course_they_own(admin_client, admin):
    response = admin_client.post(COURSES, {"title": "Admin course"})

    assert response.status_code == 201
    assert response.json()["instructor_id"] == str(admin.id)
    assert Course.objects.get().instructor_id == admin.id


def test_a_student_cannot_create_a_course(student_client, instructor_client):
    response = student_client.post(COURSES, {"title": "Sneaky course"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Course.objects.exists()

    # The same body from an instructor is fine.
    assert instructor_client.post(COURSES, {"title": "Sneaky course"}).status_code == 201


def test_an_anonymous_caller_cannot_create_a_course(api_client):
    response = api_client.post(COURSES, {"title": "Anonymous course"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Course.objects.exists()


def test_a_trailing_slash_works_for_create(instructor_client):
    assert instructor_client.post(f"{COURSES}/", {"title": "With a slash"}).status_code == 201


def test_publication_fields_in_the_create_body_are_ignored(instructor_client, instructor, other_instructor):
    response = instructor_client.post(
        COURSES,
        {
            "title": "Trying to publish",
            "is_published": True,
            "instructor_id": str(other_instructor.id),
            "lessons_count": 99,
        },
    )

    assert response.status_code == 201
    course = Course.objects.get()
    assert (course.is_published, course.instructor_id, course.lessons_count) == (False, instructor.id, 0)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ça va? Python & Django!", "ca-va-python-django"),
        ("  Déjà   Vu: Crème Brûlée 101  ", "deja-vu-creme-brulee-101"),
        ("UPPER lower", "upper-lower"),
    ],
)
def test_the_slug_is_derived_from_the_title_as_lower_case_ascii(instructor_client, title, slug):
    response = instructor_client.post(COURSES, {"title": title})

    assert response.status_code == 201
    assert response.json()["slug"] == slug
    assert Course.objects.get().slug == slug


def test_a_derived_slug_that_is_taken_gets_a_numeric_suffix(instructor_client, other_instructor):
    CourseFactory(instructor=other_instructor, slug="intro-to-sql")

    slugs = [instructor_client.post(COURSES, {"title": "Intro to SQL"}).json()["slug"] for _ in range(3)]

    assert slugs == ["intro-to-sql-2", "intro-to-sql-3", "intro-to-sql-4"]
    assert Course.objects.filter(title="Intro to SQL").count() == 3


def test_an_explicit_slug_that_is_taken_is_a_conflict(instructor_client, other_instructor):
    CourseFactory(instructor=other_instructor, slug="intro-to-sql")

    response = instructor_client.post(COURSES, {"title": "My SQL course", "slug": "intro-to-sql"})

    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"
    assert Course.objects.count() == 1

    retry = instructor_client.post(COURSES, {"title": "My SQL course", "slug": "intro-to-sql-mine"})
    assert retry.status_code == 201
    assert retry.json()["slug"] == "intro-to-sql-mine"


def test_an_explicit_slug_is_stored_in_lower_case(instructor_client):
    response = instructor_client.post(COURSES, {"title": "Shouting", "slug": "My-Course"})

    assert response.status_code == 201
    assert Course.objects.get().slug == "my-course"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "ab"),
        ("title", "   ab   "),
        ("title", "x" * 256),
        ("title", None),
        ("slug", "not a slug!"),
        ("slug", ""),
        ("difficulty_level", "expert"),
        ("estimated_duration_minutes", 0),
        ("estimated_duration_minutes", -5),
        ("estimated_duration_minutes", "soon"),
        ("metadata", ["not", "an", "object"]),
        ("metadata", "text"),
        ("thumbnail_url", "ftp://cdn.example.com/a.png"),
        ("thumbnail_url", "javascript:alert(1)"),
        ("thumbnail_url", "not a url"),
    ],
)
def test_bad_create_input_is_a_400_naming_the_field(instructor_client, field, value):
    body = {"title": "A valid title", field: value}

    response = instructor_client.post(COURSES, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    assert not Course.objects.exists()


def test_a_missing_title_is_a_400(instructor_client):
    response = instructor_client.post(COURSES, {"description": "No title"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["title"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "abc"),
        ("title", "x" * 255),
        ("estimated_duration_minutes", 1),
        ("metadata", {}),
        ("thumbnail_url", "http://cdn.example.com/a.png"),
        ("thumbnail_url", "https://cdn.example.com/a.png"),
    ],
)
def test_the_edge_values_of_create_input_are_accepted(instructor_client, field, value):
    response = instructor_client.post(COURSES, {"title": "A valid title", field: value})

    assert response.status_code == 201
    assert response.json()[field] == value
    assert getattr(Course.objects.get(), field) == value


def test_a_title_of_255_characters_gives_a_slug_that_fits(instructor_client):
    CourseFactory(slug="x" * 240)

    response = instructor_client.post(COURSES, {"title": "x" * 255})

    assert response.status_code == 201
    assert response.json()["slug"] == "x" * 240 + "-2"


def test_malformed_json_is_a_400_parse_error(instructor_client):
    response = instructor_client.post(COURSES, data='{"title": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Course.objects.exists()


# --- detail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["api_client", "student_client", "instructor_client", "admin_client"])
def test_a_published_course_is_readable_by_anyone(request, persona, other_instructor):
    course = CourseFactory(instructor=other_instructor, is_published=True)

    response = request.getfixturevalue(persona).get(_url(course))

    assert response.status_code == 200
    assert response.json() == _course_json(course)


@pytest.mark.parametrize("persona", ["instructor_client", "admin_client"])
def test_a_draft_is_readable_by_its_managers(request, persona, instructor):
    course = CourseFactory(instructor=instructor)

    response = request.getfixturevalue(persona).get(_url(course))

    assert response.status_code == 200
    assert response.json() == _course_json(course)


@pytest.mark.parametrize("persona", ["anonymous", "student", "other_instructor"])
def test_a_draft_is_a_404_for_everyone_else(request, persona, instructor, instructor_client):
    course = CourseFactory(instructor=instructor)

    response = _as(request, persona).get(_url(course))

    assert response.status_code == 404
    assert response.json() == {"detail": "Course not found.", "code": "not_found"}
    assert instructor_client.get(_url(course)).status_code == 200


def test_an_unknown_course_is_a_404(api_client, admin_client):
    assert api_client.get(f"{COURSES}/{uuid.uuid4()}").json()["code"] == "not_found"
    assert admin_client.get(f"{COURSES}/{uuid.uuid4()}").status_code == 404
    assert admin_client.get(f"{COURSES}/not-a-uuid").status_code == 404


def test_the_detail_answers_with_a_trailing_slash_too(api_client):
    course = CourseFactory(is_published=True)

    assert api_client.get(f"{_url(course)}/").status_code == 200


# --- PATCH ----------------------------------------------------------------------------------------


@pytest.fixture
def full_course(instructor) -> Course:
    return CourseFactory(
        instructor=instructor,
        slug="full-course",
        description="Described.",
        category="programming",
        difficulty_level="intermediate",
        thumbnail_url="https://cdn.example.com/t.png",
        estimated_duration_minutes=90,
        metadata={"language": "en"},
        is_published=True,
    )


def test_the_owner_edits_their_course(instructor_client, full_course):
    before = full_course.updated_at

    response = instructor_client.patch(
        _url(full_course),
        {"title": "Renamed course", "category": "data", "difficulty_level": "advanced", "metadata": {"a": 1}},
    )

    assert response.status_code == 200
    assert response.json() == _course_json(full_course)
    full_course.refresh_from_db()
    assert (full_course.title, full_course.category, full_course.difficulty_level) == (
        "Renamed course",
        "data",
        "advanced",
    )
    assert full_course.metadata == {"a": 1}
    assert full_course.description == "Described."  # fields not sent are left alone
    assert full_course.updated_at > before


def test_an_admin_edits_anyones_course(admin_client, full_course):
    response = admin_client.patch(_url(full_course), {"title": "Edited by admin"})

    assert response.status_code == 200
    full_course.refresh_from_db()
    assert full_course.title == "Edited by admin"


def test_null_clears_every_nullable_field(instructor_client, full_course):
    response = instructor_client.patch(
        _url(full_course),
        {
            "description": None,
            "category": None,
            "difficulty_level": None,
            "thumbnail_url": None,
            "estimated_duration_minutes": None,
            "metadata": None,
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert [body[key] for key in ("description", "category", "difficulty_level", "thumbnail_url")] == [
        None
    ] * 4
    assert (body["estimated_duration_minutes"], body["metadata"]) == (None, {})
    full_course.refresh_from_db()
    assert (full_course.description, full_course.category, full_course.difficulty_level) == (None, None, None)
    assert (full_course.thumbnail_url, full_course.estimated_duration_minutes) == (None, None)
    assert full_course.metadata == {}


def test_the_title_cannot_be_cleared(instructor_client, full_course):
    response = instructor_client.patch(_url(full_course), {"title": None})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["title"]
    full_course.refresh_from_db()
    assert full_course.title.startswith("Course number")

    assert instructor_client.patch(_url(full_course), {"title": "A real title"}).status_code == 200


def test_patch_does_not_change_the_slug_or_publication_fields(
    instructor_client, full_course, other_instructor
):
    response = instructor_client.patch(
        _url(full_course),
        {
            "slug": "new-slug",
            "is_published": False,
            "instructor_id": str(other_instructor.id),
            "title": "Only this changes",
        },
    )

    assert response.status_code == 200
    assert response.json()["slug"] == "full-course"
    full_course.refresh_from_db()
    assert (full_course.slug, full_course.is_published, full_course.title) == (
        "full-course",
        True,
        "Only this changes",
    )
    assert full_course.instructor.full_name == "Ivan Instructor"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "ab"),
        ("title", "x" * 256),
        ("difficulty_level", "expert"),
        ("estimated_duration_minutes", 0),
        ("metadata", [1, 2]),
        ("thumbnail_url", "ftp://cdn.example.com/t.png"),
    ],
)
def test_bad_patch_input_is_a_400_and_changes_nothing(instructor_client, full_course, field, value):
    before = _course_json(full_course)

    response = instructor_client.patch(_url(full_course), {field: value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert _course_json(full_course) == before


def test_an_empty_patch_changes_nothing(instructor_client, full_course):
    before = _course_json(full_course)

    response = instructor_client.patch(_url(full_course), {})

    assert response.status_code == 200
    assert response.json() == before == _course_json(full_course)


def test_other_callers_cannot_edit_a_published_course(
    api_client, student_client, full_course, other_instructor
):
    other = client_for(other_instructor)

    forbidden = other.patch(_url(full_course), {"title": "Hijacked"})
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "permission_denied"
    assert student_client.patch(_url(full_course), {"title": "Hijacked"}).status_code == 403
    assert api_client.patch(_url(full_course), {"title": "Hijacked"}).status_code == 401
    full_course.refresh_from_db()
    assert full_course.title != "Hijacked"


def test_another_instructor_gets_404_when_editing_a_draft(instructor, other_instructor, instructor_client):
    draft = CourseFactory(instructor=instructor, title="Secret draft")

    response = client_for(other_instructor).patch(_url(draft), {"title": "Hijacked"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    draft.refresh_from_db()
    assert draft.title == "Secret draft"
    assert instructor_client.patch(_url(draft), {"title": "Still mine"}).status_code == 200


def test_a_permission_failure_wins_over_bad_input(other_instructor, full_course):
    response = client_for(other_instructor).patch(_url(full_course), {"title": None})

    assert response.status_code == 403


# --- publish / unpublish --------------------------------------------------------------------------


def test_a_course_without_lessons_cannot_be_published(instructor_client, instructor):
    course = CourseFactory(instructor=instructor)

    response = instructor_client.post(_url(course, "publish"))

    assert response.status_code == 400
    assert response.json()["code"] == "course_has_no_lessons"
    course.refresh_from_db()
    assert (course.is_published, course.published_at) == (False, None)

    LessonFactory(course=course)
    assert instructor_client.post(_url(course, "publish")).status_code == 200


def test_publishing_sets_published_at_and_shows_the_course_in_the_catalogue(
    instructor_client, instructor, api_client
):
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course)
    assert api_client.get(COURSES).json()["total"] == 0
    started = timezone.now()

    response = instructor_client.post(_url(course, "publish"))

    assert response.status_code == 200
    course.refresh_from_db()
    assert response.json() == _course_json(course)
    assert course.is_published is True
    assert started <= course.published_at <= timezone.now()
    assert _ids(api_client.get(COURSES)) == [str(course.id)]
    assert api_client.get(_url(course)).status_code == 200


def test_publishing_twice_keeps_the_first_published_at(instructor_client, instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course)
    first = instructor_client.post(_url(course, "publish")).json()["published_at"]

    second = instructor_client.post(_url(course, "publish"))

    assert second.status_code == 200
    assert second.json()["published_at"] == first


def test_an_admin_publishes_anyones_course(admin_client, instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(course=course)

    response = admin_client.post(_url(course, "publish"))

    assert response.status_code == 200
    course.refresh_from_db()
    assert course.is_published


def test_another_instructor_cannot_publish_or_unpublish(instructor, other_instructor, instructor_client):
    other = client_for(other_instructor)
    draft = CourseFactory(instructor=instructor)
    LessonFactory(course=draft)
    published = CourseFactory(instructor=instructor, is_published=True)

    # The draft is invisible to them (404); the published course is visible but not theirs (403).
    assert other.post(_url(draft, "publish")).status_code == 404
    response = other.post(_url(published, "unpublish"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert other.post(_url(published, "publish")).status_code == 403
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.is_published, published.is_published) == (False, True)

    assert instructor_client.post(_url(draft, "publish")).status_code == 200
    assert instructor_client.post(_url(published, "unpublish")).status_code == 200


def test_students_and_anonymous_callers_cannot_publish(student_client, api_client, instructor):
    course = CourseFactory(instructor=instructor, is_published=True)

    assert student_client.post(_url(course, "unpublish")).status_code == 403
    assert api_client.post(_url(course, "unpublish")).status_code == 401
    course.refresh_from_db()
    assert course.is_published


def test_unpublishing_hides_the_course_but_enrollments_keep_working(
    instructor_client, instructor, student, student_client, api_client
):
    course = CourseFactory(instructor=instructor, is_published=True)
    lesson = LessonFactory(course=course)
    enrollment = EnrollmentFactory(course=course, student=student)

    response = instructor_client.post(_url(course, "unpublish"))

    assert response.status_code == 200
    assert response.json()["is_published"] is False
    course.refresh_from_db()
    assert course.is_published is False
    assert api_client.get(COURSES).json()["total"] == 0
    assert api_client.get(_url(course)).status_code == 404

    # The student still reads their enrollment, records progress and reads the lesson.
    assert student_client.get(f"/api/v1/enrollments/{enrollment.id}").json()["course_id"] == str(course.id)
    progress = student_client.put(
        f"/api/v1/enrollments/{enrollment.id}/lessons/{lesson.id}/progress", {"time_spent_seconds": 30}
    )
    assert progress.status_code == 200
    assert student_client.get(f"/api/v1/lessons/{lesson.id}").status_code == 200
    assert Enrollment.objects.get(pk=enrollment.pk).status == "active"


def test_unpublish_then_publish_again(instructor_client, instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory(course=course)

    assert instructor_client.post(_url(course, "unpublish")).status_code == 200
    again = instructor_client.post(_url(course, "publish"))

    assert again.status_code == 200
    course.refresh_from_db()
    assert course.is_published and again.json()["published_at"] == _iso(course.published_at)


def test_publish_of_an_unknown_course_is_a_404(admin_client):
    assert admin_client.post(f"{COURSES}/{uuid.uuid4()}/publish").status_code == 404


# --- delete ---------------------------------------------------------------------------------------


def test_the_owner_deletes_a_course_without_enrollments_and_its_lessons_go_too(instructor_client, instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory.create_batch(3, course=course)
    kept = LessonFactory()

    response = instructor_client.delete(_url(course))

    assert response.status_code == 204
    assert not response.content
    assert not Course.objects.filter(pk=course.pk).exists()
    assert list(Lesson.objects.values_list("pk", flat=True)) == [kept.pk]
    assert instructor_client.get(_url(course)).status_code == 404


def test_a_course_with_enrollments_cannot_be_deleted(instructor_client, instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory(course=course)
    EnrollmentFactory(course=course)

    response = instructor_client.delete(_url(course))

    assert response.status_code == 409
    assert response.json()["code"] == "course_has_enrollments"
    assert Course.objects.filter(pk=course.pk).exists()
    assert Lesson.objects.filter(course=course).count() == 1

    # The way out the error suggests works.
    assert instructor_client.post(_url(course, "unpublish")).status_code == 200


def test_a_dropped_enrollment_still_blocks_deletion(instructor_client, instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    EnrollmentFactory(course=course, status="dropped")

    response = instructor_client.delete(_url(course))

    assert response.status_code == 409
    assert response.json()["code"] == "course_has_enrollments"


def test_an_admin_deletes_anyones_course(admin_client, instructor):
    course = CourseFactory(instructor=instructor)

    assert admin_client.delete(_url(course)).status_code == 204
    assert not Course.objects.exists()


def test_other_callers_cannot_delete_a_course(api_client, student_client, instructor, other_instructor):
    published = CourseFactory(instructor=instructor, is_published=True)
    draft = CourseFactory(instructor=instructor)
    other = client_for(other_instructor)

    assert other.delete(_url(published)).json()["code"] == "permission_denied"
    assert other.delete(_url(draft)).status_code == 404
    assert student_client.delete(_url(published)).status_code == 403
    assert student_client.delete(_url(draft)).status_code == 404
    assert api_client.delete(_url(published)).status_code == 401
    assert Course.objects.count() == 2

    owner = client_for(instructor)
    assert owner.delete(_url(published)).status_code == 204
    assert owner.delete(_url(draft)).status_code == 204


def test_unsupported_methods_are_a_405(instructor_client, instructor):
    course = CourseFactory(instructor=instructor)

    response = instructor_client.put(_url(course), {"title": "Whole replacement"})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_another_admin_is_a_manager_too(instructor):
    course = CourseFactory(instructor=instructor)
    second_admin = client_for(AdminFactory())

    assert second_admin.patch(_url(course), {"title": "Second admin edit"}).status_code == 200


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so there is no race",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_one_title_all_succeed_with_distinct_slugs():
    token = f"Bearer {issue_token_pair(InstructorFactory()).access_token}"
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    lock = threading.Lock()

    def create() -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=token)
            barrier.wait()
            status = client.post(COURSES, {"title": "Race Course"}).status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [201] * 4
    slugs = sorted(Course.objects.values_list("slug", flat=True))
    assert slugs == ["race-course", "race-course-2", "race-course-3", "race-course-4"]
