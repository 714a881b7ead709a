"""The analytics dashboard in the Django admin (`/admin/analytics/`): admins see the platform,
instructors their own courses; server-rendered SVG charts, each with a table under it."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from courses.models import Course
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus, ProgressStatus
from enrollments.tests.factories import EnrollmentFactory, LessonProgressFactory
from quizzes.models import AttemptStatus
from quizzes.tests.factories import AttemptFactory, QuizFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/analytics/"


def _browser(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def _section(html: str, heading: str) -> str:
    """The `<section>` of the page whose heading is `heading`."""
    sections = re.findall(r'<section class="lms-section">(.*?)</section>', html, re.S)
    matching = [s for s in sections if f"<h2>{heading}</h2>" in s]
    assert len(matching) == 1, heading
    return matching[0]


def _chart_and_table(section: str) -> tuple[str, list[list[str]]]:
    """The section's SVG, and the body rows of the table that directly follows it."""
    chart = re.search(r"<svg\b.*?</svg>", section, re.S)
    assert chart is not None
    after = section[chart.end() :].lstrip()
    assert after.startswith("<table>"), "a table must follow the chart"
    body = re.search(r"<tbody>(.*?)</tbody>", after, re.S).group(1)
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    return chart.group(0), rows


def _days() -> list[str]:
    today = timezone.localdate()
    return [(today - timedelta(days=offset)).isoformat() for offset in range(29, -1, -1)]


def _graded(enrollment: Enrollment, quiz, *, passed: bool) -> None:
    AttemptFactory(
        enrollment=enrollment,
        quiz=quiz,
        status=AttemptStatus.GRADED,
        percentage=Decimal("90.00") if passed else Decimal("10.00"),
        is_passed=passed,
        submitted_at=timezone.now(),
    )


@pytest.fixture
def platform(admin, instructor, other_instructor, student, other_student) -> dict[str, Course]:
    """`instructor` teaches "Own course" (3 lessons; `student` and `other_student` enrolled today, a
    third student 5 days ago and completed) with quiz "Own quiz" (3 graded attempts, 2 passed) and
    a draft. `other_instructor` teaches "Their course" (one student, today) with "Their quiz" (one
    graded attempt, failed).

    Lesson 1 is completed by all three students of Own course, lesson 2 by one, lesson 3 by none.
    """
    own = CourseFactory(instructor=instructor, title="Own course", is_published=True)
    lessons = LessonFactory.create_batch(3, course=own)
    CourseFactory(instructor=instructor, title="Own draft")
    theirs = CourseFactory(instructor=other_instructor, title="Their course", is_published=True)

    third = StudentFactory()
    enrollments = [
        EnrollmentFactory(student=student, course=own),
        EnrollmentFactory(student=other_student, course=own),
        EnrollmentFactory(student=third, course=own, status=EnrollmentStatus.COMPLETED),
    ]
    Enrollment.objects.filter(pk=enrollments[2].pk).update(enrolled_at=timezone.now() - timedelta(days=5))
    for enrollment in enrollments:
        LessonProgressFactory(
            enrollment=enrollment,
            lesson=lessons[0],
            status=ProgressStatus.COMPLETED,
            completed_at=timezone.now(),
        )
    LessonProgressFactory(
        enrollment=enrollments[0],
        lesson=lessons[1],
        status=ProgressStatus.COMPLETED,
        completed_at=timezone.now(),
    )
    LessonProgressFactory(enrollment=enrollments[1], lesson=lessons[1])  # opened, not completed

    own_quiz = QuizFactory(course=own, title="Own quiz")
    _graded(enrollments[0], own_quiz, passed=True)
    _graded(enrollments[1], own_quiz, passed=True)
    _graded(enrollments[2], own_quiz, passed=False)

    their_enrollment = EnrollmentFactory(course=theirs)
    _graded(their_enrollment, QuizFactory(course=theirs, title="Their quiz"), passed=False)
    return {"own": own, "theirs": theirs}


