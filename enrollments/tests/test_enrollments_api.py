"""Enrollments API (contract section 5): enroll, my-courses, detail, drop, roster, stats, review."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from accounts.tests.factories import InstructorFactory, StudentFactory
from conftest import client_for
from courses.models import Course
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus
from enrollments.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db

ENROLL = "/api/v1/enrollments"
MY_COURSES = "/api/v1/enrollments/my-courses"


def _detail(enrollment: Enrollment) -> str:
    return f"/api/v1/enrollments/{enrollment.pk}"


def _roster(course: Course) -> str:
    return f"/api/v1/enrollments/courses/{course.pk}"


def _published_course(instructor: User, *, lessons: int = 3) -> Course:
    course = CourseFactory(instructor=instructor, is_published=True)
    LessonFactory.create_batch(lessons, course=course)
    course.refresh_from_db()
    return course


def _enrollment(student: User, course: Course, **fields) -> Enrollment:
    return EnrollmentFactory(student=student, course=course, **fields)


def _ids(response) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def course(instructor) -> Course:
    """A published course of `instructor` with three lessons."""
    return _published_course(instructor)


# --- POST /enrollments -----------------------------------------------------------------------------


def test_a_student_enrolls_in_a_published_course(student_client, student, course):
    response = student_client.post(ENROLL, {"course_id": str(course.id)})

    assert response.status_code == 201
    enrollment = Enrollment.objects.get(student=student, course=course)
    body = response.json()
    assert parse_datetime(body.pop("enrolled_at")) == enrollment.enrolled_at
    assert body == {
        "id": str(enrollment.id),
        "student_id": str(student.id),
        "course_id": str(course.id),
        "course": {"id": str(course.id), "title": course.title, "slug": course.slug},
        "status": "active",
        "started_at": None,
        "completed_at": None,
        "progress_percentage": "0.00",
        "completed_lessons_count": 0,
        "total_lessons_count": 3,
        "total_time_spent_seconds": 0,
        "last_accessed_at": None,
        "certificate_issued_at": None,
        "rating": None,
        "review": None,
    }
    assert enrollment.status == EnrollmentStatus.ACTIVE
    course.refresh_from_db()
    assert course.enrollments_count == 1


def test_enrolling_twice_returns_the_same_enrollment_with_200_and_counts_it_once(
    student_client, student, course
):
    first = student_client.post(ENROLL, {"course_id": str(course.id)})
    second = student_client.post(f"{ENROLL}/", {"course_id": str(course.id)})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["course"] == {"id": str(course.id), "title": course.title, "slug": course.slug}
    assert Enrollment.objects.filter(student=student, course=course).count() == 1
    course.refresh_from_db()
    assert course.enrollments_count == 1


def test_enrolling_again_after_dropping_reactivates_the_enrollment_and_keeps_progress(
    student_client, student, course
):
    enrollment = _enrollment(
        student,
        course,
        status=EnrollmentStatus.DROPPED,
        completed_lessons_count=1,
        progress_percentage=Decimal("33.33"),
        total_time_spent_seconds=420,
    )

    response = student_client.post(ENROLL, {"course_id": str(course.id)})

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(enrollment.id)
    assert body["status"] == "active"
    assert (body["progress_percentage"], body["completed_lessons_count"]) == ("33.33", 1)
    assert body["total_time_spent_seconds"] == 420
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert enrollment.progress_percentage == Decimal("33.33")
    course.refresh_from_db()
    assert course.enrollments_count == 1  # re-activation is not a new enrollment


def test_an_instructor_cannot_enroll(instructor_client, instructor, other_instructor, student_client):
    course = _published_course(other_instructor)

    response = instructor_client.post(ENROLL, {"course_id": str(course.id)})

    assert response.status_code == 403
    assert response.json()["code"] == "students_only"
    assert not Enrollment.objects.exists()
    assert student_client.post(ENROLL, {"course_id": str(course.id)}).status_code == 201


def test_a_student_sending_student_id_still_enrolls_only_themself(
    student_client, student, other_student, course
):
    response = student_client.post(ENROLL, {"course_id": str(course.id), "student_id": str(other_student.id)})

    assert response.status_code == 201
    assert response.json()["student_id"] == str(student.id)
    assert not Enrollment.objects.filter(student=other_student).exists()


def test_an_admin_enrolls_a_student_by_id(admin_client, student, course):
    response = admin_client.post(ENROLL, {"course_id": str(course.id), "student_id": str(student.id)})

    assert response.status_code == 201
    assert response.json()["student_id"] == str(student.id)
    assert Enrollment.objects.filter(student=student, course=course).count() == 1
    course.refresh_from_db()
    assert course.enrollments_count == 1


def test_an_admin_cannot_enroll_a_user_who_is_not_a_student(admin_client, other_instructor, student, course):
    response = admin_client.post(
        ENROLL, {"course_id": str(course.id), "student_id": str(other_instructor.id)}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "students_only"
    assert not Enrollment.objects.exists()
    valid = admin_client.post(ENROLL, {"course_id": str(course.id), "student_id": str(student.id)})
    assert valid.status_code == 201


def test_an_admin_enrolling_an_unknown_student_id_gets_400(admin_client, student, course):
    response = admin_client.post(ENROLL, {"course_id": str(course.id), "student_id": str(uuid.uuid4())})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "student_id" in response.json()["errors"]
    assert not Enrollment.objects.exists()
    valid = admin_client.post(ENROLL, {"course_id": str(course.id), "student_id": str(student.id)})
    assert valid.status_code == 201


def test_an_admin_without_student_id_cannot_enroll_themself(admin_client, admin, student, course):
    response = admin_client.post(ENROLL, {"course_id": str(course.id)})

    assert response.status_code == 403
    assert response.json()["code"] == "students_only"
    assert not Enrollment.objects.filter(student=admin).exists()
    valid = admin_client.post(ENROLL, {"course_id": str(course.id), "student_id": str(student.id)})
    assert valid.status_code == 201


def test_enrolling_in_an_unknown_course_is_404(student_client, course):
    response = student_client.post(ENROLL, {"course_id": str(uuid.uuid4())})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Enrollment.objects.exists()
    assert student_client.post(ENROLL, {"course_id": str(course.id)}).status_code == 201


def test_enrolling_in_an_unpublished_course_is_403_course_not_published(student_client, instructor, course):
    draft = CourseFactory(instructor=instructor, is_published=False)
    LessonFactory(course=draft)

    response = student_client.post(ENROLL, {"course_id": str(draft.id)})

    assert response.status_code == 403
    assert response.json()["code"] == "course_not_published"
    draft.refresh_from_db()
    assert draft.enrollments_count == 0
    assert not Enrollment.objects.exists()
    assert student_client.post(ENROLL, {"course_id": str(course.id)}).status_code == 201


@pytest.mark.parametrize("body", [{}, {"course_id": "not-a-uuid"}])
def test_enrolling_without_a_valid_course_id_is_400(student_client, course, body):
    response = student_client.post(ENROLL, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "course_id" in response.json()["errors"]
    assert student_client.post(ENROLL, {"course_id": str(course.id)}).status_code == 201


def test_enrolling_needs_authentication(api_client, course):
    response = api_client.post(ENROLL, {"course_id": str(course.id)})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Enrollment.objects.exists()


# --- GET /enrollments/my-courses -------------------------------------------------------------------


def test_my_courses_lists_only_my_enrollments_newest_first(
    student_client, student, other_student, instructor
):
    now = timezone.now()
    older = _enrollment(student, _published_course(instructor))
    newer = _enrollment(student, _published_course(instructor))
    Enrollment.objects.filter(pk=older.pk).update(enrolled_at=now - timedelta(days=2))
    Enrollment.objects.filter(pk=newer.pk).update(enrolled_at=now - timedelta(days=1))
    _enrollment(other_student, older.course)

    response = student_client.get(MY_COURSES)

    assert response.status_code == 200
    body = response.json()
    assert _ids(response) == [str(newer.id), str(older.id)]
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (2, 1, 20, 1)
    assert body["items"][0]["course"] == {
        "id": str(newer.course.id),
        "title": newer.course.title,
        "slug": newer.course.slug,
    }


def test_my_courses_is_paginated(student_client, student, instructor):
    now = timezone.now()
    enrollments = [_enrollment(student, _published_course(instructor, lessons=1)) for _ in range(3)]
    for age, enrollment in enumerate(enrollments):
        Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=now - timedelta(hours=age))

    first = student_client.get(MY_COURSES, {"page_size": 2})
    second = student_client.get(MY_COURSES, {"page_size": 2, "page": 2})

    assert (first.status_code, second.status_code) == (200, 200)
    assert _ids(first) == [str(enrollments[0].id), str(enrollments[1].id)]
    assert _ids(second) == [str(enrollments[2].id)]
    assert (second.json()["total"], second.json()["total_pages"]) == (3, 2)
    assert 'rel="next"' in first["Link"]
    assert 'rel="next"' not in second["Link"]


def test_my_courses_filters_by_status(student_client, student, instructor):
    active = _enrollment(student, _published_course(instructor))
    dropped = _enrollment(student, _published_course(instructor), status=EnrollmentStatus.DROPPED)

    dropped_only = student_client.get(MY_COURSES, {"status": "dropped"})
    active_only = student_client.get(MY_COURSES, {"status": "active"})

    assert _ids(dropped_only) == [str(dropped.id)]
    assert _ids(active_only) == [str(active.id)]


def test_my_courses_rejects_an_unknown_status(student_client, student, course):
    _enrollment(student, course)

    response = student_client.get(MY_COURSES, {"status": "paused"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "status" in response.json()["errors"]
    assert student_client.get(MY_COURSES, {"status": "active"}).json()["total"] == 1


def test_my_courses_query_count_does_not_grow_with_enrollments(
    student_client, student, instructor, django_assert_num_queries
):
    for _ in range(2):
        _enrollment(student, _published_course(instructor, lessons=1))
    # auth user (+ deny-list EXISTS), COUNT of my enrollments, the page joined to its courses
    with django_assert_num_queries(3):
        assert student_client.get(MY_COURSES).json()["total"] == 2

    for _ in range(8):
        _enrollment(student, _published_course(instructor, lessons=1))
    with django_assert_num_queries(3):
        assert student_client.get(MY_COURSES).json()["total"] == 10


# --- GET /enrollments/{id} -------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["student", "instructor", "admin"])
def test_the_student_and_the_course_managers_read_an_enrollment(request, reader, student, course):
    enrollment = _enrollment(student, course)

    response = client_for(request.getfixturevalue(reader)).get(_detail(enrollment))

    assert response.status_code == 200
    assert response.json()["id"] == str(enrollment.id)
    assert response.json()["student_id"] == str(student.id)


@pytest.mark.parametrize("outsider", ["other_student", "other_instructor"])
def test_other_users_cannot_see_an_enrollment(request, outsider, student, student_client, course):
    enrollment = _enrollment(student, course)

    response = client_for(request.getfixturevalue(outsider)).get(_detail(enrollment))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert student_client.get(_detail(enrollment)).status_code == 200


def test_an_unknown_enrollment_is_404(student_client):
    response = student_client.get(f"{ENROLL}/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- POST /enrollments/{id}/drop -------------------------------------------------------------------


@pytest.mark.parametrize("dropper", ["student", "admin"])
def test_the_student_or_an_admin_drops_an_enrollment(request, dropper, student, course):
    enrollment = _enrollment(student, course, completed_lessons_count=1, progress_percentage=Decimal("33.33"))

    response = client_for(request.getfixturevalue(dropper)).post(f"{_detail(enrollment)}/drop")

    assert response.status_code == 200
    assert response.json()["status"] == "dropped"
    assert response.json()["progress_percentage"] == "33.33"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.DROPPED
    assert enrollment.completed_lessons_count == 1


def test_the_course_instructor_cannot_drop_a_student(instructor_client, student, student_client, course):
    enrollment = _enrollment(student, course)

    response = instructor_client.post(f"{_detail(enrollment)}/drop")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert student_client.post(f"{_detail(enrollment)}/drop").status_code == 200


def test_another_student_cannot_drop_my_enrollment(student, other_student, student_client, course):
    enrollment = _enrollment(student, course)

    response = client_for(other_student).post(f"{_detail(enrollment)}/drop")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert student_client.post(f"{_detail(enrollment)}/drop").status_code == 200


def test_dropping_twice_is_harmless(student_client, student, course):
    enrollment = _enrollment(student, course)

    first = student_client.post(f"{_detail(enrollment)}/drop")
    second = student_client.post(f"{_detail(enrollment)}/drop")

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["status"] == "dropped"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.DROPPED


# --- GET /enrollments/courses/{id} and /stats ------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/stats"])
@pytest.mark.parametrize("manager", ["instructor", "admin"])
def test_course_managers_read_the_roster_and_stats(request, manager, suffix, student, course):
    _enrollment(student, course)

    response = client_for(request.getfixturevalue(manager)).get(f"{_roster(course)}{suffix}")

    assert response.status_code == 200


@pytest.mark.parametrize("suffix", ["", "/stats"])
@pytest.mark.parametrize("outsider", ["student", "other_instructor"])
def test_others_may_not_read_the_roster_or_stats_of_a_published_course(
    request, outsider, suffix, student, instructor_client, course
):
    _enrollment(student, course)

    response = client_for(request.getfixturevalue(outsider)).get(f"{_roster(course)}{suffix}")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert instructor_client.get(f"{_roster(course)}{suffix}").status_code == 200


@pytest.mark.parametrize("suffix", ["", "/stats"])
def test_the_roster_of_another_instructors_draft_is_404(
    other_instructor, instructor_client, instructor, suffix
):
    draft = CourseFactory(instructor=other_instructor, is_published=False)

    response = instructor_client.get(f"{_roster(draft)}{suffix}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    own_draft = CourseFactory(instructor=instructor, is_published=False)
    assert instructor_client.get(f"{_roster(own_draft)}{suffix}").status_code == 200


def test_the_roster_lists_the_course_enrollments_newest_first_and_filters_by_status(
    instructor_client, instructor, course
):
    now = timezone.now()
    active = _enrollment(StudentFactory(), course)
    dropped = _enrollment(StudentFactory(), course, status=EnrollmentStatus.DROPPED)
    Enrollment.objects.filter(pk=active.pk).update(enrolled_at=now - timedelta(days=2))
    Enrollment.objects.filter(pk=dropped.pk).update(enrolled_at=now - timedelta(days=1))
    _enrollment(StudentFactory(), _published_course(instructor))  # another course of the same instructor

    everyone = instructor_client.get(_roster(course))
    dropped_only = instructor_client.get(_roster(course), {"status": "dropped"})

    assert everyone.status_code == 200
    assert _ids(everyone) == [str(dropped.id), str(active.id)]
    assert everyone.json()["total"] == 2
    assert _ids(dropped_only) == [str(dropped.id)]
    assert dropped_only.json()["total"] == 1


def test_the_roster_is_paginated(instructor_client, course):
    now = timezone.now()
    enrollments = [_enrollment(StudentFactory(), course) for _ in range(5)]
    for age, enrollment in enumerate(enrollments):
        Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=now - timedelta(hours=age))

    response = instructor_client.get(_roster(course), {"page": 3, "page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert _ids(response) == [str(enrollments[4].id)]
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (5, 3, 2, 3)


def test_the_roster_query_count_does_not_grow_with_rows(instructor_client, course, django_assert_num_queries):
    EnrollmentFactory.create_batch(2, course=course)
    # auth user (+ deny-list EXISTS), the course with its instructor, COUNT, the page joined to courses
    with django_assert_num_queries(4):
        assert instructor_client.get(_roster(course)).json()["total"] == 2

    EnrollmentFactory.create_batch(10, course=course)
    with django_assert_num_queries(4):
        assert instructor_client.get(_roster(course)).json()["total"] == 12


def test_course_stats_are_computed_over_every_enrollment(instructor_client, course):
    _enrollment(StudentFactory(), course, progress_percentage=Decimal("10.00"))
    _enrollment(StudentFactory(), course, progress_percentage=Decimal("33.33"))
    _enrollment(
        StudentFactory(), course, status=EnrollmentStatus.COMPLETED, progress_percentage=Decimal("100.00")
    )
    _enrollment(
        StudentFactory(), course, status=EnrollmentStatus.DROPPED, progress_percentage=Decimal("0.00")
    )
    _enrollment(
        StudentFactory(), _published_course(InstructorFactory()), progress_percentage=Decimal("90.00")
    )

    response = instructor_client.get(f"{_roster(course)}/stats")

    assert response.status_code == 200
    # (10 + 33.33 + 100 + 0) / 4 = 35.8325
    assert response.json() == {
        "course_id": str(course.id),
        "total_enrollments": 4,
        "active_enrollments": 2,
        "completed_enrollments": 1,
        "dropped_enrollments": 1,
        "average_progress": "35.83",
    }


def test_course_stats_without_enrollments_have_a_null_average(instructor_client, course):
    response = instructor_client.get(f"{_roster(course)}/stats")

    assert response.status_code == 200
    assert response.json() == {
        "course_id": str(course.id),
        "total_enrollments": 0,
        "active_enrollments": 0,
        "completed_enrollments": 0,
        "dropped_enrollments": 0,
        "average_progress": None,
    }


def test_course_stats_query_count_does_not_grow_with_rows(
    instructor_client, course, django_assert_num_queries
):
    EnrollmentFactory.create_batch(2, course=course)
    # auth user (+ deny-list EXISTS), the course with its instructor, one aggregate over enrollments
    with django_assert_num_queries(3):
        assert instructor_client.get(f"{_roster(course)}/stats").json()["total_enrollments"] == 2

    EnrollmentFactory.create_batch(10, course=course)
    with django_assert_num_queries(3):
        assert instructor_client.get(f"{_roster(course)}/stats").json()["total_enrollments"] == 12


# --- POST /enrollments/{id}/review -----------------------------------------------------------------

GOOD_REVIEW = "Clear, practical and well paced."


def _reviewable(student: User, course: Course) -> Enrollment:
    """An enrollment with one lesson of three done (33.33%, above the 20% a review needs)."""
    return _enrollment(student, course, completed_lessons_count=1, progress_percentage=Decimal("33.33"))


def _review(client, enrollment: Enrollment, rating, review=GOOD_REVIEW):
    return client.post(f"{_detail(enrollment)}/review", {"rating": rating, "review": review})


def test_a_student_reviews_a_course_and_the_course_rating_reflects_it(
    student_client, student, api_client, course
):
    enrollment = _reviewable(student, course)

    response = _review(student_client, enrollment, 4)

    assert response.status_code == 200
    assert (response.json()["rating"], response.json()["review"]) == (4, GOOD_REVIEW)
    assert response.json()["id"] == str(enrollment.id)
    enrollment.refresh_from_db()
    assert (enrollment.rating, enrollment.review) == (4, GOOD_REVIEW)
    assert enrollment.reviewed_at is not None
    course.refresh_from_db()
    assert (course.rating_count, course.rating_sum) == (1, 4)
    assert api_client.get(f"/api/v1/courses/{course.id}").json()["average_rating"] == "4.00"


def test_a_second_review_replaces_the_first(student_client, student, api_client, course):
    enrollment = _reviewable(student, course)
    assert _review(student_client, enrollment, 4).status_code == 200

    response = _review(student_client, enrollment, 2, "On second thoughts, too fast for me.")

    assert response.status_code == 200
    assert (response.json()["rating"], response.json()["review"]) == (
        2,
        "On second thoughts, too fast for me.",
    )
    enrollment.refresh_from_db()
    assert (enrollment.rating, enrollment.review) == (2, "On second thoughts, too fast for me.")
    course.refresh_from_db()
    assert (course.rating_count, course.rating_sum) == (1, 2)
    assert api_client.get(f"/api/v1/courses/{course.id}").json()["average_rating"] == "2.00"


def test_the_course_rating_is_the_mean_of_its_reviews(
    student_client, student, other_student, api_client, course
):
    assert _review(client_for(other_student), _reviewable(other_student, course), 5).status_code == 200

    assert _review(student_client, _reviewable(student, course), 2).status_code == 200

    course.refresh_from_db()
    assert (course.rating_count, course.rating_sum) == (2, 7)
    assert api_client.get(f"/api/v1/courses/{course.id}").json()["average_rating"] == "3.50"


@pytest.mark.parametrize("rating", [0, 6, "five", None])
def test_a_rating_outside_1_to_5_is_400(student_client, student, course, rating):
    enrollment = _reviewable(student, course)

    response = _review(student_client, enrollment, rating)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "rating" in response.json()["errors"]
    enrollment.refresh_from_db()
    assert enrollment.rating is None
    assert _review(student_client, enrollment, 5).status_code == 200


@pytest.mark.parametrize("text", ["Too short", "x" * 2001, ""])
def test_a_review_must_have_10_to_2000_characters(student_client, student, course, text):
    enrollment = _reviewable(student, course)

    response = _review(student_client, enrollment, 5, text)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "review" in response.json()["errors"]
    enrollment.refresh_from_db()
    assert enrollment.review is None
    assert _review(student_client, enrollment, 5, "x" * 2000).status_code == 200
    course.refresh_from_db()
    assert course.rating_count == 1


def test_a_review_needs_at_least_20_percent_progress(student_client, student, course):
    enrollment = _enrollment(student, course, progress_percentage=Decimal("19.99"))

    response = _review(student_client, enrollment, 5)

    assert response.status_code == 403
    assert response.json()["code"] == "review_requires_progress"
    course.refresh_from_db()
    assert course.rating_count == 0
    Enrollment.objects.filter(pk=enrollment.pk).update(progress_percentage=Decimal("20.00"))
    assert _review(student_client, enrollment, 5).status_code == 200
    course.refresh_from_db()
    assert (course.rating_count, course.rating_sum) == (1, 5)


def test_the_instructor_cannot_review_a_students_enrollment(
    instructor_client, student, student_client, course
):
    enrollment = _reviewable(student, course)

    response = _review(instructor_client, enrollment, 1)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    course.refresh_from_db()
    assert course.rating_count == 0
    assert _review(student_client, enrollment, 5).status_code == 200


def test_another_student_cannot_review_my_enrollment(student, other_student, student_client, course):
    enrollment = _reviewable(student, course)

    response = _review(client_for(other_student), enrollment, 1)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    enrollment.refresh_from_db()
    assert enrollment.rating is None
    assert _review(student_client, enrollment, 5).status_code == 200
