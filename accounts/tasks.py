"""Background jobs of the accounts app (queue `emails`; token clean-up runs there too)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import User
from .tokens import purge_expired_tokens

logger = logging.getLogger("lms.accounts")


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_welcome_email_task(self, user_id: str) -> bool:
    """Send the welcome e-mail. Takes an id, reloads the user; a missing user is not an error."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context = {"user": user, "project_name": settings.PROJECT_NAME, "frontend_url": settings.FRONTEND_URL}
    try:
        send_mail(
            subject=f"Welcome to {settings.PROJECT_NAME}",
            message=render_to_string("accounts/welcome_email.txt", context),
            html_message=render_to_string("accounts/welcome_email.html", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    except OSError as exc:  # SMTP down: try again later rather than lose the mail
        raise self.retry(exc=exc) from exc
    return True


@shared_task
def purge_expired_tokens_task() -> dict[str, int]:
    """Daily: drop expired refresh-token records and access-token denials (the tables would grow forever)."""
    refresh, denied = purge_expired_tokens()
    logger.info("purged expired tokens", extra={"refresh_rows": refresh, "denied_rows": denied})
    return {"refresh": refresh, "denied": denied}
