"""Rules about users and their sessions. Views and the admin call these; nothing else writes users."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken

from lms_project import counters
from lms_project.exceptions import ApplicationError, Conflict, Forbidden, Unauthorized
from lms_project.jobs import enqueue_on_commit

from .models import Role, User, normalize_email
from .tokens import TokenPair, deny_access_token, issue_token_pair, revoke_refresh_tokens

logger = logging.getLogger("lms.accounts")

LOGIN_FAILURES = "login-failures"
_UPDATABLE_BY_ADMIN = ("full_name", "role", "password", "is_active")
DEFAULT_ADMIN_NAME = "Administrator"


def password_check(password: str, *, email: str, full_name: str) -> None:
    try:
        validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as exc:
        raise ApplicationError(
            exc.messages[0], code="invalid", status=400, errors={"password": list(exc.messages)}
        ) from None


@transaction.atomic
def user_create(
    *, email: str, password: str, full_name: str, role: str = Role.STUDENT, is_active: bool = True
) -> User:
    """Create a user of any role. Callers decide who may create which role."""
    email = normalize_email(email)
    full_name = full_name.strip()
    password_check(password, email=email, full_name=full_name)
    if User.objects.filter(email=email).exists():
        raise Conflict("A user with this e-mail already exists.", code="email_taken")
    try:
        with transaction.atomic():  # a concurrent sign-up with the same e-mail loses on the unique index
            return User.objects.create_user(
                email, password, full_name=full_name, role=role, is_active=is_active
            )
    except IntegrityError:
        raise Conflict("A user with this e-mail already exists.", code="email_taken") from None


def user_register(
    *, email: str, password: str, full_name: str, role: str | None = None
) -> tuple[User, TokenPair]:
    """Public sign-up: students only, instructors when ALLOW_INSTRUCTOR_SIGNUP, never admins."""
    from .tasks import send_welcome_email_task

    role = role or Role.STUDENT
    if role == Role.ADMIN or (role == Role.INSTRUCTOR and not settings.ALLOW_INSTRUCTOR_SIGNUP):
        raise Forbidden(f"Sign-up as {role} is not allowed.", code="role_not_allowed")
    with transaction.atomic():
        user = user_create(email=email, password=password, full_name=full_name, role=role)
        pair = issue_token_pair(user)
        enqueue_on_commit(send_welcome_email_task, str(user.pk))
    return user, pair


def user_record_login(*, user: User) -> None:
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login_at=now)
    user.last_login_at = now


def auth_login(*, email: str, password: str) -> tuple[User, TokenPair]:
    """Check credentials and issue a token pair.

    Failures are counted per e-mail: after LOGIN_MAX_FAILURES within LOGIN_FAILURE_WINDOW_SECONDS the
    e-mail is refused with 429 until the window ends; a success clears the count. Unknown e-mails and
    wrong passwords get the same answer after the same amount of hashing work.
    """
    email = normalize_email(email)
    limit, window = settings.LOGIN_MAX_FAILURES, settings.LOGIN_FAILURE_WINDOW_SECONDS
    failures = counters.hit(group=LOGIN_FAILURES, value=email, limit=limit, window=window, increment=False)
    if failures.count >= limit:
        retry_after = failures.retry_after()
        raise ApplicationError(
            f"Too many failed logins for this account. Retry in {retry_after} seconds.",
            code="rate_limited",
            status=429,
            headers={"Retry-After": str(retry_after)},
        )
    user = User.objects.filter(email=email).first()
    if user is None:
        make_password(password)
    if user is None or not user.check_password(password):
        counters.hit(group=LOGIN_FAILURES, value=email, limit=limit, window=window)
        raise Unauthorized("Incorrect e-mail or password.", code="invalid_credentials")
    if not user.is_active:
        raise Unauthorized("This account is disabled.", code="account_disabled")
    counters.reset(group=LOGIN_FAILURES, value=email, limit=limit, window=window)
    user_record_login(user=user)
    return user, issue_token_pair(user)


def _decode_refresh(raw: str) -> dict[str, Any]:
    try:
        payload = token_backend.decode(raw, verify=True)
    except TokenBackendError:
        raise Unauthorized("Token is invalid or expired.", code="token_not_valid") from None
    if payload.get("typ") != "refresh" or not payload.get("jti") or not payload.get("sub"):
        raise Unauthorized("Token is not a refresh token.", code="token_not_valid")
    return payload


def auth_refresh(*, refresh_token: str) -> tuple[User, TokenPair]:
    """Rotate: the presented refresh token is revoked and a new pair issued.

    Presenting an already revoked refresh token is treated as theft (someone replayed an old token):
    every outstanding refresh token of that user is revoked and the caller gets 401. Holds a row
    lock on the outstanding-token row, so two concurrent refreshes of one token rotate it once.
    """
    payload = _decode_refresh(refresh_token)
    reused_by: User | None = None
    with transaction.atomic():
        outstanding = (
            OutstandingToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(jti=payload["jti"])
            .first()
        )
        if outstanding is None or outstanding.user is None:
            raise Unauthorized("Token is invalid or expired.", code="token_not_valid")
        user = outstanding.user
        if BlacklistedToken.objects.filter(token=outstanding).exists():
            revoke_refresh_tokens(user)
            reused_by = user
        else:
            if not user.is_active:
                raise Unauthorized("This account is disabled.", code="account_disabled")
            BlacklistedToken.objects.create(token=outstanding)
            pair = issue_token_pair(user)
    if reused_by is not None:
        # Raised after the commit so that the revocation above sticks.
        logger.warning("refresh token reuse detected", extra={"user_id": str(reused_by.pk)})
        raise Unauthorized("Token has been revoked.", code="token_not_valid")
    return user, pair


@transaction.atomic
def auth_logout(*, user: User, refresh_token: str, access_token: AccessToken | None) -> None:
    """Revoke the refresh token and deny the presented access token until it expires."""
    payload = _decode_refresh(refresh_token)
    if payload["sub"] != str(user.pk):
        raise Unauthorized("Token is not valid for this user.", code="token_not_valid")
    outstanding = OutstandingToken.objects.filter(jti=payload["jti"], user=user).first()
    if outstanding is not None:
        BlacklistedToken.objects.get_or_create(token=outstanding)
    if access_token is not None:
        deny_access_token(access_token, user)


def _set_password(user: User, *, password: str) -> None:
    password_check(password, email=user.email, full_name=user.full_name)
    user.set_password(password)


@transaction.atomic
def user_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Admin edit of a user (API and Django admin). An admin cannot demote or deactivate themself.

    A new password or a deactivation revokes all of the user's refresh tokens; a deactivated user's
    access tokens already fail on the next request (authentication checks `is_active`).
    """
    data = {key: value for key, value in data.items() if key in _UPDATABLE_BY_ADMIN}
    if actor.pk == user.pk and (
        ("role" in data and data["role"] != user.role) or ("is_active" in data and not data["is_active"])
    ):
        raise ApplicationError(
            "You cannot change your own role or deactivate yourself.", code="cannot_modify_self", status=400
        )
    revoke = False
    fields = []
    if "full_name" in data:
        user.full_name = data["full_name"].strip()
        fields.append("full_name")
    if "role" in data:
        user.role = data["role"]
        fields.append("role")
    if data.get("password"):
        _set_password(user, password=data["password"])
        fields.append("password")
        revoke = True
    if "is_active" in data:
        revoke = revoke or (user.is_active and not data["is_active"])
        user.is_active = data["is_active"]
        fields.append("is_active")
    if fields:
        user.save(update_fields=[*fields, "updated_at"])
    if revoke:
        revoke_refresh_tokens(user)
    return user


