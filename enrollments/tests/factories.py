import factory
from django.db.models import F

from accounts.tests.factories import StudentFactory
from courses.models import Course
from courses.tests.factories import CourseFactory
from enrollments.models import Enrollment, LessonProgress, ProgressStatus


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An active enrollment in a published course; keeps the course's `enrollments_count` true."""

    class Meta:
        model = Enrollment

    student = factory.SubFactory(StudentFactory)
    course = factory.SubFactory(CourseFactory, is_published=True)
    total_lessons_count = factory.LazyAttribute(lambda o: o.course.lessons_count)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        enrollment = super()._create(model_class, *args, **kwargs)
        Course.objects.filter(pk=enrollment.course_id).update(enrollments_count=F("enrollments_count") + 1)
        return enrollment


class LessonProgressFactory(factory.django.DjangoModelFactory):
    """A raw progress row (no counters updated): use the services to test the rules."""

    class Meta:
        model = LessonProgress

    enrollment = factory.SubFactory(EnrollmentFactory)
    lesson = factory.LazyAttribute(lambda o: o.enrollment.course.lessons.first())
    status = ProgressStatus.IN_PROGRESS
