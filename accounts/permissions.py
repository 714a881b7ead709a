"""Roles, the permissions each role holds, and DRF permission classes.

The API checks permissions (what may be done), not roles, so that a role can gain or lose a right
in one place. `HasRole(...)` / `HasPermission(...)` are the seed's `require_roles(...)` /
`require_permissions(...)`. Ownership ("manager of this course") is not a permission: selectors and
services check it, because DRF object permissions do not run on lists or creates.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .models import Role


class Perm(StrEnum):
    USERS_MANAGE = "users:manage"
    COURSES_CREATE = "courses:create"
    COURSES_MANAGE_ANY = "courses:manage_any"
    ENROLLMENTS_CREATE = "enrollments:create"
    ENROLLMENTS_MANAGE_ANY = "enrollments:manage_any"
    PROGRESS_WRITE = "progress:write"
    QUIZZES_AUTHOR = "quizzes:author"
    QUIZZES_ATTEMPT = "quizzes:attempt"
    ANALYTICS_OWN = "analytics:own"
    ANALYTICS_INSTRUCTOR = "analytics:instructor"
    ANALYTICS_SYSTEM = "analytics:system"
    FILES_UPLOAD = "files:upload"
    FILES_MANAGE_ANY = "files:manage_any"
    CERTIFICATES_REVOKE = "certificates:revoke"
    CERTIFICATES_MANAGE_ANY = "certificates:manage_any"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.INSTRUCTOR: frozenset(
        {
            Perm.COURSES_CREATE,
            Perm.QUIZZES_AUTHOR,
            Perm.ANALYTICS_OWN,
            Perm.ANALYTICS_INSTRUCTOR,
            Perm.FILES_UPLOAD,
            Perm.CERTIFICATES_REVOKE,
        }
    ),
    Role.STUDENT: frozenset(
        {
            Perm.ENROLLMENTS_CREATE,
            Perm.PROGRESS_WRITE,
            Perm.QUIZZES_ATTEMPT,
            Perm.ANALYTICS_OWN,
            Perm.FILES_UPLOAD,
        }
    ),
}

# Django admin rights of an instructor (admins are superusers there). The admin classes of each
# app further narrow every queryset to the instructor's own courses.
INSTRUCTOR_ADMIN_PERMISSIONS: frozenset[str] = frozenset(
    {
        *(f"courses.{action}_course" for action in ("view", "add", "change", "delete")),
        *(f"courses.{action}_lesson" for action in ("view", "add", "change", "delete")),
        "enrollments.view_enrollment",
        "enrollments.view_lessonprogress",
        *(f"quizzes.{action}_quiz" for action in ("view", "add", "change", "delete")),
        *(f"quizzes.{action}_question" for action in ("view", "add", "change", "delete")),
        "quizzes.view_attempt",
        "quizzes.view_answer",
        "certificates.view_certificate",
    }
)


def role_has_permission(role: str, perm: Perm | str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def user_has_permission(user: Any, perm: Perm | str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and role_has_permission(user.role, perm))


class _Configured(BasePermission):
    """A permission configured by arguments; DRF instantiates classes, so instances return themselves."""

    def __call__(self) -> _Configured:
        return self


class HasRole(_Configured):
    """Allow authenticated users whose current role (read from the database) is one of `roles`."""

    message = "Your role does not allow this action."

    def __init__(self, *roles: str) -> None:
        self.roles = frozenset(roles)

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in self.roles)


class HasPermission(_Configured):
    """Allow authenticated users whose role holds every one of `perms`."""

    message = "You do not have permission to perform this action."

    def __init__(self, *perms: Perm) -> None:
        self.perms = frozenset(perms)

    def has_permission(self, request: Request, view: Any) -> bool:
        return all(user_has_permission(request.user, perm) for perm in self.perms)
