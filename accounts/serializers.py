"""Request and response shapes of the auth and users APIs (contract sections 2 and 3)."""

from __future__ import annotations

from rest_framework import serializers

from lms_project.serializers import InputSerializer, PasswordIn

from .models import Role


class UserOut(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    last_login_at = serializers.DateTimeField(allow_null=True)


class TokenPairOut(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")


class AuthOut(serializers.Serializer):
    user = UserOut()
    tokens = TokenPairOut()


class RegisterIn(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = PasswordIn()
    full_name = serializers.CharField(min_length=2, max_length=255)
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class LoginIn(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = PasswordIn()


class RefreshTokenIn(InputSerializer):
    refresh_token = serializers.CharField(max_length=4096)


class MeUpdateIn(InputSerializer):
    full_name = serializers.CharField(min_length=2, max_length=255, required=False)
    password = PasswordIn(required=False)
    current_password = PasswordIn(required=False)


class UserCreateIn(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = PasswordIn()
    full_name = serializers.CharField(min_length=2, max_length=255)
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField(required=False, default=True)


class UserUpdateIn(InputSerializer):
    full_name = serializers.CharField(min_length=2, max_length=255, required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    password = PasswordIn(required=False)
    is_active = serializers.BooleanField(required=False)


class UserListQuery(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
    search = serializers.CharField(max_length=255, required=False, allow_blank=True)
    updated_since = serializers.DateTimeField(required=False)
