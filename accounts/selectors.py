"""Reads of users."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from lms_project.exceptions import NotFound

from .models import User


def user_list(
    *,
    role: str | None = None,
    is_active: bool | None = None,
    search: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[User]:
    """Users newest first, filtered by allow-listed fields only."""
    qs = User.objects.all()
    if role:
        qs = qs.filter(role=role)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if search:
        qs = qs.filter(Q(email__icontains=search) | Q(full_name__icontains=search))
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs.order_by("-created_at", "-id")


def user_get(*, user_id: object) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("User not found.")
    return user
