"""Bearer authentication: simplejwt validation plus our checks, in one query per request.

The user is loaded on every request (a role change or a deactivation takes effect at once; the
`role` claim is informational), and the access-token deny-list is checked in the same SELECT.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import Token

from .models import RevokedAccessToken, User


class BearerTokenAuthentication(JWTAuthentication):
    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[User, Token] | None:
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        # The rate-limit middleware may already have validated this very header.
        token = getattr(request._request, "lms_access_token", None) or self.get_validated_token(raw_token)
        return self.get_user(token), token

    def get_user(self, validated_token: Token) -> User:
        user_id = validated_token.get("sub")
        jti = validated_token.get("jti")
        try:
            user = (
                User.objects.annotate(
                    token_revoked=Exists(RevokedAccessToken.objects.filter(jti=jti, user=OuterRef("pk")))
                )
                .only(
                    "id",
                    "email",
                    "full_name",
                    "role",
                    "is_active",
                    "created_at",
                    "updated_at",
                    "last_login_at",
                )
                .get(pk=user_id)
            )
        except (User.DoesNotExist, ValidationError, ValueError):
            raise AuthenticationFailed("Token is not valid for any user.", code="token_not_valid") from None
        if user.token_revoked:
            raise AuthenticationFailed("Token has been revoked.", code="token_not_valid")
        if not user.is_active:
            raise AuthenticationFailed("This account is disabled.", code="account_disabled")
        return user
