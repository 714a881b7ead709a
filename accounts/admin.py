"""Users in the Django admin. Every change goes through the same services as the API.

"Enroll selected students in a course..." asks for the course on an intermediate page, then enrolls
the selection through `enrollments.services.bulk_enroll` (one transaction, a fixed number of
statements, whatever the number of students).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from courses.models import Course
from enrollments.services import bulk_enroll
from lms_project.exceptions import ApplicationError

from . import services
from .models import RevokedAccessToken, Role, User


def _password_errors(password: str, *, email: str, full_name: str) -> list[str]:
    """The API's password rules, as form errors (so the admin shows them next to the field)."""
    try:
        services.password_check(password, email=email, full_name=full_name)
    except ApplicationError as exc:
        return (exc.errors or {}).get("password", [exc.detail])
    return []


class UserAddForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput, strip=False, help_text="Checked by the password rules."
    )

    class Meta:
        model = User
        fields = ("email", "full_name", "role", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password"):
            for message in _password_errors(
                data["password"], email=data.get("email", ""), full_name=data.get("full_name", "")
            ):
                self.add_error("password", message)
        return data


class UserChangeForm(forms.ModelForm):
    new_password = forms.CharField(
        widget=forms.PasswordInput, strip=False, required=False, help_text="Leave empty to keep the password."
    )

    class Meta:
        model = User
        fields = ("full_name", "role", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_password"):
            for message in _password_errors(
                data["new_password"], email=self.instance.email, full_name=data.get("full_name", "")
            ):
                self.add_error("new_password", message)
        return data


class BulkEnrollForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(), help_text="Published courses only: a draft takes no students."
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        courses = Course.objects.filter(is_published=True).order_by("title")
        if user.role != Role.ADMIN:
            # As the course admin's scope: an instructor picks among their own courses only.
            courses = courses.filter(instructor_id=user.pk)
        self.fields["course"].queryset = courses


def _apply(request: HttpRequest, action: Any) -> Any:
    try:
        return action()
    except ApplicationError as exc:
        reasons = [message for field_messages in (exc.errors or {}).values() for message in field_messages]
        messages.error(request, "; ".join(reasons) or exc.detail)
        return None


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "role", "is_active", "created_at", "last_login_at")
    list_filter = ("role", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("-created_at",)
    readonly_fields = ("id", "email", "created_at", "updated_at", "last_login_at")
    actions = ("activate", "deactivate", "enroll_in_course")

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any):
        kwargs["form"] = UserChangeForm if obj else UserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: User | None = None):
        if obj is None:
            return ("email", "full_name", "role", "is_active", "password")
        return (
            "id",
            "email",
            "full_name",
            "role",
            "is_active",
            "new_password",
            "created_at",
            "updated_at",
            "last_login_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        return self.readonly_fields if obj else ()

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = _apply(
                request,
                lambda: services.user_create(
                    email=data["email"],
                    password=data["password"],
                    full_name=data["full_name"],
                    role=data["role"],
                    is_active=data["is_active"],
                ),
            )
            if created is not None:
                obj.pk = created.pk
            return
        changes = {key: data[key] for key in ("full_name", "role", "is_active") if key in form.changed_data}
        if data.get("new_password"):
            changes["password"] = data["new_password"]
        # Reload: the form already wrote its values onto `obj`, the service must see the stored state.
        current = User.objects.get(pk=obj.pk)
        _apply(request, lambda: services.user_update(actor=request.user, user=current, data=changes))

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # users are deactivated, never deleted: their history (enrollments, certificates) stays

    @admin.action(description="Activate selected users")
    def activate(self, request: HttpRequest, queryset) -> None:
        self._set_active(request, queryset, True)

    @admin.action(description="Deactivate selected users (revokes their sessions)")
    def deactivate(self, request: HttpRequest, queryset) -> None:
        self._set_active(request, queryset, False)

    def has_bulk_enroll_permission(self, request: HttpRequest) -> bool:
        # The service's rule (admins; instructors into their own courses, which the form offers).
        return request.user.role in (Role.ADMIN, Role.INSTRUCTOR)

    @admin.action(description="Enroll selected students in a course…", permissions=["bulk_enroll"])
    def enroll_in_course(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        """An intermediate page asks for the course; its form posts the same selection back (the
        page's ids and `select_across`, to the same URL, so "select all" keeps the list's filters)
        with apply=yes. Users who are not students are counted and skipped by the service."""
        applying = bool(request.POST.get("apply"))
        form = BulkEnrollForm(request.POST if applying else None, user=request.user)
        if applying and form.is_valid():
            course = form.cleaned_data["course"]
            result = _apply(
                request,
                lambda: bulk_enroll(
                    course=course, students_or_ids=queryset.values_list("pk", flat=True), actor=request.user
                ),
            )
            if result is not None:
                self.message_user(
                    request,
                    f"{course.title}: {result.created} student(s) enrolled, {result.already_enrolled} "
                    f"already enrolled ({result.reactivated} re-activated), {result.not_students} "
                    "skipped (not students).",
                    messages.SUCCESS,
                )
            return None
        selection = queryset.order_by("email")
        total = selection.count()
        preview = list(selection.values_list("email", "role")[:20])
        context = {
            **self.admin_site.each_context(request),
            "title": "Enroll students in a course",
            "opts": self.model._meta,
            "form": form,
            "total": total,
            "students": selection.filter(role=Role.STUDENT).count(),
            "preview": preview,
            "more": total - len(preview),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "enroll_in_course",
        }
        return TemplateResponse(request, "admin/accounts/user/bulk_enroll.html", context)

    def _set_active(self, request: HttpRequest, queryset, active: bool) -> None:
        done = 0
        for user in queryset:
            if _apply(
                request,
                lambda user=user: services.user_update(
                    actor=request.user, user=user, data={"is_active": active}
                ),
            ):
                done += 1
        if done:
            self.message_user(request, f"{done} user(s) {'activated' if active else 'deactivated'}.")


@admin.register(RevokedAccessToken)
class RevokedAccessTokenAdmin(admin.ModelAdmin):
    list_display = ("jti", "user", "revoked_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "jti")
    raw_id_fields = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


__all__ = ["Role", "UserAdmin"]
