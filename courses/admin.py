"""Courses and lessons in the Django admin.

Every write goes through `courses.services`, exactly as the API's: a course is created by
`course_create` (slug derived when left empty), changed by `course_update`, published by
`course_publish`, deleted by `course_delete`; lessons, on their own page or inline in their course,
by `lesson_create` / `lesson_update` / `lesson_delete`, which keep `Course.lessons_count` and
recompute the enrollments' progress. A service that says no (`ApplicationError`) is shown as an
error message, never a 500.

Instructors use the admin too: they see and change only their own courses and those courses'
lessons; anything else is outside their querysets, so its URLs answer like a missing object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.models import Role, User
from lms_project.exceptions import ApplicationError

from . import services
from .models import Course, Lesson
from .selectors import is_manager

# URL inputs without a scheme mean https (Django 6's default; says so now, without the warning).
_URL_FIELD = {"assume_scheme": "https"}


def _formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        kwargs = {**_URL_FIELD, **kwargs}
    return db_field.formfield(**kwargs)


# --- helpers shared with the other apps' admin ------------------------------------------------------


def apply_service(request: HttpRequest, action: Callable[[], Any], *, subject: str = "") -> tuple[bool, Any]:
    """Run one service call. A refusal (`ApplicationError`) becomes an error message, prefixed with
    `subject` (the object's name) so that a bulk action says which object it is about.

    Returns `(True, result)` when the service ran and `(False, None)` when it said no.
    """
    try:
        return True, action()
    except ApplicationError as exc:
        reasons = [message for field_messages in (exc.errors or {}).values() for message in field_messages]
        text = "; ".join(reasons) or exc.detail
        messages.error(request, f"{subject}: {text}" if subject else text)
        return False, None


def is_admin_user(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) == Role.ADMIN


def blank_to_none(model: type[Any], name: str, value: Any) -> Any:
    """Text fields of the contract are `null` when not set: an empty admin input means "not set"."""
    if value == "" and model._meta.get_field(name).null:
        return None
    return value


class CourseScopedAdmin(admin.ModelAdmin):
    """Instructors see and act on the rows of their own courses only; admins on every row.

    `course_path` leads from a row to its course ("" when the row is the course): the changelist
    filter and the per-object check both come from it, so they cannot disagree."""

    course_path = "course"

    def course_of(self, obj: Any) -> Course:
        for part in filter(None, self.course_path.split("__")):
            obj = getattr(obj, part)
        return obj

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if is_admin_user(request):
            return qs
        owner = f"{self.course_path}__instructor_id" if self.course_path else "instructor_id"
        return qs.filter(**{owner: request.user.pk})

    def manages(self, request: HttpRequest, obj: Any) -> bool:
        return is_manager(request.user, self.course_of(obj))

    def _manages(self, request: HttpRequest, obj: Any) -> bool:
        return obj is None or self.manages(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._manages(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._manages(request, obj)


class ServiceSavedAdmin(CourseScopedAdmin):
    """Saving and deleting through services that may refuse. When one does, the page does not claim
    success (no "was added successfully", no "deleted successfully"): it shows the service's reason
    and goes back to the form. Subclasses say which service deletes (`service_delete`) and who manages
    an object (`manages`)."""

    formfield_overrides = {models.URLField: _URL_FIELD}
    actions = ("delete_selected",)  # ours (below), in place of Django's: it goes through the service

    _FAILED = "_admin_service_failed"

    def mark_failed(self, obj: Any) -> None:
        setattr(obj, self._FAILED, True)

    def failed(self, obj: Any) -> bool:
        return getattr(obj, self._FAILED, False)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if not self.failed(form.instance):  # a course that was not created has no lessons to save
            super().save_related(request, form, formsets, change)

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        if self.failed(obj):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if self.failed(obj):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)

    # --- deleting --------------------------------------------------------------------------------

    def service_delete(self, obj: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        apply_service(request, lambda: self.service_delete(obj), subject=str(obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self.delete_each(request, queryset)

    def delete_each(self, request: HttpRequest, objs: Iterable[Any]) -> int:
        """Each object through the service; a refusal names the object, the others are still deleted."""
        deleted = 0
        for obj in objs:
            if not self.manages(request, obj):  # callers pass scoped querysets; never trust that
                messages.error(request, f"{obj}: you may not delete this.")
                continue
            # Rows deleted along with it need the user's rights too. When something protects the
            # object, the service refuses it (under its lock) and says why: no need to ask here.
            _, _, perms_needed, protected = self.get_deleted_objects([obj], request)
            if perms_needed and not protected:
                lacking = ", ".join(sorted(str(name) for name in perms_needed))
                messages.error(request, f"{obj}: your account may not delete the related {lacking}.")
                continue
            ok, _ = apply_service(request, lambda obj=obj: self.service_delete(obj), subject=str(obj))
            if ok:
                # The services delete their own copy of the row, so `obj` still has its pk here.
                self.log_deletions(request, [obj])
                deleted += 1
        return deleted

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> HttpResponse:
        if self.model._default_manager.filter(pk=obj_id).exists():  # refused: the reason is shown
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj_id])
            )
        return super().response_delete(request, obj_display, obj_id)

    @admin.action(description="Delete selected %(verbose_name_plural)s", permissions=["delete"])
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        """Django's confirmation page, then each object through the service (`delete_each`): unlike
        Django's action, one refused object does not stop the others, and is named in a message."""
        if not request.POST.get("post"):
            return django_delete_selected(self, request, queryset)
        deleted = self.delete_each(request, queryset)
        if deleted:
            name = self.opts.verbose_name if deleted == 1 else self.opts.verbose_name_plural
            self.message_user(request, f"Deleted {deleted} {name}.", messages.SUCCESS)
        return None


def _without_rights_the_services_hold(result: tuple[Any, Any, set[str], Any], *, enrollments: bool = False):
    """Django asks for the delete right on every related row it finds. Deleting a lesson removes its
    progress rows (the API's rule, in `lesson_delete`), and nobody holds a delete right on progress in
    the admin; enrollments are never deleted with a course (PROTECT: they are listed as what stops the
    deletion, and `course_delete` refuses), so their delete right is not the question either."""
    from enrollments.models import Enrollment, LessonProgress

    deleted, model_count, perms_needed, protected = result
    ignored = {str(LessonProgress._meta.verbose_name)}
    if enrollments:
        ignored.add(str(Enrollment._meta.verbose_name))
    return deleted, model_count, perms_needed - ignored, protected


# --- lessons -----------------------------------------------------------------------------------------


def _lesson_data(form: forms.ModelForm, names: Iterable[str]) -> dict[str, Any]:
    """Form values in the services' shape (`parent_lesson` is `parent_lesson_id`)."""
    data: dict[str, Any] = {}
    for name in names:
        if name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        if name == "parent_lesson":
            data["parent_lesson_id"] = value.pk if value is not None else None
        elif name in ("slug", "order_index") and value in ("", None):
            continue  # left empty on a new lesson: the service derives it
        elif name in services.LESSON_FIELDS:
            data[name] = blank_to_none(Lesson, name, value)
    return data


def _lesson_order_taken(course_id: Any, order_index: int | None, lesson: Lesson) -> bool:
    if not course_id or order_index is None:
        return False
    return Lesson.objects.filter(course_id=course_id, order_index=order_index).exclude(pk=lesson.pk).exists()


class LessonInlineForm(forms.ModelForm):
    """A row of the course page's lesson table. A new lesson without a number goes last."""

    class Meta:
        model = Lesson
        fields = ("title", "lesson_type", "order_index", "is_preview", "duration_minutes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.fields["order_index"].required = False
            self.fields["order_index"].help_text = "Empty: after the last lesson."


class LessonInline(admin.TabularInline):
    model = Lesson
    form = LessonInlineForm
    fields = ("title", "lesson_type", "order_index", "is_preview", "duration_minutes")
    ordering = ("order_index",)
    extra = 1
    show_change_link = True  # the content is edited on the lesson's own page

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lesson]:
        return super().get_queryset(request).defer("content")


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        formfield_callback = _formfield
        fields = (
            "course",
            "title",
            "slug",
            "lesson_type",
            "order_index",
            "parent_lesson",
            "description",
            "content",
            "video_url",
            "duration_minutes",
            "is_preview",
            "metadata",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            for name, hint in (("slug", "Empty: made from the title."), ("order_index", "Empty: goes last.")):
                if name in self.fields:
                    self.fields[name].required = False
                    self.fields[name].help_text = hint

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        course = data.get("course") if self.instance._state.adding else self.instance.course
        course_id = getattr(course, "pk", None)
        parent = data.get("parent_lesson")
        if parent is not None and (parent.course_id != course_id or parent.pk == self.instance.pk):
            self.add_error("parent_lesson", "Must be another lesson of the same course.")
        # The model form's unique (course, order_index) check does not run on the change page (the
        # course is read-only there): without this the service would refuse after the form said yes.
        if not self.instance._state.adding and _lesson_order_taken(
            course_id, data.get("order_index"), self.instance
        ):
            self.add_error("order_index", "Another lesson of this course already has this number.")
        return data


class _LessonChangeList(ChangeList):
    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Lesson]:
        # A lesson's content may be large; the list never shows it.
        return super().get_queryset(request, exclude_parameters).defer("content")


@admin.register(Lesson)
class LessonAdmin(ServiceSavedAdmin):
    form = LessonForm
    list_display = (
        "title",
        "course",
        "order_index",
        "lesson_type",
        "is_preview",
        "duration_minutes",
        "updated_at",
    )
    list_filter = ("lesson_type", "is_preview")
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    ordering = ("course", "order_index")
    autocomplete_fields = ("course",)
    raw_id_fields = ("parent_lesson",)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return _LessonChangeList

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lesson]:
        return super().get_queryset(request).select_related("course")

    def get_fields(self, request: HttpRequest, obj: Lesson | None = None):
        fields = list(LessonForm.Meta.fields)
        return fields if obj is None else [*fields, "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Lesson | None = None):
        # The services never move a lesson to another course.
        return () if obj is None else ("course", "created_at", "updated_at")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if not is_admin_user(request):
            if db_field.name == "course":
                kwargs["queryset"] = Course.objects.filter(instructor_id=request.user.pk)
            elif db_field.name == "parent_lesson":
                kwargs["queryset"] = Lesson.objects.filter(course__instructor_id=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Lesson, form: forms.ModelForm, change: bool) -> None:
        if not change:
            data = _lesson_data(form, form.cleaned_data)
            course = form.cleaned_data["course"]
            ok, created = apply_service(request, lambda: services.lesson_create(course=course, data=data))
            if ok:
                obj.pk, obj.slug, obj.order_index = created.pk, created.slug, created.order_index
                obj._state.adding, obj._state.db = False, created._state.db
            else:
                self.mark_failed(obj)
            return
        current = Lesson.objects.get(pk=obj.pk)  # the form already wrote its values onto `obj`
        data = _lesson_data(form, form.changed_data)
        ok, _ = apply_service(request, lambda: services.lesson_update(lesson=current, data=data))
        if not ok:
            self.mark_failed(obj)

    def service_delete(self, obj: Lesson) -> None:
        services.lesson_delete(lesson=obj)  # 409 lesson_has_attempts when its quiz has attempts

    def get_deleted_objects(self, objs: Any, request: HttpRequest):
        return _without_rights_the_services_hold(super().get_deleted_objects(objs, request))


# --- courses -----------------------------------------------------------------------------------------


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        formfield_callback = _formfield
        fields = (
            "title",
            "slug",
            "instructor",
            "description",
            "category",
            "difficulty_level",
            "thumbnail_url",
            "estimated_duration_minutes",
            "metadata",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Empty: made from the title (with -2, -3... when taken)."


@admin.register(Course)
class CourseAdmin(ServiceSavedAdmin):
    course_path = ""  # the row is the course
    form = CourseForm
    list_display = (
        "title",
        "instructor",
        "is_published",
        "lessons_count",
        "enrollments_count",
        "average_rating",
        "created_at",
    )
    list_filter = ("is_published", "difficulty_level", "category")
    search_fields = ("title", "slug", "instructor__email")
    list_select_related = ("instructor",)
    ordering = ("-created_at",)
    autocomplete_fields = ("instructor",)
    inlines = (LessonInline,)
    actions = ("publish_courses", "unpublish_courses", "delete_selected")

    _COUNTERS = (
        "is_published",
        "published_at",
        "lessons_count",
        "enrollments_count",
        "average_rating",
        "rating_count",
        "created_at",
        "updated_at",
    )

    # --- scope -----------------------------------------------------------------------------------

    def get_list_filter(self, request: HttpRequest):
        if is_admin_user(request):
            return (*self.list_filter, ("instructor", admin.RelatedOnlyFieldListFilter))
        return self.list_filter

    def has_delete_permission(self, request: HttpRequest, obj: Course | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        if not self.manages(request, obj):
            return False
        # An instructor may delete only a course nobody enrolled in; an admin gets Django's page
        # listing the enrollments that stop the deletion (and the service refuses it in any case).
        return is_admin_user(request) or not obj.enrollments.exists()

    # --- the form --------------------------------------------------------------------------------

    def get_fields(self, request: HttpRequest, obj: Course | None = None):
        fields = list(CourseForm.Meta.fields)
        if obj is None:
            if not is_admin_user(request):
                fields.remove("instructor")  # an instructor's course is theirs: no choice to make
            return fields
        return [*fields, *self._COUNTERS]

    def get_readonly_fields(self, request: HttpRequest, obj: Course | None = None):
        if obj is None:
            return ()
        # No service changes a slug or moves a course to another instructor.
        return ("slug", "instructor", *self._COUNTERS)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "instructor":
            kwargs["queryset"] = User.objects.filter(role__in=(Role.INSTRUCTOR, Role.ADMIN), is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Average rating")
    def average_rating(self, obj: Course) -> Any:
        return obj.average_rating

    # --- saving ----------------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Course, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            instructor = data["instructor"] if is_admin_user(request) else request.user
            fields = {
                name: blank_to_none(Course, name, data.get(name))
                for name in services.COURSE_FIELDS
                if name in data and name != "title"
            }
            ok, created = apply_service(
                request,
                lambda: services.course_create(
                    instructor=instructor, title=data["title"], slug=data.get("slug") or None, **fields
                ),
            )
            if ok:
                obj.pk, obj.slug, obj.instructor_id = created.pk, created.slug, created.instructor_id
                obj._state.adding, obj._state.db = False, created._state.db
            else:
                self.mark_failed(obj)
            return
        changes = {
            name: blank_to_none(Course, name, data[name])
            for name in form.changed_data
            if name in services.COURSE_FIELDS
        }
        current = Course.objects.get(pk=obj.pk)  # the form already wrote its values onto `obj`
        ok, _ = apply_service(request, lambda: services.course_update(course=current, data=changes))
        if not ok:
            self.mark_failed(obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Lessons added, changed or removed in the course page go through the lesson services, which
        keep `lessons_count` and recompute progress. Removals first, so their numbers are free."""
        if formset.model is not Lesson:
            super().save_formset(request, form, formset, change)
            return
        course = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted_forms = set(formset.deleted_forms) if formset.can_delete else set()
        for lesson_form in formset.initial_forms:
            if lesson_form in deleted_forms:
                lesson = lesson_form.instance
                ok, _ = apply_service(
                    request, lambda lesson=lesson: services.lesson_delete(lesson=lesson), subject=lesson.title
                )
                if ok:
                    formset.deleted_objects.append(lesson)
        for lesson_form in formset.initial_forms:
            if lesson_form in deleted_forms or not lesson_form.has_changed():
                continue
            data = _lesson_data(lesson_form, lesson_form.changed_data)
            lesson = lesson_form.instance
            ok, updated = apply_service(
                request,
                lambda lesson=lesson, data=data: services.lesson_update(lesson=lesson, data=data),
                subject=lesson.title,
            )
            if ok:
                formset.changed_objects.append((updated, lesson_form.changed_data))
        for lesson_form in formset.extra_forms:
            if lesson_form in deleted_forms or not lesson_form.has_changed():
                continue
            data = _lesson_data(lesson_form, lesson_form.cleaned_data)
            ok, created = apply_service(
                request,
                lambda data=data: services.lesson_create(course=course, data=data),
                subject=data.get("title", ""),
            )
            if ok:
                formset.new_objects.append(created)

    # --- deleting --------------------------------------------------------------------------------

    def service_delete(self, obj: Course) -> None:
        services.course_delete(course=obj)  # 409 course_has_enrollments

    def get_deleted_objects(self, objs: Any, request: HttpRequest):
        return _without_rights_the_services_hold(super().get_deleted_objects(objs, request), enrollments=True)

    # --- actions ---------------------------------------------------------------------------------

    @admin.action(description="Publish selected courses", permissions=["change"])
    def publish_courses(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._for_each(request, queryset, services.course_publish, "published")

    @admin.action(description="Unpublish selected courses", permissions=["change"])
    def unpublish_courses(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._for_each(request, queryset, services.course_unpublish, "unpublished")

    def _for_each(
        self, request: HttpRequest, queryset: QuerySet[Course], service: Callable[..., Any], done_word: str
    ) -> None:
        done = 0
        for course in queryset:
            ok, _ = apply_service(request, lambda course=course: service(course=course), subject=course.title)
            done += ok
        if done:
            self.message_user(request, f"{done} course(s) {done_word}.", messages.SUCCESS)
