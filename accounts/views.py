"""Auth and users endpoints. Thin: check, validate, call one service or selector, serialize."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lms_project.openapi import FORBIDDEN, NOT_FOUND, UNAUTHORIZED, VALIDATION_ERROR, error
from lms_project.pagination import PageNumberPagination, paginate, paginated_response

from . import selectors, services
from .models import Role
from .permissions import HasPermission, Perm
from .serializers import (
    AuthOut,
    LoginIn,
    MeUpdateIn,
    RefreshTokenIn,
    RegisterIn,
    UserCreateIn,
    UserListQuery,
    UserOut,
    UserUpdateIn,
)

USER_EXAMPLE = {
    "id": "9b2f6a3e-8f3c-4a8e-9a57-0c1f2b3d4e5f",
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "role": "student",
    "is_active": True,
    "created_at": "2026-11-25T09:00:00Z",
    "last_login_at": "2026-11-25T09:05:00Z",
}
TOKENS_EXAMPLE = {
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJhY2Nlc3MifQ.c2lnbmF0dXJl",
    "refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJyZWZyZXNoIn0.c2lnbmF0dXJl",
    "token_type": "bearer",
    "expires_in": 900,
}
AUTH_EXAMPLE = OpenApiExample("Signed in", value={"user": USER_EXAMPLE, "tokens": TOKENS_EXAMPLE})
USER_OUT_EXAMPLE = OpenApiExample("User", value=USER_EXAMPLE)
RATE_LIMITED = error("Too many attempts; see Retry-After.", "rate_limited")


def _auth_body(user, pair) -> dict:
    return {"user": UserOut(user).data, "tokens": pair.as_dict()}


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="Sign up (students; instructors when allowed)",
        request=RegisterIn,
        responses={
            201: OpenApiResponse(AuthOut, examples=[AUTH_EXAMPLE]),
            400: VALIDATION_ERROR,
            403: error("That role cannot sign up.", "role_not_allowed"),
            409: error("E-mail already registered.", "email_taken"),
            429: RATE_LIMITED,
        },
        examples=[
            OpenApiExample(
                "Student sign-up",
                value={
                    "email": "ada@example.com",
                    "password": "Analytical-Engine-1843",
                    "full_name": "Ada Lovelace",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = RegisterIn.validate_request(request)
        user, pair = services.user_register(**data)
        return Response(_auth_body(user, pair), status=201)


class LoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="Log in with e-mail and password",
        request=LoginIn,
        responses={
            200: OpenApiResponse(AuthOut, examples=[AUTH_EXAMPLE]),
            400: VALIDATION_ERROR,
            401: error("Wrong e-mail or password, or a disabled account.", "invalid_credentials"),
            429: RATE_LIMITED,
        },
        examples=[
            OpenApiExample(
                "Log in",
                value={"email": "student@lms.local", "password": "LmsLearn!2026"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = LoginIn.validate_request(request)
        user, pair = services.auth_login(**data)
        return Response(_auth_body(user, pair))


class RefreshView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="Exchange a refresh token for a new pair (the old one is revoked)",
        request=RefreshTokenIn,
        responses={
            200: OpenApiResponse(AuthOut, examples=[AUTH_EXAMPLE]),
            400: VALIDATION_ERROR,
            401: error("Invalid, expired, revoked or reused refresh token.", "token_not_valid"),
            429: RATE_LIMITED,
        },
    )
    def post(self, request: Request) -> Response:
        data = RefreshTokenIn.validate_request(request)
        user, pair = services.auth_refresh(refresh_token=data["refresh_token"])
        return Response(_auth_body(user, pair))


class LogoutView(APIView):
    @extend_schema(
        tags=["auth"],
        summary="Revoke the refresh token and the presented access token",
        request=RefreshTokenIn,
        responses={204: None, 400: VALIDATION_ERROR, 401: UNAUTHORIZED},
    )
    def post(self, request: Request) -> Response:
        data = RefreshTokenIn.validate_request(request)
        access = request.auth if getattr(request.auth, "token_type", None) == "access" else None
        services.auth_logout(user=request.user, refresh_token=data["refresh_token"], access_token=access)
        return Response(status=204)


class AuthMeView(APIView):
    @extend_schema(
        tags=["auth"],
        summary="The current user",
        responses={200: OpenApiResponse(UserOut, examples=[USER_OUT_EXAMPLE]), 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        return Response(UserOut(request.user).data)


class UserMeView(APIView):
    @extend_schema(
        tags=["users"],
        summary="My profile",
        responses={200: OpenApiResponse(UserOut, examples=[USER_OUT_EXAMPLE]), 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        return Response(UserOut(request.user).data)

    @extend_schema(
        tags=["users"],
        summary="Edit my name or password (a new password needs the current one)",
        request=MeUpdateIn,
        responses={
            200: OpenApiResponse(UserOut, examples=[USER_OUT_EXAMPLE]),
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
        },
        examples=[
            OpenApiExample(
                "Change password",
                value={"current_password": "LmsLearn!2026", "password": "A-much-longer-passphrase-2027"},
                request_only=True,
            )
        ],
    )
    def patch(self, request: Request) -> Response:
        data = MeUpdateIn.validate_request(request)
        session_id = (
            request.auth.get("sid") if request.auth is not None and hasattr(request.auth, "get") else None
        )
        user = services.user_update_me(user=request.user, session_id=session_id, **data)
        return Response(UserOut(user).data)


class UserListView(APIView):
    permission_classes = [HasPermission(Perm.USERS_MANAGE)]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["users"],
        summary="List users (admin)",
        # page and page_size come from the paginator's schema (with their minimum of 1).
        parameters=[UserListQuery],
        responses={
            200: UserOut(many=True),
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        filters = UserListQuery.validate_query(request)
        page = paginate(selectors.user_list(**filters), request)
        return paginated_response(request, page, UserOut(page.items, many=True).data)

    @extend_schema(
        tags=["users"],
        summary="Create a user of any role (admin)",
        request=UserCreateIn,
        responses={
            201: OpenApiResponse(UserOut, examples=[USER_OUT_EXAMPLE]),
            400: VALIDATION_ERROR,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            409: error("E-mail already registered.", "email_taken"),
        },
        examples=[
            OpenApiExample(
                "New instructor",
                value={
                    "email": "grace@example.com",
                    "password": "Compiler-Pioneer-1952",
                    "full_name": "Grace Hopper",
                    "role": Role.INSTRUCTOR,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = UserCreateIn.validate_request(request)
        user = services.user_create(**data)
        return Response(UserOut(user).data, status=201)


class UserDetailView(APIView):
    permission_classes = [HasPermission(Perm.USERS_MANAGE)]

    @extend_schema(
        tags=["users"],
        summary="One user (admin)",
        responses={
            200: OpenApiResponse(UserOut, examples=[USER_OUT_EXAMPLE]),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, user_id) -> Response:
        return Response(UserOut(selectors.user_get(user_id=user_id)).data)

    @extend_schema(
        tags=["users"],
        summary="Edit a user: name, role, password, active (admin)",
        request=UserUpdateIn,
        responses={
            200: OpenApiResponse(UserOut, examples=[USER_OUT_EXAMPLE]),
            400: error("Invalid input, or an admin demoting/deactivating themself.", "cannot_modify_self"),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        examples=[OpenApiExample("Deactivate", value={"is_active": False}, request_only=True)],
    )
    def patch(self, request: Request, user_id) -> Response:
        data = UserUpdateIn.validate_request(request)
        user = services.user_update(actor=request.user, user=selectors.user_get(user_id=user_id), data=data)
        return Response(UserOut(user).data)
