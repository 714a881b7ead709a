"""Fixtures of the certificates tests: PDFs go to a temporary storage, and the site has a public
address (the QR code and `verification_url` use it)."""

from __future__ import annotations

import pytest

from courses.models import Course
from courses.tests.factories import CourseFactory
from enrollments.models import Enrollment

from .factories import CompletedEnrollmentFactory

PUBLIC_BASE_URL = "https://lms.example.com"


@pytest.fixture(autouse=True)
def _certificate_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "storage"), "base_url": None},
        },
    }
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.CERTIFICATES_DIR = "certificates"


@pytest.fixture
def course(instructor) -> Course:
    """A published course of `instructor` (one lesson, added by the enrollment factory)."""
    return CourseFactory(instructor=instructor, is_published=True, title="Python from Zero")


@pytest.fixture
def enrollment(student, course) -> Enrollment:
    """`student` completed `course`."""
    return CompletedEnrollmentFactory(student=student, course=course)
