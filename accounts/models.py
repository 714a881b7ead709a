from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    INSTRUCTOR = "instructor", "Instructor"
    STUDENT = "student", "Student"


def normalize_email(email: str) -> str:
    """E-mail addresses are the login: compared trimmed and lower-cased everywhere."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, email: str) -> User:
        return self.get(email=normalize_email(email))

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        # `manage.py createsuperuser` lands here; an admin is the superuser role.
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """A person who logs in with an e-mail address. The role decides what they may do.

    `is_staff` and `is_superuser` are derived from the role rather than stored, so they can never
    disagree with it: instructors and admins may enter the Django admin, admins hold every right.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=255)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    # AbstractBaseUser's `last_login` is replaced by the contract's `last_login_at`.
    last_login = None

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]),
                name="accounts_user_role_valid",
            ),
            # E-mails are stored lower-cased; this also stops a raw insert from sneaking in a case twin.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="accounts_user_newest_idx"),
            models.Index(fields=["role", "is_active"], name="accounts_user_role_idx"),
            models.Index(fields=["updated_at"], name="accounts_user_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.INSTRUCTOR)

    @property
    def is_superuser(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ", 1)[0] if self.full_name else self.email

    # Django admin permissions follow the role (accounts.permissions), not per-user grants.
    def has_perm(self, perm: str, obj: Any = None) -> bool:
        from .permissions import INSTRUCTOR_ADMIN_PERMISSIONS

        if not self.is_active:
            return False
        return self.is_superuser or (self.is_instructor and perm in INSTRUCTOR_ADMIN_PERMISSIONS)

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        from .permissions import INSTRUCTOR_ADMIN_PERMISSIONS

        if not self.is_active:
            return False
        return self.is_superuser or (
            self.is_instructor and any(p.startswith(f"{app_label}.") for p in INSTRUCTOR_ADMIN_PERMISSIONS)
        )

    def check_password(self, raw_password: str) -> bool:
        from .hashers import normalize_legacy_hash

        self.password = normalize_legacy_hash(self.password)
        return super().check_password(raw_password)


class RevokedAccessToken(models.Model):
    """Access tokens killed before they expire (logout). simplejwt's blacklist only covers refresh
    tokens; this deny-list is checked in the same query that loads the user on each request, so it
    costs no extra round trip and survives a cache flush. Rows past `expires_at` are purged daily.
    """

    jti = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.jti
