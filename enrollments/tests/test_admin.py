"""Enrollments and progress in the Django admin: read-only, scoped to the instructor's courses; the
one change (drop) is an admin action through `enrollment_drop`."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus
from enrollments.tests.factories import EnrollmentFactory, LessonProgressFactory

pytestmark = pytest.mark.django_db

ENROLLMENTS = "/admin/enrollments/enrollment/"
PROGRESS = "/admin/enrollments/lessonprogress/"


def _logged_in(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def two_rosters(instructor, other_instructor) -> dict[str, Enrollment]:
    mine = CourseFactory(instructor=instructor, title="My course", is_published=True)
    theirs = CourseFactory(instructor=other_instructor, title="Their course", is_published=True)
    LessonFactory(course=mine)
    LessonFactory(course=theirs)
    return {
        "mine": EnrollmentFactory(course=mine, student=StudentFactory(email="in-my-course@example.com")),
        "theirs": EnrollmentFactory(
            course=theirs, student=StudentFactory(email="in-their-course@example.com")
        ),
    }


def test_an_instructor_sees_only_the_enrollments_of_their_courses(instructor, two_rosters):
    client = _logged_in(instructor)

    page = client.get(ENROLLMENTS).content.decode()

    assert "in-my-course@example.com" in page and "My course" in page
    assert "in-their-course@example.com" not in page and "Their course" not in page
    assert client.get(f"{ENROLLMENTS}{two_rosters['mine'].pk}/change/").status_code == 200
    assert client.get(f"{ENROLLMENTS}{two_rosters['theirs'].pk}/change/")["Location"] == "/admin/"


def test_an_instructor_sees_only_the_progress_of_their_courses(instructor, two_rosters):
    mine = LessonProgressFactory(enrollment=two_rosters["mine"])
    theirs = LessonProgressFactory(enrollment=two_rosters["theirs"])
    client = _logged_in(instructor)

    page = client.get(PROGRESS).content.decode()

    assert "in-my-course@example.com" in page and "in-their-course@example.com" not in page
    assert client.get(f"{PROGRESS}{mine.pk}/change/").status_code == 200
    assert client.get(f"{PROGRESS}{theirs.pk}/change/")["Location"] == "/admin/"


def test_an_admin_sees_every_enrollment_and_all_progress(admin, two_rosters):
    LessonProgressFactory(enrollment=two_rosters["mine"])
    LessonProgressFactory(enrollment=two_rosters["theirs"])
    client = _logged_in(admin)

    for url in (ENROLLMENTS, PROGRESS):
        page = client.get(url).content.decode()
        assert "in-my-course@example.com" in page and "in-their-course@example.com" in page


def test_the_list_searches_and_filters(admin, two_rosters):
    Enrollment.objects.filter(pk=two_rosters["theirs"].pk).update(status=EnrollmentStatus.DROPPED)
    client = _logged_in(admin)

    searched = client.get(ENROLLMENTS, {"q": "Their course"}).content.decode()
    assert "in-their-course@example.com" in searched and "in-my-course@example.com" not in searched
    filtered = client.get(ENROLLMENTS, {"status__exact": "dropped"}).content.decode()
    assert "in-their-course@example.com" in filtered and "in-my-course@example.com" not in filtered


@pytest.mark.parametrize("persona", ["admin", "instructor"])
def test_enrollments_are_read_only(request, persona, two_rosters):
    enrollment = two_rosters["mine"]
    client = _logged_in(request.getfixturevalue(persona))

    assert client.get(f"{ENROLLMENTS}add/").status_code == 403
    assert client.post(f"{ENROLLMENTS}{enrollment.pk}/change/", {"status": "completed"}).status_code == 403
    assert client.post(f"{ENROLLMENTS}{enrollment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{PROGRESS}add/").status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_an_admin_drops_enrollments_through_the_service(admin, two_rosters):
    selected = [str(two_rosters["mine"].pk), str(two_rosters["theirs"].pk)]

    response = _logged_in(admin).post(
        ENROLLMENTS, {"action": "drop_enrollments", "_selected_action": selected}, follow=True
    )

    assert "2 enrollment(s) dropped." in response.content.decode()
    assert set(Enrollment.objects.values_list("status", flat=True)) == {EnrollmentStatus.DROPPED}


def test_instructors_are_not_offered_the_drop_action_and_cannot_use_it(instructor, two_rosters):
    client = _logged_in(instructor)

    assert "drop_enrollments" not in client.get(ENROLLMENTS).content.decode()
    client.post(
        ENROLLMENTS, {"action": "drop_enrollments", "_selected_action": [str(two_rosters["mine"].pk)]}
    )

    two_rosters["mine"].refresh_from_db()
    assert two_rosters["mine"].status == EnrollmentStatus.ACTIVE


@pytest.mark.parametrize("rows", [3, 15])
@pytest.mark.parametrize("persona", ["admin", "instructor"])
def test_the_lists_cost_the_same_for_3_or_15_rows(
    request, persona, rows, instructor, django_assert_max_num_queries
):
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory(course=course)
    for _ in range(rows):
        LessonProgressFactory(enrollment=EnrollmentFactory(course=course))
    client = _logged_in(request.getfixturevalue(persona))

    for url in (ENROLLMENTS, PROGRESS):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("lessons", [2, 10])
def test_the_enrollment_page_costs_the_same_for_2_or_10_lessons(
    lessons, instructor, django_assert_max_num_queries
):
    course = CourseFactory(instructor=instructor, is_published=True)
    enrollment = EnrollmentFactory(course=course)
    for _ in range(lessons):
        LessonProgressFactory(enrollment=enrollment, lesson=LessonFactory(course=course))
    client = _logged_in(instructor)

    with django_assert_max_num_queries(10):
        assert client.get(f"{ENROLLMENTS}{enrollment.pk}/change/").status_code == 200
