import factory

from accounts.tests.factories import InstructorFactory
from courses.models import Course, Lesson, LessonType


class CourseFactory(factory.django.DjangoModelFactory):
    """A draft course; pass `is_published=True` (published_at is filled in) for a public one."""

    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course number {n}")
    slug = factory.Sequence(lambda n: f"course-number-{n}")
    description = "A course made by a factory."
    instructor = factory.SubFactory(InstructorFactory)
    is_published = False
    published_at = factory.Maybe(
        "is_published",
        yes_declaration=factory.Faker("date_time_this_year", tzinfo=factory.Faker("pytimezone")),
        no_declaration=None,
    )
    metadata = factory.LazyFunction(dict)


class LessonFactory(factory.django.DjangoModelFactory):
    """A lesson appended to its course; keeps the course's `lessons_count` counter true."""

    class Meta:
        model = Lesson

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Lesson number {n}")
    slug = factory.Sequence(lambda n: f"lesson-number-{n}")
    content = "Lesson content."
    lesson_type = LessonType.TEXT
    order_index = factory.LazyAttribute(lambda o: o.course.lessons.count() + 1)
    metadata = factory.LazyFunction(dict)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        lesson = super()._create(model_class, *args, **kwargs)
        Course.objects.filter(pk=lesson.course_id).update(
            lessons_count=Lesson.objects.filter(course_id=lesson.course_id).count()
        )
        lesson.course.refresh_from_db(fields=["lessons_count"])
        return lesson
