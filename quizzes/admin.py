"""Quizzes, their questions and the students' attempts in the Django admin.

Every write goes through `quizzes.services`, exactly as the API's: a quiz is created by
`quiz_create`, changed by `quiz_update`, published by `quiz_publish`, deleted by `quiz_delete`;
questions, edited inline on their quiz's page, by `question_create` / `question_update` /
`question_delete`, which keep the quiz's `total_questions` and `total_points` under the quiz lock.
A question's answer key is checked by `question_validate` while the form is validated, so its
messages stand next to the field and nothing is saved. A service that says no (`ApplicationError`)
is shown as an error message, never a 500.

Attempts are grading history: read-only here, with their answers.

Instructors see and change only the quizzes of their own courses and the attempts at those quizzes;
anything else is outside their querysets, so its URLs answer like a missing object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.fields import InvalidJSONInput
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from courses.admin import CourseScopedAdmin, ServiceSavedAdmin, apply_service, blank_to_none, is_admin_user
from courses.models import Course, Lesson
from courses.selectors import is_manager
from lms_project.exceptions import ApplicationError

from . import services
from .models import Answer, Attempt, Question, QuestionType, Quiz
from .serializers import QuestionIn

# --- questions (inline in their quiz) ---------------------------------------------------------------


class ReadableJSONField(forms.JSONField):
    """JSON shown indented, one option per line, instead of Django's single line."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, InvalidJSONInput):  # what the person typed, shown back with the error
            return value
        if value is None:
            return ""
        return json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)


OPTIONS_HELP = (
    "Choice questions only (multiple_choice: exactly one correct; multiple_select: at least one). "
    'A JSON list: [{"option_id": "a", "option_text": "...", "is_correct": true}, '
    '{"option_id": "b", "option_text": "...", "is_correct": false}]'
)
ACCEPTED_HELP = 'short_answer only: more accepted answers, as a JSON list: ["colour", "color"]'
CORRECT_HELP = 'true_false: "true" or "false"; short_answer: the expected answer; others: empty.'


def _serializer_messages(detail: Any, noun: str, prefix: str = "") -> list[str]:
    """DRF's nested errors (per option, per list item) as flat lines: "option 2: option_text: ..."."""
    if isinstance(detail, dict):
        lines: list[str] = []
        for key, value in detail.items():
            if isinstance(key, int):
                label = f"{noun} {key + 1}: "
            elif key == "non_field_errors":
                label = ""
            else:
                label = f"{key}: "
            lines += _serializer_messages(value, noun, prefix + label)
        return lines
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [f"{prefix}{item}" for item in detail]
        lines = []
        for index, item in enumerate(detail):
            if item:
                lines += _serializer_messages(item, noun, f"{prefix}{noun} {index + 1}: ")
        return lines
    return [f"{prefix}{detail}"]


class QuestionInlineForm(forms.ModelForm):
    """A question of the quiz page, checked as the API checks it: the API's input serializer (shape of
    `options` and `accepted_answers`, lengths, points within 0..10000), then the rules of its type
    (`question_validate`). Their messages stand next to the field."""

    options = ReadableJSONField(
        required=False, widget=forms.Textarea(attrs={"rows": 6, "cols": 90}), help_text=OPTIONS_HELP
    )
    accepted_answers = ReadableJSONField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 90}), help_text=ACCEPTED_HELP
    )

    class Meta:
        model = Question
        fields = (
            "question_text",
            "question_type",
            "points",
            "options",
            "correct_answer",
            "accepted_answers",
            "explanation",
        )
        widgets = {
            "question_text": forms.Textarea(attrs={"rows": 2, "cols": 90}),
            "correct_answer": forms.TextInput(attrs={"size": 60}),
            "explanation": forms.Textarea(attrs={"rows": 2, "cols": 90}),
        }
        help_texts = {"correct_answer": CORRECT_HELP}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if any(self.has_error(name) for name in services.QUESTION_FIELDS if name in self.fields):
            return data  # one message at a time: the field's own error first
        shape = QuestionIn(data={name: data[name] for name in services.QUESTION_FIELDS if name in data})
        if not shape.is_valid():
            for name, detail in shape.errors.items():
                for line in _serializer_messages(
                    detail, "answer" if name == "accepted_answers" else "option"
                ):
                    self.add_error(name if name in self.fields else None, line)
            return data
        checked = shape.validated_data
        try:
            services.question_validate(
                {
                    name: checked.get(name)
                    for name in ("question_type", "options", "correct_answer", "accepted_answers")
                }
            )
        except ApplicationError as exc:
            for name, lines in (exc.errors or {None: [exc.detail]}).items():
                for line in lines:
                    self.add_error(name if name in self.fields else None, line)
        return data

    def service_data(self) -> dict[str, Any]:
        """The form's values in the services' shape (an empty text is `null`)."""
        return {
            name: blank_to_none(Question, name, self.cleaned_data.get(name))
            for name in services.QUESTION_FIELDS
            if name in self.cleaned_data
        }