@transaction.atomic
def user_update_me(
    *,
    user: User,
    full_name: str | None = None,
    password: str | None = None,
    current_password: str | None = None,
    session_id: str | None = None,
) -> User:
    """A user edits their own profile. A password change needs the current password and revokes
    the user's other sessions (refresh tokens other than `session_id`)."""
    fields = []
    if full_name is not None:
        user.full_name = full_name.strip()
        fields.append("full_name")
    if password:
        if not current_password:
            raise ApplicationError(
                "The current password is required to set a new one.",
                code="invalid",
                errors={"current_password": ["This field is required to change the password."]},
            )
        if not user.check_password(current_password):
            raise ApplicationError(
                "The current password is incorrect.",
                code="invalid_current_password",
                errors={"current_password": ["The current password is incorrect."]},
            )
        _set_password(user, password=password)
        fields.append("password")
    if fields:
        user.save(update_fields=[*fields, "updated_at"])
    if password:
        revoke_refresh_tokens(user, keep_jti=session_id)
    return user


@transaction.atomic
def admin_ensure(*, email: str, password: str, full_name: str | None) -> tuple[User, bool]:
    """Create an active admin, or make the account with this e-mail (any case) an active admin with
    this password. Returns `(user, created)`. Raises `ApplicationError` on a weak password, with the
    reasons in `.errors["password"]`; nothing is written then.

    Only for operators with shell access: it bypasses every in-app permission. Holds a row lock on
    the existing user while it updates it.
    """
    user = User.objects.select_for_update().filter(email__iexact=normalize_email(email)).first()
    if user is None:
        user = user_create(
            email=email, password=password, full_name=full_name or DEFAULT_ADMIN_NAME, role=Role.ADMIN
        )
        return user, True
    data: dict[str, Any] = {"password": password}
    if full_name:
        data["full_name"] = full_name
    # Name and password go through the service: same password rules, and the old sessions are revoked.
    user_update(actor=user, user=user, data=data)
    # The role and the active flag are set here, not through `user_update`: that service refuses any
    # change of one's own role, a rule that stops an admin from locking themself out of the app. The
    # operator at the shell stands outside the app, and this only ever grants access, so the rule
    # has nothing to protect. Same transaction as the password change: all or nothing.
    if user.role != Role.ADMIN or not user.is_active:
        user.role = Role.ADMIN
        user.is_active = True
        user.save(update_fields=["role", "is_active", "updated_at"])
    return user, False