def test_the_admin_sees_the_figures_of_the_whole_platform(admin, platform):
    response = _browser(admin).get(DASHBOARD)

    assert response.status_code == 200
    # 1 admin, 2 instructors, 2 personas + 2 more students; 3 courses (2 published); 4 enrollments.
    assert response.context["figures"] == {
        "total_users": 7,
        "total_students": 4,
        "total_instructors": 2,
        "total_admins": 1,
        "total_courses": 3,
        "published_courses": 2,
        "total_enrollments": 4,
        "active_enrollments": 3,
        "completed_enrollments": 1,
        "certificates_issued": 0,
    }
    html = response.content.decode()
    assert "<h2>Platform</h2>" in html
    assert "<li><span>Total users</span><strong>7</strong></li>" in html
    assert "<li><span>Completed enrollments</span><strong>1</strong></li>" in html
    assert "Own course" in html
    assert "Their course" in html
    assert "Their quiz" in html


def test_the_admin_sees_every_course_in_the_enrollment_chart_and_the_quiz_table(admin, platform):
    html = _browser(admin).get(DASHBOARD).content.decode()

    chart, rows = _chart_and_table(_section(html, "Enrollments per day (last 30 days)"))
    today, five_days_ago = _days()[-1], _days()[-6]
    assert rows == [[day, str({today: 3, five_days_ago: 1}.get(day, 0))] for day in _days()]
    assert chart.count("<rect") == 30

    chart, rows = _chart_and_table(_section(html, "Quiz pass rates"))
    assert rows == [
        ["1", "Own quiz", "Own course", "3", "66.67%"],
        ["2", "Their quiz", "Their course", "1", "0.00%"],
    ]
    assert chart.count("<rect") == 2


def test_quizzes_with_as_many_graded_attempts_are_listed_by_title(instructor):
    course = CourseFactory(instructor=instructor, is_published=True)
    enrollment = EnrollmentFactory(course=course)
    for title in ("Delta", "Bravo", "Charlie", "Alpha"):
        _graded(enrollment, QuizFactory(course=course, title=title), passed=True)

    html = _browser(instructor).get(DASHBOARD).content.decode()

    _, rows = _chart_and_table(_section(html, "Quiz pass rates"))
    assert [row[1] for row in rows] == ["Alpha", "Bravo", "Charlie", "Delta"]


def test_an_instructor_sees_only_their_own_courses(instructor, platform):
    response = _browser(instructor).get(DASHBOARD)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Your courses</h2>" in html
    # 2 courses (1 published), 3 distinct students, 3 enrollments (counters), no ratings.
    assert response.context["figures"] == {
        "instructor_id": instructor.pk,
        "total_courses": 2,
        "published_courses": 1,
        "total_students": 3,
        "total_enrollments": 3,
        "average_course_rating": None,
    }
    assert "<li><span>Total students</span><strong>3</strong></li>" in html
    assert "<li><span>Average course rating</span><strong>\u2013</strong></li>" in html
    assert "Their course" not in html
    assert "Their quiz" not in html
    assert [title for _, title in response.context["course_choices"]] == ["Own course", "Own draft"]

    chart, rows = _chart_and_table(_section(html, "Enrollments per day (last 30 days)"))
    assert rows[-1] == [_days()[-1], "2"]  # their course's enrollment today is not counted
    assert sum(int(count) for _, count in rows) == 3
    assert chart.count("<rect") == 30

    _, rows = _chart_and_table(_section(html, "Quiz pass rates"))
    assert rows == [["1", "Own quiz", "Own course", "3", "66.67%"]]

    top = re.findall(r"<tr><td>(.*?)</td>", _section(html, "Top courses").split("<tbody>")[1])
    assert top == ["Own course", "Own draft"]


def test_choosing_an_own_course_shows_its_lesson_funnel_under_a_chart(instructor, platform):
    own = platform["own"]
    lessons = list(own.lessons.order_by("order_index"))

    response = _browser(instructor).get(DASHBOARD, {"course": str(own.pk)})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{own.pk}" selected>Own course</option>' in html
    chart, rows = _chart_and_table(_section(html, "Lesson completion funnel"))
    # 3 enrollments: lesson 1 completed by 3, lesson 2 by 1 (another only opened it), lesson 3 by 0.
    assert rows == [
        ["1", lessons[0].title, "3", "100.00%"],
        ["2", lessons[1].title, "1", "33.33%"],
        ["3", lessons[2].title, "0", "0.00%"],
    ]
    assert chart.count("<rect") == 3


