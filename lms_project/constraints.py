"""Helpers for database constraints shared by the apps' models."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


def value_in(field: str, choices: type[models.TextChoices], *, nullable: bool = False) -> Q:
    """`field` holds one of `choices` (or NULL when `nullable`): the condition of an enum CheckConstraint."""
    condition = Q(**{f"{field}__in": [choice.value for choice in choices]})
    return condition | Q(**{f"{field}__isnull": True}) if nullable else condition
