"""Background jobs of quizzes (queue `progress`)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger("lms.quizzes")


@shared_task(acks_late=True)
def expire_overdue_attempts_task() -> int:
    """Every few minutes: attempts left in progress past their deadline (+ grace) become expired."""
    expired = services.expire_overdue_attempts()
    if expired:
        logger.info("expired overdue attempts", extra={"attempts": expired})
    return expired
