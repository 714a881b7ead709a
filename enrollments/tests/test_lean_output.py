"""my-courses' lean dict builder gives exactly what EnrollmentOut gives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollments import selectors
from enrollments.serializers import (
    ENROLLMENT_ROW_FIELDS,
    EnrollmentOut,
    enrollment_row_to_dict,
    enrollment_to_dict,
)
from enrollments.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def test_enrollment_to_dict_matches_enrollment_out(student) -> None:
    EnrollmentFactory(student=student)
    EnrollmentFactory(
        student=student,
        status="completed",
        started_at=dt.datetime(2026, 11, 1, 8, 0, 0, 250000, tzinfo=dt.UTC),
        completed_at=dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC),
        progress_percentage=Decimal("100.00"),
        completed_lessons_count=3,
        total_time_spent_seconds=1234,
        last_accessed_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
        certificate_issued_at=dt.datetime(2026, 11, 20, 9, 5, tzinfo=dt.UTC),
        rating=5,
        review="Clear and practical, thank you! Grüße",
    )
    EnrollmentFactory(student=student, status="dropped", progress_percentage=Decimal("33.3"))
    enrollments = list(selectors.enrollment_list_for_student(student=student))
    assert len(enrollments) == 3
    for enrollment in enrollments:
        assert enrollment_to_dict(enrollment) == EnrollmentOut(enrollment).data
        assert list(enrollment_to_dict(enrollment)) == list(EnrollmentOut(enrollment).data)
    rows = selectors.enrollment_list_for_student(student=student).values(*ENROLLMENT_ROW_FIELDS)
    assert [enrollment_row_to_dict(row) for row in rows] == [EnrollmentOut(e).data for e in enrollments]
