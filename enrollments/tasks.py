"""Background jobs of enrollments (queue `progress`; the e-mail goes to `emails`)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from . import services
from .models import Enrollment, EnrollmentStatus

logger = logging.getLogger("lms.enrollments")


@shared_task(acks_late=True)
def recalculate_course_progress(course_id: str) -> int:
    """Recompute every enrollment of one course after its lessons changed. Safe to run twice."""
    updated = services.recalculate_progress(course_id=course_id)
    logger.info("recalculated course progress", extra={"course_id": course_id, "enrollments": updated})
    return updated


@shared_task(acks_late=True)
def repair_progress_drift_task() -> dict[str, int]:
    """Nightly: re-count every course's counters and every enrollment's progress from the rows."""
    courses = services.recount_course_counters()
    enrollments = services.recalculate_progress()
    logger.info("progress drift repair", extra={"courses": courses, "enrollments": enrollments})
    return {"courses": courses, "enrollments": enrollments}


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_course_completed_email_task(self, enrollment_id: str) -> bool:
    """Congratulate the student. Reloads by id; does nothing for an enrollment that is not completed."""
    enrollment = (
        Enrollment.objects.select_related("student", "course")
        .filter(pk=enrollment_id, status=EnrollmentStatus.COMPLETED)
        .first()
    )
    if enrollment is None or not enrollment.student.is_active:
        return False
    context = {
        "enrollment": enrollment,
        "student": enrollment.student,
        "course": enrollment.course,
        "project_name": settings.PROJECT_NAME,
        "frontend_url": settings.FRONTEND_URL,
    }
    try:
        send_mail(
            subject=f"You completed {enrollment.course.title}",
            message=render_to_string("enrollments/course_completed_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[enrollment.student.email],
        )
    except OSError as exc:
        raise self.retry(exc=exc) from exc
    return True