class QuestionInline(admin.StackedInline):
    model = Question
    form = QuestionInlineForm
    fields = ("order_index", *QuestionInlineForm.Meta.fields)
    readonly_fields = ("order_index",)  # new questions go last (`question_create`)
    ordering = ("order_index",)
    extra = 1


# --- quizzes -----------------------------------------------------------------------------------------


class QuizForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = (
            "course",
            "lesson",
            "title",
            "description",
            "quiz_type",
            "time_limit_minutes",
            "passing_score",
            "max_attempts",
            "shuffle_questions",
            "shuffle_options",
            "show_correct_answers",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        course = data.get("course") if self.instance._state.adding else self.instance.course
        lesson = data.get("lesson")
        if lesson is not None and course is not None and lesson.course_id != course.pk:
            self.add_error("lesson", "The lesson must belong to this course.")
        return data


def _quiz_data(form: forms.ModelForm, names: Iterable[str]) -> dict[str, Any]:
    """Form values in the services' shape (`lesson` is `lesson_id`)."""
    data: dict[str, Any] = {}
    for name in names:
        if name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        if name == "lesson":
            data["lesson_id"] = value.pk if value is not None else None
        elif name in services.QUIZ_FIELDS:
            data[name] = blank_to_none(Quiz, name, value)
    return data


@admin.register(Quiz)
class QuizAdmin(ServiceSavedAdmin):
    form = QuizForm
    list_display = (
        "title",
        "course",
        "lesson",
        "quiz_type",
        "is_published",
        "total_questions",
        "total_points",
    )
    list_filter = ("quiz_type", "is_published")
    search_fields = ("title", "course__title")
    list_select_related = ("course", "lesson")
    ordering = ("course__title", "created_at")
    autocomplete_fields = ("course", "lesson")
    inlines = (QuestionInline,)
    actions = ("publish_quizzes", "unpublish_quizzes", "delete_selected")

    _COUNTERS = ("is_published", "total_questions", "total_points", "attempts", "created_at", "updated_at")

    # --- scope -----------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quiz]:
        # A lesson's content may be large; no quiz page shows it.
        return super().get_queryset(request).select_related("course", "lesson").defer("lesson__content")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if not is_admin_user(request):
            if db_field.name == "course":
                kwargs["queryset"] = Course.objects.filter(instructor_id=request.user.pk)
            elif db_field.name == "lesson":
                kwargs["queryset"] = Lesson.objects.filter(course__instructor_id=request.user.pk).defer(
                    "content"
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- the form --------------------------------------------------------------------------------

    def get_fields(self, request: HttpRequest, obj: Quiz | None = None):
        fields = list(QuizForm.Meta.fields)
        return fields if obj is None else [*fields, *self._COUNTERS]

    def get_readonly_fields(self, request: HttpRequest, obj: Quiz | None = None):
        # No service moves a quiz to another course; publishing is an action (it needs questions).
        return () if obj is None else ("course", *self._COUNTERS)

    @admin.display(description="Attempts")
    def attempts(self, obj: Quiz) -> str:
        url = reverse("admin:quizzes_attempt_changelist")
        return format_html('<a href="{}?quiz__id__exact={}">Attempts at this quiz</a>', url, obj.pk)

    # --- saving ----------------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Quiz, form: forms.ModelForm, change: bool) -> None:
        if not change:
            course = form.cleaned_data["course"]
            data = _quiz_data(form, form.cleaned_data)
            ok, created = apply_service(request, lambda: services.quiz_create(course=course, data=data))
            if ok:
                obj.pk = created.pk
                obj._state.adding, obj._state.db = False, created._state.db
            else:
                self.mark_failed(obj)
            return
        data = _quiz_data(form, form.changed_data)
        # `quiz_update` reloads the row under its lock: the form's values already on `obj` do not count.
        ok, _ = apply_service(request, lambda: services.quiz_update(quiz=obj, data=data))
        if not ok:
            self.mark_failed(obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Questions added, changed or removed on the quiz page go through the question services, which
        keep the quiz's counters. Removals first, then changes, then additions (numbered last)."""
        if formset.model is not Question:
            super().save_formset(request, form, formset, change)
            return
        quiz = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted_forms = set(formset.deleted_forms) if formset.can_delete else set()
        for question_form in formset.initial_forms:
            if question_form in deleted_forms:
                question = question_form.instance
                ok, _ = apply_service(
                    request,
                    lambda question=question: services.question_delete(question=question),
                    subject=str(question),
                )
                if ok:
                    formset.deleted_objects.append(question)
        for question_form in formset.initial_forms:
            if question_form in deleted_forms or not question_form.has_changed():
                continue
            question, data = question_form.instance, question_form.service_data()
            ok, updated = apply_service(
                request,
                lambda question=question, data=data: services.question_update(question=question, data=data),
                subject=str(question),
            )
            if ok:
                formset.changed_objects.append((updated, question_form.changed_data))
        for question_form in formset.extra_forms:
            if question_form in deleted_forms or not question_form.has_changed():
                continue
            data = question_form.service_data()
            ok, created = apply_service(
                request,
                lambda data=data: services.question_create(quiz=quiz, data=data),
                subject=(data.get("question_text") or "")[:60],
            )
            if ok:
                formset.new_objects.append(created)

    # A refused save or delete did not happen: it leaves no entry in the object's history.

    def log_addition(self, request: HttpRequest, obj: Quiz, message: Any) -> Any:
        return None if self.failed(obj) else super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Quiz, message: Any) -> Any:
        return None if self.failed(obj) else super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> None:
        """Django logs before it deletes; the deletions are logged once `quiz_delete` has said yes."""

    # --- deleting --------------------------------------------------------------------------------

    def delete_model(self, request: HttpRequest, obj: Quiz) -> None:
        self._delete_quizzes(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        self._delete_quizzes(request, queryset)

    def _delete_quizzes(self, request: HttpRequest, quizzes: Iterable[Quiz]) -> int:
        deleted = 0
        for quiz in quizzes:
            if not is_manager(request.user, quiz.course):  # callers pass scoped querysets; never trust that
                messages.error(request, f"{quiz.title}: you may not delete this quiz.")
                continue
            ok, _ = apply_service(
                request, lambda quiz=quiz: services.quiz_delete(quiz=quiz), subject=quiz.title
            )
            if ok:
                # `quiz_delete` deletes its own copy of the row, so `quiz` still has its pk here.
                super().log_deletions(request, [quiz])
                deleted += 1
        return deleted

    def get_deleted_objects(self, objs: Any, request: HttpRequest):
        """Attempts are never deleted with a quiz (PROTECT: Django lists them as what stops the
        deletion, and `quiz_delete` refuses), so nobody's right to delete them is the question."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, perms_needed - {str(Attempt._meta.verbose_name)}, protected

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> HttpResponse:
        if Quiz.objects.filter(pk=obj_id).exists():  # the service refused: the error is shown
            return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[obj_id]))
        return super().response_delete(request, obj_display, obj_id)

    # --- actions ---------------------------------------------------------------------------------

    @admin.action(description="Delete selected quizzes", permissions=["delete"])
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> HttpResponse | None:
        """Django's confirmation page, then each quiz through `quiz_delete`: a quiz with attempts is
        named in an error message and the others are still deleted."""
        if not request.POST.get("post"):
            return django_delete_selected(self, request, queryset)
        if self.get_deleted_objects(queryset, request)[2] - {str(Quiz._meta.verbose_name)}:
            raise PermissionDenied
        deleted = self._delete_quizzes(request, queryset)
        if deleted:
            self.message_user(request, f"{deleted} quiz(zes) deleted.", messages.SUCCESS)
        return None

    @admin.action(description="Publish selected quizzes", permissions=["change"])
    def publish_quizzes(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        self._for_each(request, queryset, lambda quiz: services.quiz_publish(quiz=quiz), "published")

    @admin.action(description="Unpublish selected quizzes", permissions=["change"])
    def unpublish_quizzes(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        self._for_each(
            request,
            queryset,
            lambda quiz: services.quiz_update(quiz=quiz, data={"is_published": False}),
            "unpublished",
        )

    def _for_each(
        self, request: HttpRequest, queryset: QuerySet[Quiz], service: Callable[[Quiz], Any], done_word: str
    ) -> None:
        done = 0
        for quiz in queryset:
            ok, _ = apply_service(request, lambda quiz=quiz: service(quiz), subject=quiz.title)
            done += ok
        if done:
            self.message_user(request, f"{done} quiz(zes) {done_word}.", messages.SUCCESS)


# --- attempts (read-only) ----------------------------------------------------------------------------


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("question_text", "selected_options", "answer_text", "is_correct", "points_earned", "feedback")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Answer]:
        return super().get_queryset(request).select_related("question").order_by("question__order_index")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Question")
    def question_text(self, obj: Answer) -> str:
        return obj.question.question_text

    @admin.display(description="Selected options")
    def selected_options(self, obj: Answer) -> str:
        if obj.question.question_type == QuestionType.MULTIPLE_CHOICE:
            chosen = [obj.selected_option_id] if obj.selected_option_id is not None else []
        else:
            chosen = obj.selected_option_ids or []
        texts = {str(o["option_id"]): o.get("option_text", "") for o in obj.question.options or []}
        return "; ".join(f"{option_id}: {texts.get(str(option_id), '?')}" for option_id in chosen) or "-"


@admin.register(Attempt)
class AttemptAdmin(CourseScopedAdmin):
    course_path = "quiz__course"
    list_display = (
        "quiz",
        "student_email",
        "attempt_number",
        "status",
        "score",
        "percentage",
        "is_passed",
        "submitted_at",
    )
    list_filter = ("status", ("quiz", admin.RelatedOnlyFieldListFilter))
    search_fields = ("enrollment__student__email", "quiz__title")
    list_select_related = ("quiz", "enrollment__student")
    ordering = ("-started_at",)
    inlines = (AnswerInline,)
    fields = (
        "quiz",
        "course",
        "student_email",
        "attempt_number",
        "status",
        "started_at",
        "deadline_at",
        "submitted_at",
        "graded_at",
        "time_taken_seconds",
        "score",
        "max_score",
        "percentage",
        "is_passed",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attempt]:
        return super().get_queryset(request).select_related("quiz__course", "enrollment__student")

    # Grading history: attempts are started and submitted by students, graded through the API.

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Attempt | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Attempt | None = None) -> bool:
        return False

    @admin.display(description="Student", ordering="enrollment__student__email")
    def student_email(self, obj: Attempt) -> str:
        return obj.enrollment.student.email

    @admin.display(description="Course")
    def course(self, obj: Attempt) -> str:
        return obj.quiz.course.title
