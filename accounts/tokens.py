"""JWT pairs on top of simplejwt.

Access claims: sub, role, typ="access", jti, iat, exp, and `sid` (the jti of the refresh token
issued with it, so "revoke my other sessions" knows which session is this one).
Refresh claims: sub, typ="refresh", jti, iat, exp. Refresh tokens are recorded in simplejwt's
outstanding-token table; revoking one means blacklisting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from .models import RevokedAccessToken, User


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"

    def as_dict(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": self.token_type,
            "expires_in": self.expires_in,
        }


def issue_token_pair(user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)  # also records the outstanding token
    access = AccessToken.for_user(user)
    access["role"] = user.role
    access["sid"] = refresh["jti"]
    return TokenPair(
        access_token=str(access),
        refresh_token=str(refresh),
        expires_in=int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()),
    )


def revoke_refresh_tokens(user: User, *, keep_jti: str | None = None) -> int:
    """Blacklist every unexpired, not yet blacklisted refresh token of `user` (except `keep_jti`)."""
    outstanding = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    if keep_jti:
        outstanding = outstanding.exclude(jti=keep_jti)
    rows = [BlacklistedToken(token_id=token_id) for token_id in outstanding.values_list("id", flat=True)]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def deny_access_token(token: AccessToken, user: User) -> None:
    """Make a still-valid access token fail from the next request until it would have expired."""
    expires_at: datetime = datetime_from_epoch(token["exp"])
    RevokedAccessToken.objects.get_or_create(
        jti=token["jti"], defaults={"user": user, "expires_at": expires_at}
    )


def purge_expired_tokens() -> tuple[int, int]:
    """Delete expired outstanding refresh tokens (and their blacklist rows) and expired denials."""
    now = timezone.now()
    refresh_deleted, _ = OutstandingToken.objects.filter(expires_at__lte=now).delete()
    denied_deleted, _ = RevokedAccessToken.objects.filter(expires_at__lte=now).delete()
    return refresh_deleted, denied_deleted