def test_without_a_chosen_course_there_is_no_funnel_chart(instructor, platform):
    html = _browser(instructor).get(DASHBOARD).content.decode()

    funnel = _section(html, "Lesson completion funnel")
    assert "<svg" not in funnel
    assert "<table>" not in funnel


def test_an_admin_may_choose_any_course(admin, platform):
    response = _browser(admin).get(DASHBOARD, {"course": str(platform["theirs"].pk)})

    assert response.status_code == 200
    assert response.context["chosen"] == platform["theirs"]


@pytest.mark.parametrize("course", ["theirs", "unknown", "garbage"])
def test_a_course_that_is_not_the_instructors_is_404(instructor, platform, course):
    course_id = {"theirs": str(platform["theirs"].pk), "unknown": str(uuid.uuid4()), "garbage": "1; DROP"}[
        course
    ]
    browser = _browser(instructor)

    response = browser.get(DASHBOARD, {"course": course_id})

    assert response.status_code == 404
    assert browser.get(DASHBOARD, {"course": str(platform["own"].pk)}).status_code == 200


@pytest.mark.parametrize("who", ["student", "anonymous"])
def test_students_and_strangers_are_sent_to_the_admin_login(request, who):
    client = _browser(request.getfixturevalue("student")) if who == "student" else Client()

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={DASHBOARD}"


@pytest.mark.parametrize("who", ["admin", "instructor"])
def test_the_admin_index_links_to_the_dashboard(request, who):
    response = _browser(request.getfixturevalue(who)).get("/admin/")

    assert response.status_code == 200
    assert f'<a href="{DASHBOARD}">Analytics dashboard</a>' in response.content.decode()


def test_titles_are_escaped_in_the_charts_and_tables(admin):
    course = CourseFactory(title="<b>Bold</b> course", is_published=True)
    _graded(EnrollmentFactory(course=course), QuizFactory(course=course, title="<i>Quiz</i>"), passed=True)

    html = _browser(admin).get(DASHBOARD).content.decode()

    assert "<b>Bold</b>" not in html
    assert "<i>Quiz</i>" not in html
    assert "&lt;i&gt;Quiz&lt;/i&gt;: 100.00%" in html  # the bar's tooltip
    assert "&lt;b&gt;Bold&lt;/b&gt; course" in html


def _more_rows(course: Course, count: int) -> None:
    """`count` more enrollments of `course`, each with completed lessons and a graded attempt."""
    quiz = QuizFactory(course=course)
    for _ in range(count):
        enrollment = EnrollmentFactory(course=course)
        for lesson in course.lessons.all():
            LessonProgressFactory(
                enrollment=enrollment,
                lesson=lesson,
                status=ProgressStatus.COMPLETED,
                completed_at=timezone.now(),
            )
        _graded(enrollment, quiz, passed=True)
    CourseFactory(instructor=course.instructor, is_published=True)


# For an admin with a chosen course: 1 the session, 2 the user, 3 the chosen course, 4 enrollments
# per day, 5-8 the chosen course's analytics (enrollments, funnel, quizzes, per day), 9 quiz pass
# rates, 10-13 the platform figures (users, courses, enrollments, certificates), 14-15 the top
# courses (ids by counter, then their completed counts), 16 the course choices. An instructor's
# figures take 2 queries instead of 4, so 14. A bound, not a count: the admin chrome around the page
# is Django's and may change.
QUERY_BOUND = 16


@pytest.mark.parametrize("who", ["admin", "instructor"])
def test_the_dashboard_costs_a_bounded_number_of_queries_whatever_the_rows(
    request, who, platform, django_assert_max_num_queries
):
    browser = _browser(request.getfixturevalue(who))
    own = platform["own"]
    for extra in (0, 15):
        _more_rows(own, extra)
        with django_assert_max_num_queries(QUERY_BOUND):
            response = browser.get(DASHBOARD, {"course": str(own.pk)})
        assert response.status_code == 200
        assert response.context["funnel"][0]["completed_count"] == 3 + extra
