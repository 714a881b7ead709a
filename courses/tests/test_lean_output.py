"""The lean dict builders of the hot read paths give exactly what the DRF serializers give."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from courses import selectors
from courses.serializers import (
    CourseOut,
    LessonListItemOut,
    course_row_to_dict,
    course_to_dict,
    datetime_out,
    lesson_list_item_to_dict,
)
from courses.tests.factories import CourseFactory, LessonFactory

pytestmark = pytest.mark.django_db


def test_course_to_dict_matches_course_out() -> None:
    CourseFactory(
        description=None,
        category=None,
        difficulty_level=None,
        thumbnail_url=None,
        estimated_duration_minutes=None,
        metadata={},
    )
    CourseFactory(
        is_published=True,
        category="programming",
        difficulty_level="beginner",
        thumbnail_url="https://cdn.example.com/x.png",
        estimated_duration_minutes=300,
        metadata={"language": "en", "tags": ["a", "ü"]},
        rating_sum=9,
        rating_count=2,
        enrollments_count=2,
    )
    CourseFactory(is_published=True, rating_sum=13, rating_count=3, metadata={"n": None})
    courses = list(selectors.course_list(user=None, mine=False)) + list(
        CourseFactory._meta.model.objects.select_related("instructor")
    )
    assert len(courses) >= 3
    for course in courses:
        assert course_to_dict(course) == CourseOut(course).data
        assert list(course_to_dict(course)) == list(CourseOut(course).data)
    catalogue = selectors.course_list(user=None, mine=False).values(*selectors.COURSE_ROW_FIELDS)
    rows = {row["id"]: row for row in catalogue}
    published = [course for course in courses if course.is_published]
    assert len(rows) == len({course.pk for course in published}) >= 2
    for course in published:
        assert course_row_to_dict(rows[course.pk]) == CourseOut(course).data
        assert list(course_row_to_dict(rows[course.pk])) == list(CourseOut(course).data)


def test_lesson_list_item_to_dict_matches_lesson_list_item_out() -> None:
    course = CourseFactory()
    first = LessonFactory(course=course, description=None, duration_minutes=None, video_url=None, metadata={})
    LessonFactory(
        course=course,
        parent_lesson=first,
        lesson_type="video",
        duration_minutes=15,
        video_url="https://v.example.com/1",
        is_preview=True,
        metadata={"k": [1, 2]},
    )
    rows = list(selectors.lesson_list(course=course))
    lessons = list(course.lessons.order_by("order_index"))
    assert len(rows) == len(lessons) == 2
    for row, lesson in zip(rows, lessons, strict=True):
        assert lesson_list_item_to_dict(row) == LessonListItemOut(lesson).data
        assert list(lesson_list_item_to_dict(row)) == list(LessonListItemOut(lesson).data)


@pytest.mark.parametrize(
    "value",
    [
        None,
        dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 20, 10, 0, 0, 5, tzinfo=ZoneInfo("Europe/Paris")),
        dt.datetime(2026, 11, 20, 10, 0),
    ],
)
def test_datetime_out_is_drf(value) -> None:
    from rest_framework.fields import DateTimeField

    assert datetime_out(value) == DateTimeField().to_representation(value)
