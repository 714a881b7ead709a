"""Analytics API (contract section 7): every figure compared with one computed by hand on a small
scene built through the services, who may see what, the CSV export, and fixed query counts."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from analytics import selectors
from analytics.serializers import MyDashboardOut, MyProgressOut, my_dashboard_to_dict, my_progress_to_dict
from conftest import client_for
from courses.models import Course, Lesson
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import Enrollment, EnrollmentStatus, LessonProgress, ProgressStatus
from enrollments.services import enrollment_drop, enrollment_enroll, enrollment_review, progress_update
from enrollments.tests.factories import EnrollmentFactory, LessonProgressFactory
from quizzes.models import Attempt, AttemptStatus, Quiz
from quizzes.services import attempt_start, attempt_submit
from quizzes.tests.factories import AttemptFactory, QuizFactory, essay, true_false

pytestmark = pytest.mark.django_db

MY_PROGRESS = "/api/v1/analytics/my-progress"
MY_DASHBOARD = "/api/v1/analytics/my-dashboard"
SYSTEM = "/api/v1/analytics/system/overview"
REVIEW = "Clear, practical and well paced."


def _course_url(course_id: Any) -> str:
    return f"/api/v1/analytics/courses/{course_id}"


def _instructor_url(instructor_id: Any) -> str:
    return f"/api/v1/analytics/instructors/{instructor_id}/overview"


# --- building a scene through the services ---------------------------------------------------------


def _course(instructor: User, *, lessons: int, title: str | None = None, published: bool = True) -> Course:
    course = CourseFactory(
        instructor=instructor, is_published=published, **({"title": title} if title else {})
    )
    LessonFactory.create_batch(lessons, course=course)
    course.refresh_from_db()
    return course


def _lessons(course: Course) -> list[Lesson]:
    return list(course.lessons.order_by("order_index"))


def _enroll(student: User, course: Course, *, days_ago: float | None = None) -> Enrollment:
    enrollment, _ = enrollment_enroll(actor=student, course_id=course.pk)
    if days_ago is not None:
        Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=_ago(days_ago))
    return enrollment


def _learn(enrollment: Enrollment, lesson: Lesson, *, seconds: int, done: bool = True) -> LessonProgress:
    data: dict[str, Any] = {"time_spent_seconds": seconds}
    if done:
        data["status"] = ProgressStatus.COMPLETED
    return progress_update(user=enrollment.student, enrollment=enrollment, lesson_id=lesson.pk, data=data)


def _quiz(course: Course, *, questions: int, title: str) -> Quiz:
    """A published graded course-level quiz (completes no lesson) of true/false questions worth a
    point each, answer "true"; passing score 70%."""
    quiz = QuizFactory(course=course, title=title, shuffle_questions=False, shuffle_options=False)
    for _ in range(questions):
        true_false(quiz, answer="true")
    quiz.refresh_from_db()
    return quiz


def _take(student: User, quiz: Quiz, *, right: int) -> Attempt:
    """Start and submit an attempt with `right` questions answered correctly, the rest wrong."""
    attempt, _ = attempt_start(user=student, quiz=quiz)
    answers = [
        {"question_id": str(question_id), "answer_text": "true" if index < right else "false"}
        for index, question_id in enumerate(
            quiz.questions.order_by("order_index").values_list("pk", flat=True)
        )
    ]
    return attempt_submit(user=student, attempt=attempt, answers=answers)


def _ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def _move_progress(progress: LessonProgress, *, days_ago: float) -> None:
    """Pretend a progress row was written (and completed, if it is) `days_ago` days ago."""
    moment = _ago(days_ago)
    changes: dict[str, Any] = {"updated_at": moment}
    if progress.status == ProgressStatus.COMPLETED:
        changes["completed_at"] = moment
    LessonProgress.objects.filter(pk=progress.pk).update(**changes)


def _move_attempt(attempt: Attempt, *, days_ago: float) -> None:
    Attempt.objects.filter(pk=attempt.pk).update(submitted_at=_ago(days_ago))


def _activity(today: date, figures: dict[int, tuple[int, int, int]]) -> list[dict[str, Any]]:
    """30 days newest first; `figures` maps days-ago to (lessons, minutes, quizzes), others are 0."""
    return [
        {
            "date": (today - timedelta(days=offset)).isoformat(),
            "lessons_completed": figures.get(offset, (0, 0, 0))[0],
            "time_spent_minutes": figures.get(offset, (0, 0, 0))[1],
            "quizzes_taken": figures.get(offset, (0, 0, 0))[2],
        }
        for offset in range(30)
    ]


# --- my-progress and my-dashboard ------------------------------------------------------------------


@pytest.fixture
def learner(instructor, student, other_student) -> dict[str, Any]:
    """`student` in three courses, each in another state, with dated progress and quiz attempts:

    - Algebra (4 lessons), active, enrolled 20 days ago: lesson 1 completed today (600 s), lesson 2
      in progress 3 days ago (300 s). Quiz "Algebra check" (3 questions) taken twice: 1/3 = 33.33%
      failed 3 days ago, 3/3 = 100% passed today. Quiz "Algebra extra": an attempt still in progress.
    - Biology (2 lessons), completed, enrolled 10 days ago: lesson 1 completed 40 days ago (1200 s,
      outside the 30-day window), lesson 2 completed 3 days ago (1800 s). Quiz "Biology check"
      (4 questions): 1/4 = 25% failed 3 days ago.
    - Chemistry (3 lessons), dropped, enrolled 5 days ago: lesson 1 completed 29 days ago (900 s,
      the oldest day of the window).

    `other_student` learns in Algebra too (a completed lesson and a passed quiz today): none of it
    may show in `student`'s figures.
    """
    algebra = _course(instructor, lessons=4, title="Algebra")
    biology = _course(instructor, lessons=2, title="Biology")
    chemistry = _course(instructor, lessons=3, title="Chemistry")
    algebra_check = _quiz(algebra, questions=3, title="Algebra check")
    algebra_extra = _quiz(algebra, questions=1, title="Algebra extra")
    biology_check = _quiz(biology, questions=4, title="Biology check")

    in_algebra = _enroll(student, algebra, days_ago=20)
    a1, a2, *_ = _lessons(algebra)
    _move_progress(_learn(in_algebra, a1, seconds=600), days_ago=0)
    _move_progress(_learn(in_algebra, a2, seconds=300, done=False), days_ago=3)
    _move_attempt(_take(student, algebra_check, right=1), days_ago=3)
    _move_attempt(_take(student, algebra_check, right=3), days_ago=0)
    attempt_start(user=student, quiz=algebra_extra)

    in_biology = _enroll(student, biology, days_ago=10)
    b1, b2 = _lessons(biology)
    _move_progress(_learn(in_biology, b1, seconds=1200), days_ago=40)
    _move_progress(_learn(in_biology, b2, seconds=1800), days_ago=3)
    _move_attempt(_take(student, biology_check, right=1), days_ago=3)

    in_chemistry = _enroll(student, chemistry, days_ago=5)
    _move_progress(_learn(in_chemistry, _lessons(chemistry)[0], seconds=900), days_ago=29)
    enrollment_drop(enrollment=in_chemistry)

    theirs = _enroll(other_student, algebra)
    _learn(theirs, a1, seconds=5000)
    _take(other_student, algebra_check, right=3)
    _take(other_student, algebra_extra, right=1)

    return {"algebra": algebra, "biology": biology, "chemistry": chemistry}


def test_the_scene_is_in_the_states_the_figures_assume(learner, student):
    states = dict(Enrollment.objects.filter(student=student).values_list("course__title", "status"))
    assert states == {
        "Algebra": EnrollmentStatus.ACTIVE,
        "Biology": EnrollmentStatus.COMPLETED,
        "Chemistry": EnrollmentStatus.DROPPED,
    }
    graded = Attempt.objects.filter(enrollment__student=student, status=AttemptStatus.GRADED)
    assert sorted((a.quiz.title, a.percentage, a.is_passed) for a in graded) == [
        ("Algebra check", Decimal("33.33"), False),
        ("Algebra check", Decimal("100.00"), True),
        ("Biology check", Decimal("25.00"), False),
    ]


# By hand, for `student` (the `learner` scene):
#   average_progress  = (25.00 + 100.00 + 33.33) / 3 = 52.776... -> 52.78
#   total time        = 600 + 300 + 1200 + 1800 + 900 = 4800 s = 1.333... h -> 1.33
#   lessons completed = 1 (Algebra) + 2 (Biology) + 1 (Chemistry) = 4
#   quizzes taken     = Algebra check, Biology check = 2 (three graded attempts; the in-progress
#                       attempt at Algebra extra does not count)
#   average quiz      = (33.33 + 100.00 + 25.00) / 3 = 52.776... -> 52.78
STUDENT_SUMMARY = {
    "total_enrollments": 3,
    "active_enrollments": 1,
    "completed_enrollments": 1,
    "average_progress": "52.78",
    "total_time_hours": "1.33",
    "total_lessons_completed": 4,
    "quizzes_taken": 2,
    "quizzes_passed": 1,
    "average_quiz_score": "52.78",
}


def test_my_progress_sums_up_my_enrollments_lessons_and_graded_quizzes(learner, student, student_client):
    response = student_client.get(MY_PROGRESS)

    assert response.status_code == 200
    assert response.json() == {"student_id": str(student.pk), **STUDENT_SUMMARY}


def test_my_progress_shows_another_student_only_their_own_figures(learner, other_student):
    response = client_for(other_student).get(MY_PROGRESS)

    # Algebra: lesson 1 of 4 (25.00%, 5000 s = 1.39 h); quizzes 3/3 = 100% and 1/1 = 100%, both passed.
    assert response.status_code == 200
    assert response.json() == {
        "student_id": str(other_student.pk),
        "total_enrollments": 1,
        "active_enrollments": 1,
        "completed_enrollments": 0,
        "average_progress": "25.00",
        "total_time_hours": "1.39",
        "total_lessons_completed": 1,
        "quizzes_taken": 2,
        "quizzes_passed": 2,
        "average_quiz_score": "100.00",
    }


def test_my_progress_without_any_enrollment_has_zero_counts_and_null_averages(student_client, student):
    response = student_client.get(MY_PROGRESS)

    assert response.status_code == 200
    assert response.json() == {
        "student_id": str(student.pk),
        "total_enrollments": 0,
        "active_enrollments": 0,
        "completed_enrollments": 0,
        "average_progress": None,
        "total_time_hours": "0.00",
        "total_lessons_completed": 0,
        "quizzes_taken": 0,
        "quizzes_passed": 0,
        "average_quiz_score": None,
    }


@pytest.mark.parametrize(
    "url",
    [MY_PROGRESS, MY_DASHBOARD, _course_url(uuid.uuid4()), _instructor_url(uuid.uuid4()), SYSTEM],
)
def test_every_analytics_endpoint_needs_authentication(api_client, url):
    response = api_client.get(url)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_my_dashboard_lists_each_course_newest_enrollment_first_and_30_days_of_activity(
    learner, student, student_client
):
    today = timezone.localdate()

    response = student_client.get(MY_DASHBOARD)

    assert response.status_code == 200
    assert response.json() == {
        "student_id": str(student.pk),
        "summary": {"student_id": str(student.pk), **STUDENT_SUMMARY},
        "courses": [
            {
                "course_id": str(learner["chemistry"].pk),
                "course_title": "Chemistry",
                "progress_percentage": "33.33",
                "completed_lessons": 1,
                "total_lessons": 3,
                "time_spent_hours": "0.25",  # 900 s
                "quizzes_completed": 0,
                "average_quiz_score": None,
            },
            {
                "course_id": str(learner["biology"].pk),
                "course_title": "Biology",
                "progress_percentage": "100.00",
                "completed_lessons": 2,
                "total_lessons": 2,
                "time_spent_hours": "0.83",  # 3000 s
                "quizzes_completed": 1,
                "average_quiz_score": "25.00",
            },
            {
                "course_id": str(learner["algebra"].pk),
                "course_title": "Algebra",
                "progress_percentage": "25.00",
                "completed_lessons": 1,
                "total_lessons": 4,
                "time_spent_hours": "0.25",  # 900 s
                "quizzes_completed": 1,  # two graded attempts at one quiz
                # (33.33 + 100.00) / 2 = 66.665: rounded half up, as every other 2-dp figure.
                "average_quiz_score": "66.67",
            },
        ],
        # today: Algebra lesson 1 (600 s) and the passed Algebra check;
        # 3 days ago: Biology lesson 2 (1800 s) + the Algebra lesson 2 write (300 s) = 35 min, and two
        #   quizzes (the failed Algebra check and Biology check);
        # 29 days ago: Chemistry lesson 1 (900 s). Biology lesson 1, 40 days ago, is outside.
        "recent_activity": _activity(today, {0: (1, 10, 1), 3: (1, 35, 2), 29: (1, 15, 0)}),
    }


def test_a_lesson_completed_one_day_and_written_again_later_counts_on_each_of_its_days(
    learner, student, student_client
):
    # Completions count on the day they happened, time on the day the row was last written: a row
    # completed 29 days ago and revisited today adds its minutes today, its completion 29 days ago; one
    # completed 40 days ago (outside the window) and revisited 3 days ago adds only minutes.
    LessonProgress.objects.filter(enrollment__course=learner["chemistry"]).update(updated_at=_ago(0))
    first_biology_lesson = _lessons(learner["biology"])[0]
    LessonProgress.objects.filter(lesson=first_biology_lesson).update(updated_at=_ago(3))

    body = student_client.get(MY_DASHBOARD).json()

    # today: 10 min before + Chemistry's 900 s; 3 days ago: 35 min + Biology lesson 1's 1200 s.
    assert body["recent_activity"] == _activity(
        timezone.localdate(), {0: (1, 25, 1), 3: (1, 55, 2), 29: (1, 0, 0)}
    )


def test_the_lean_dashboard_and_progress_dicts_are_exactly_their_serializers(learner, student, other_student):
    """The student's own figures are built without DRF (issue 7); they must stay the contract's."""
    for user in (student, other_student):  # with figures, and with nothing at all
        progress = selectors.my_progress(user=user)
        dashboard = selectors.my_dashboard(user=user)
        assert my_progress_to_dict(progress) == MyProgressOut(progress).data
        assert my_dashboard_to_dict(dashboard) == MyDashboardOut(dashboard).data
        assert json.dumps(my_dashboard_to_dict(dashboard)) == json.dumps(MyDashboardOut(dashboard).data)


def test_my_dashboard_without_any_enrollment_still_has_30_empty_days(student_client, student):
    response = student_client.get(MY_DASHBOARD)

    assert response.status_code == 200
    body = response.json()
    assert body["courses"] == []
    assert body["summary"]["total_enrollments"] == 0
    assert body["recent_activity"] == _activity(timezone.localdate(), {})


def _busy_enrollment(student: User) -> None:
    """An enrollment with two completed lessons, an in-progress one and two graded attempts."""
    course = _course(InstructorFactory(), lessons=3)
    enrollment = EnrollmentFactory(student=student, course=course)
    for lesson in _lessons(course)[:2]:
        LessonProgressFactory(
            enrollment=enrollment,
            lesson=lesson,
            status=ProgressStatus.COMPLETED,
            completed_at=timezone.now(),
            time_spent_seconds=120,
        )
    LessonProgressFactory(enrollment=enrollment, lesson=_lessons(course)[2], time_spent_seconds=60)
    quiz = QuizFactory(course=course)
    for percentage in (Decimal("40.00"), Decimal("80.00")):
        AttemptFactory(
            enrollment=enrollment,
            quiz=quiz,
            status=AttemptStatus.GRADED,
            percentage=percentage,
            is_passed=percentage >= 70,
            submitted_at=timezone.now(),
        )


def test_my_progress_and_dashboard_cost_the_same_queries_for_2_and_10_enrollments(
    student, student_client, django_assert_num_queries
):
    for count in (2, 10):
        while Enrollment.objects.filter(student=student).count() < count:
            _busy_enrollment(student)

        # 1 the user behind the bearer token, 2 the enrollment aggregate, 3 completed lessons,
        # 4 the graded-attempt aggregate
        with django_assert_num_queries(4):
            assert student_client.get(MY_PROGRESS).json()["total_enrollments"] == count

        # 1 the user, 2 one row per course (quiz figures in subqueries), 3 lessons completed and time
        # spent per day, 4 quizzes per day, 5-7 the three my-progress queries
        with django_assert_num_queries(7):
            body = student_client.get(MY_DASHBOARD).json()
        assert len(body["courses"]) == count
        assert body["recent_activity"][0]["lessons_completed"] == 2 * count


# --- course analytics ------------------------------------------------------------------------------


@pytest.fixture
def taught(instructor) -> dict[str, Any]:
    """A published course of `instructor` (3 lessons, three quizzes) and four students:

    - Alice: every lesson (600 s each) -> completed; rated 5; "Check" 1/3 = 33.33% then 3/3 = 100%;
      "Essay" submitted, waiting for a grade. Enrolled 10 days ago.
    - Bob: lessons 1 and 2 (900 s each) -> active, 66.67%; rated 4; "Check" 2/3 = 66.67% (failed),
      then a second attempt still in progress. Enrolled 10 days ago.
    - Carol: lesson 1 (300 s), then dropped (33.33%). Enrolled today.
    - Dan: lesson 1 opened (not completed, 0 s) -> active, 0.00%. Enrolled 45 days ago (outside).

    Another course of the same instructor, with its own student, must not count anywhere.
    """
    course = _course(instructor, lessons=3, title="Statistics")
    l1, l2, l3 = _lessons(course)
    check = _quiz(course, questions=3, title="Check")
    essay_quiz = QuizFactory(course=course, title="Essay")
    essay(essay_quiz)
    untouched = QuizFactory(course=course, title="Untouched", is_published=False)

    alice = StudentFactory(full_name="Alice Archer", email="alice@example.com")
    bob = StudentFactory(full_name="Bob Baker", email="bob@example.com")
    carol = StudentFactory(full_name="Carol Cook", email="carol@example.com")
    dan = StudentFactory(full_name="Dan Dyer", email="dan@example.com")

    in_alice = _enroll(alice, course, days_ago=10)
    for lesson in (l1, l2, l3):
        _learn(in_alice, lesson, seconds=600)
    enrollment_review(enrollment=in_alice, rating=5, review=REVIEW)
    _take(alice, check, right=1)
    _take(alice, check, right=3)
    attempt, _ = attempt_start(user=alice, quiz=essay_quiz)
    attempt_submit(
        user=alice,
        attempt=attempt,
        answers=[{"question_id": str(essay_quiz.questions.get().pk), "answer_text": "An essay."}],
    )

    in_bob = _enroll(bob, course, days_ago=10)
    _learn(in_bob, l1, seconds=900)
    _learn(in_bob, l2, seconds=900)
    enrollment_review(enrollment=in_bob, rating=4, review=REVIEW)
    _take(bob, check, right=2)
    attempt_start(user=bob, quiz=check)

    in_carol = _enroll(carol, course, days_ago=0)
    _learn(in_carol, l1, seconds=300)
    enrollment_drop(enrollment=in_carol)

    in_dan = _enroll(dan, course, days_ago=45)
    _learn(in_dan, l1, seconds=0, done=False)

    elsewhere = _course(instructor, lessons=1, title="Elsewhere")
    theirs = _enroll(StudentFactory(), elsewhere)
    _learn(theirs, _lessons(elsewhere)[0], seconds=7200)
    enrollment_review(enrollment=theirs, rating=1, review=REVIEW)
    _take(theirs.student, _quiz(elsewhere, questions=1, title="Elsewhere check"), right=0)

    return {
        "course": course,
        "lessons": (l1, l2, l3),
        "quizzes": (check, essay_quiz, untouched),
        "enrollments": {"alice": in_alice, "bob": in_bob, "carol": in_carol, "dan": in_dan},
    }


def test_course_analytics_figures_match_a_hand_count(taught, instructor_client):
    course = taught["course"]
    l1, l2, l3 = taught["lessons"]
    check, essay_quiz, untouched = taught["quizzes"]
    today = timezone.localdate()

    response = instructor_client.get(_course_url(course.pk))

    assert response.status_code == 200
    by_day = {today - timedelta(days=10): 2, today: 1}  # Dan, 45 days ago, is outside
    assert response.json() == {
        "course_id": str(course.pk),
        "course_title": "Statistics",
        # Every status counts, the dropped one included.
        "total_enrollments": 4,
        "active_students": 2,
        "completed_students": 1,
        "dropped_students": 1,
        "completion_rate": "25.00",  # 1 / 4
        "average_progress": "50.00",  # (100 + 66.67 + 33.33 + 0) / 4
        "average_time_hours": "0.27",  # (1800 + 1800 + 300 + 0) / 4 = 975 s
        "average_rating": "4.50",  # (5 + 4) / 2
        "total_reviews": 2,
        "lesson_funnel": [
            {
                "lesson_id": str(l1.pk),
                "title": l1.title,
                "order_index": 1,
                "completed_count": 3,  # Alice, Bob, Carol; Dan only opened it
                "completion_rate": "75.00",
            },
            {
                "lesson_id": str(l2.pk),
                "title": l2.title,
                "order_index": 2,
                "completed_count": 2,
                "completion_rate": "50.00",
            },
            {
                "lesson_id": str(l3.pk),
                "title": l3.title,
                "order_index": 3,
                "completed_count": 1,
                "completion_rate": "25.00",
            },
        ],
        "quizzes": [
            {
                # Three graded attempts (Bob's one in progress is not an attempt yet), one passed;
                # (33.33 + 100 + 66.67) / 3 = 66.67.
                "quiz_id": str(check.pk),
                "title": "Check",
                "attempts": 3,
                "pass_rate": "33.33",
                "average_percentage": "66.67",
            },
            {
                # Submitted and waiting for a grade: an attempt, but nothing to pass or average yet.
                "quiz_id": str(essay_quiz.pk),
                "title": "Essay",
                "attempts": 1,
                "pass_rate": None,
                "average_percentage": None,
            },
            {
                "quiz_id": str(untouched.pk),
                "title": "Untouched",
                "attempts": 0,
                "pass_rate": None,
                "average_percentage": None,
            },
        ],
        "enrollments_by_day": [
            {"date": day.isoformat(), "count": by_day.get(day, 0)}
            for day in (today - timedelta(days=offset) for offset in range(29, -1, -1))
        ],
    }


def test_course_analytics_counts_an_enrollment_once_whatever_it_joins_to(
    instructor, instructor_client, django_assert_num_queries
):
    """One enrollment with three progress rows, five attempts and a review: no join may multiply it."""
    course = _course(instructor, lessons=3)
    quiz = _quiz(course, questions=2, title="Twice")
    busy = _enroll(StudentFactory(), course)
    for lesson in _lessons(course):
        _learn(busy, lesson, seconds=1200)
    enrollment_review(enrollment=busy, rating=3, review=REVIEW)
    for right in (0, 1, 2, 2, 1):
        _take(busy.student, quiz, right=right)
    quiet = _enroll(StudentFactory(), course)

    body = instructor_client.get(_course_url(course.pk)).json()

    assert body["total_enrollments"] == 2
    assert (body["completed_students"], body["active_students"]) == (1, 1)
    assert body["completion_rate"] == "50.00"
    assert body["average_progress"] == "50.00"  # (100 + 0) / 2
    assert body["average_time_hours"] == "0.50"  # (3600 + 0) / 2 s
    assert (body["average_rating"], body["total_reviews"]) == ("3.00", 1)
    assert [step["completed_count"] for step in body["lesson_funnel"]] == [1, 1, 1]
    # 0, 50, 100, 100, 50 %: two passed of five.
    assert body["quizzes"] == [
        {
            "quiz_id": str(quiz.pk),
            "title": "Twice",
            "attempts": 5,
            "pass_rate": "40.00",
            "average_percentage": "60.00",
        }
    ]
    assert Enrollment.objects.get(pk=quiet.pk).progress_percentage == Decimal("0.00")


def test_course_analytics_of_a_course_without_enrollments_has_zero_rates_and_null_averages(
    instructor, instructor_client
):
    course = _course(instructor, lessons=1)

    body = instructor_client.get(_course_url(course.pk)).json()

    assert {key: body[key] for key in body if key not in {"lesson_funnel", "enrollments_by_day"}} == {
        "course_id": str(course.pk),
        "course_title": course.title,
        "total_enrollments": 0,
        "active_students": 0,
        "completed_students": 0,
        "dropped_students": 0,
        "completion_rate": "0.00",
        "average_progress": None,
        "average_time_hours": None,
        "average_rating": None,
        "total_reviews": 0,
        "quizzes": [],
    }
    assert [step["completion_rate"] for step in body["lesson_funnel"]] == ["0.00"]
    assert {day["count"] for day in body["enrollments_by_day"]} == {0}
    assert len(body["enrollments_by_day"]) == 30


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_course_analytics_as_csv_streams_one_row_per_student(taught, instructor_client):
    course = taught["course"]
    enrollments = {name: Enrollment.objects.get(pk=e.pk) for name, e in taught["enrollments"].items()}

    response = instructor_client.get(_course_url(course.pk), {"format": "csv"})

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="course-{course.slug}-students.csv"'

    def seen(name: str) -> str:
        return enrollments[name].last_accessed_at.isoformat()

    assert _csv(response) == [
        [
            "student_name",
            "email",
            "status",
            "progress_percentage",
            "time_spent_hours",
            "last_accessed_at",
            "best_quiz_percentage",
        ],
        # By name; best graded attempt (Alice's pending essay is not graded, Carol and Dan took none).
        ["Alice Archer", "alice@example.com", "completed", "100.00", "0.50", seen("alice"), "100.00"],
        ["Bob Baker", "bob@example.com", "active", "66.67", "0.50", seen("bob"), "66.67"],
        ["Carol Cook", "carol@example.com", "dropped", "33.33", "0.08", seen("carol"), ""],
        ["Dan Dyer", "dan@example.com", "active", "0.00", "0.00", seen("dan"), ""],
    ]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(instructor, instructor_client):
    course = _course(instructor, lessons=1)
    EnrollmentFactory(
        course=course, student=StudentFactory(full_name='=HYPERLINK("http://evil.example","x")')
    )

    rows = _csv(instructor_client.get(_course_url(course.pk), {"format": "csv"}))

    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize("reader", ["instructor", "admin"])
def test_the_owner_and_admins_read_course_analytics(request, reader, instructor):
    course = _course(instructor, lessons=1)

    response = client_for(request.getfixturevalue(reader)).get(_course_url(course.pk))

    assert response.status_code == 200
    assert response.json()["course_id"] == str(course.pk)


@pytest.mark.parametrize("reader", ["student", "other_instructor"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_students_and_other_instructors_may_not_read_course_analytics(request, reader, fmt, instructor):
    course = _course(instructor, lessons=1)
    EnrollmentFactory(course=course, student=request.getfixturevalue("student"))

    response = client_for(request.getfixturevalue(reader)).get(_course_url(course.pk), {"format": fmt})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client_for(instructor).get(_course_url(course.pk), {"format": fmt}).status_code == 200


def test_a_draft_course_of_someone_else_is_404_for_another_instructor(instructor, other_instructor):
    course = _course(instructor, lessons=1, published=False)

    response = client_for(other_instructor).get(_course_url(course.pk))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client_for(instructor).get(_course_url(course.pk)).status_code == 200


def test_course_analytics_of_an_unknown_course_is_404(admin_client):
    response = admin_client.get(_course_url(uuid.uuid4()))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_course_analytics_in_an_unknown_format_is_400(instructor, instructor_client):
    course = _course(instructor, lessons=1)

    response = instructor_client.get(_course_url(course.pk), {"format": "xml"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["format"]
    assert instructor_client.get(_course_url(course.pk), {"format": "json"}).status_code == 200


def test_course_analytics_answers_with_a_trailing_slash_too(instructor, instructor_client):
    course = _course(instructor, lessons=1)

    response = instructor_client.get(_course_url(course.pk) + "/")

    assert response.status_code == 200
    assert response.json()["course_id"] == str(course.pk)


def _crowd(course: Course, quiz: Quiz, count: int) -> None:
    """Enrollments until the course has `count`, each with progress rows and graded attempts."""
    lessons = _lessons(course)
    while Enrollment.objects.filter(course=course).count() < count:
        enrollment = EnrollmentFactory(course=course, progress_percentage=Decimal("50.00"))
        for lesson in lessons:
            LessonProgressFactory(
                enrollment=enrollment,
                lesson=lesson,
                status=ProgressStatus.COMPLETED,
                completed_at=timezone.now(),
            )
        for number in (1, 2):
            AttemptFactory(
                enrollment=enrollment,
                quiz=quiz,
                attempt_number=number,
                status=AttemptStatus.GRADED,
                percentage=Decimal("80.00"),
                is_passed=True,
            )


def test_course_analytics_costs_the_same_queries_for_3_and_20_enrollments(
    instructor, instructor_client, django_assert_num_queries
):
    course = _course(instructor, lessons=2)
    quiz = QuizFactory(course=course)
    for count in (3, 20):
        _crowd(course, quiz, count)

        # 1 the user behind the bearer token, 2 the course (with the manager check), 3 the enrollment
        # aggregate, 4 the lesson funnel, 5 the quizzes, 6 enrollments per day
        with django_assert_num_queries(6):
            assert instructor_client.get(_course_url(course.pk)).json()["total_enrollments"] == count

        # 1 the user, 2 the course, 3 every row of the table (best quiz in a subquery), read while
        # the response streams
        with django_assert_num_queries(3):
            response = instructor_client.get(_course_url(course.pk), {"format": "csv"})
            assert len(_csv(response)) == count + 1


# --- instructor overview ---------------------------------------------------------------------------


@pytest.fixture
def teaching(instructor, other_instructor) -> dict[str, User]:
    """`instructor` teaches Published one (Sue, Tom, Uma who dropped), Published two (Sue again,
    Vic) and a draft without students. Ratings: Sue 5 and Tom 4 in the first course (average 4.50),
    Vic 3 in the second (3.00). `other_instructor` teaches Sue and Wes elsewhere, rated 1."""
    sue, tom, uma, vic, wes = (StudentFactory() for _ in range(5))
    first = CourseFactory(instructor=instructor, is_published=True, title="Published one")
    second = CourseFactory(instructor=instructor, is_published=True, title="Published two")
    CourseFactory(instructor=instructor, is_published=False, title="Draft")
    theirs = CourseFactory(instructor=other_instructor, is_published=True)
    at_least_a_fifth = Decimal("40.00")
    for student, course, rating in [
        (sue, first, 5),
        (tom, first, 4),
        (uma, first, None),
        (sue, second, None),
        (vic, second, 3),
        (sue, theirs, 1),
        (wes, theirs, None),
    ]:
        enrollment = EnrollmentFactory(student=student, course=course, progress_percentage=at_least_a_fifth)
        if rating is not None:
            enrollment_review(enrollment=enrollment, rating=rating, review=REVIEW)
        if student is uma:
            enrollment_drop(enrollment=enrollment)
    return {"sue": sue}


@pytest.mark.parametrize("reader", ["instructor", "admin"])
def test_instructor_overview_counts_distinct_students_and_averages_course_ratings(
    request, reader, teaching, instructor
):
    response = client_for(request.getfixturevalue(reader)).get(_instructor_url(instructor.pk))

    assert response.status_code == 200
    assert response.json() == {
        "instructor_id": str(instructor.pk),
        "total_courses": 3,
        "published_courses": 2,
        "total_students": 4,  # Sue (in both courses) once, Tom, Uma (dropped), Vic
        "total_enrollments": 5,
        # The mean of each rated course's average, (4.50 + 3.00) / 2, not the mean of the three
        # ratings (4.00): every course weighs the same.
        "average_course_rating": "3.75",
    }


def test_the_average_course_rating_is_rounded_half_up(instructor, instructor_client):
    course = CourseFactory(instructor=instructor, is_published=True)
    for rating in (5, 5, 5, 5, 5, 4, 2, 2):  # 33 / 8 = 4.125
        enrollment = EnrollmentFactory(course=course, progress_percentage=Decimal("50.00"))
        enrollment_review(enrollment=enrollment, rating=rating, review=REVIEW)

    body = instructor_client.get(_instructor_url(instructor.pk)).json()

    assert body["average_course_rating"] == "4.13"
    # The course endpoint rounds its own average the same way.
    assert instructor_client.get(_course_url(course.pk)).json()["average_rating"] == "4.13"


def test_instructor_overview_of_an_instructor_without_courses_is_zeros_and_a_null_rating(admin_client):
    newcomer = InstructorFactory()

    response = admin_client.get(_instructor_url(newcomer.pk))

    assert response.status_code == 200
    assert response.json() == {
        "instructor_id": str(newcomer.pk),
        "total_courses": 0,
        "published_courses": 0,
        "total_students": 0,
        "total_enrollments": 0,
        "average_course_rating": None,
    }


@pytest.mark.parametrize("reader", ["other_instructor", "student"])
def test_only_admins_and_the_instructor_read_an_instructor_overview(request, reader, teaching, instructor):
    response = client_for(request.getfixturevalue(reader)).get(_instructor_url(instructor.pk))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client_for(instructor).get(_instructor_url(instructor.pk)).status_code == 200


@pytest.mark.parametrize("target", ["unknown", "student"])
def test_instructor_overview_of_someone_who_is_not_an_instructor_is_404(admin_client, student, target):
    instructor_id = uuid.uuid4() if target == "unknown" else student.pk

    response = admin_client.get(_instructor_url(instructor_id))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_instructor_overview_costs_a_fixed_number_of_queries(
    teaching, instructor, instructor_client, django_assert_num_queries
):
    def overview() -> dict[str, Any]:
        # 1 the user behind the bearer token, 2 the instructor, 3 the course counters, 4 distinct
        # students
        with django_assert_num_queries(4):
            return instructor_client.get(_instructor_url(instructor.pk)).json()

    assert overview()["total_students"] == 4
    EnrollmentFactory.create_batch(6, course=Course.objects.get(title="Published two"))
    assert overview()["total_students"] == 10


# --- system overview -------------------------------------------------------------------------------


def test_system_overview_counts_users_courses_enrollments_and_valid_certificates(
    admin, instructor, other_instructor, student, other_student, admin_client
):
    certificates = pytest.importorskip(
        "certificates.services", reason="the certificates app is not there yet"
    )
    third = StudentFactory()
    AdminFactory()
    first = _course(instructor, lessons=1)
    second = _course(other_instructor, lessons=1)
    _course(instructor, lessons=1, published=False)
    _enroll(student, first)  # active
    done = _enroll(student, second)
    _learn(done, _lessons(second)[0], seconds=60)  # completed
    certificates.certificate_issue(enrollment_id=done.pk, actor=admin, render_after_commit=False)
    dropped = _enroll(other_student, first)
    _learn(dropped, _lessons(first)[0], seconds=60)  # completed, certified, revoked, then dropped
    revoked, _ = certificates.certificate_issue(
        enrollment_id=dropped.pk, actor=admin, render_after_commit=False
    )
    certificates.certificate_revoke(certificate=revoked, actor=admin, reason="Issued by mistake.")
    enrollment_drop(enrollment=dropped)
    _enroll(third, second)  # active

    response = admin_client.get(SYSTEM)

    assert response.status_code == 200
    assert response.json() == {
        "total_users": 7,
        "total_students": 3,
        "total_instructors": 2,
        "total_admins": 2,
        "total_courses": 3,
        "published_courses": 2,
        "total_enrollments": 4,  # the dropped one too
        "active_enrollments": 2,
        "completed_enrollments": 1,
        "certificates_issued": 1,
    }


@pytest.mark.parametrize("reader", ["instructor", "student"])
def test_the_system_overview_is_for_admins_only(request, reader, admin_client):
    response = client_for(request.getfixturevalue(reader)).get(SYSTEM)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert admin_client.get(SYSTEM).status_code == 200


def test_the_system_overview_costs_a_fixed_number_of_queries(admin, admin_client, django_assert_num_queries):
    for count in (1, 8):
        while Enrollment.objects.count() < count:
            EnrollmentFactory()
        # 1 the user behind the bearer token, 2 users by role, 3 courses, 4 enrollments by status,
        # 5 valid certificates
        with django_assert_num_queries(5):
            assert admin_client.get(SYSTEM).json()["total_enrollments"] == count
