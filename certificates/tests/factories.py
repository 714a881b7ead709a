from datetime import UTC, datetime

import factory
from django.utils import timezone

from certificates.models import Certificate
from certificates.numbers import new_certificate_number
from courses.tests.factories import CourseFactory, LessonFactory
from enrollments.models import EnrollmentStatus
from enrollments.tests.factories import EnrollmentFactory

COMPLETED_AT = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)


class CompletedEnrollmentFactory(EnrollmentFactory):
    """An enrollment whose every lesson is done (the course gets one lesson)."""

    class Meta:
        skip_postgeneration_save = True

    status = EnrollmentStatus.COMPLETED
    started_at = COMPLETED_AT
    completed_at = COMPLETED_AT
    completed_lessons_count = 1
    total_lessons_count = 1
    progress_percentage = "100.00"

    @factory.post_generation
    def lesson(obj, create, extracted, **kwargs):
        if create and not obj.course.lessons.exists():
            LessonFactory(course=obj.course)


class CertificateFactory(factory.django.DjangoModelFactory):
    """A valid certificate of a completed enrollment, inserted directly (no PDF rendered)."""

    class Meta:
        model = Certificate

    enrollment = factory.SubFactory(
        CompletedEnrollmentFactory, course=factory.SubFactory(CourseFactory, is_published=True)
    )
    student = factory.LazyAttribute(lambda o: o.enrollment.student)
    course = factory.LazyAttribute(lambda o: o.enrollment.course)
    certificate_number = factory.LazyFunction(lambda: new_certificate_number(timezone.now().date()))
    student_name = factory.LazyAttribute(lambda o: o.student.full_name)
    course_title = factory.LazyAttribute(lambda o: o.course.title)
    instructor_name = factory.LazyAttribute(lambda o: o.course.instructor.full_name)
    completion_date = factory.LazyAttribute(lambda o: o.enrollment.completed_at.date())
