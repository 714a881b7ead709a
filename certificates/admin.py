"""Certificates in the Django admin: read-only records, two actions through the services.

- "Revoke selected certificates" asks for a reason on an intermediate page (pre-filled with
  "Revoked in the admin by <email>") and calls `certificate_revoke`, exactly as the API does.
- "Re-render the PDF" calls `certificate_render_pdf(force=True)`.

Certificates are never added, edited or deleted here: they are issued by the services and are a
record (PROTECT keeps them when people or courses go). Instructors see only their courses'
certificates; anything else is outside their queryset and answers like a missing object.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.permissions import Perm, user_has_permission
from courses.admin import CourseScopedAdmin, apply_service

from . import links, services
from .models import Certificate


class RevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Shown on the public verification page of each certificate.",
    )


@admin.register(Certificate)
class CertificateAdmin(CourseScopedAdmin):
    list_display = (
        "certificate_number",
        "student_name",
        "student_email",
        "course_title",
        "status",
        "completion_date",
        "issued_at",
        "revoked_at",
        "pdf_ready",
    )
    list_filter = ("status", "issued_at")
    search_fields = ("certificate_number", "student__email", "course_title", "course__title", "student_name")
    list_select_related = ("student",)
    raw_id_fields = ("enrollment", "student", "course", "revoked_by")
    ordering = ("-issued_at",)
    date_hierarchy = "issued_at"
    actions = ("revoke_certificates", "rerender_pdfs")
    fields = (
        "certificate_number",
        "status",
        "student_name",
        "course_title",
        "instructor_name",
        "completion_date",
        "issued_at",
        "enrollment",
        "student",
        "course",
        "revoked_at",
        "revocation_reason",
        "revoked_by",
        "verification_link",
        "pdf_link",
        "pdf_rendered_at",
    )
    readonly_fields = fields

    # --- scope -----------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Certificate]:
        return super().get_queryset(request).select_related("course")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued by the services only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a record: state changes are the actions below

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead; a revoked number must keep verifying

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return user_has_permission(request.user, Perm.CERTIFICATES_REVOKE)

    def has_rerender_permission(self, request: HttpRequest) -> bool:
        return user_has_permission(request.user, Perm.CERTIFICATES_REVOKE)

    # --- columns ---------------------------------------------------------------------------------

    @admin.display(description="Student e-mail", ordering="student__email")
    def student_email(self, obj: Certificate) -> str:
        return obj.student.email

    @admin.display(description="PDF", boolean=True)
    def pdf_ready(self, obj: Certificate) -> bool:
        return bool(obj.pdf_key)

    @admin.display(description="Verification page")
    def verification_link(self, obj: Certificate) -> str:
        url = links.verification_url(obj.certificate_number)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    @admin.display(description="PDF")
    def pdf_link(self, obj: Certificate) -> str:
        url = reverse("admin:certificates_certificate_pdf", args=[obj.pk])
        label = "Download" if obj.pdf_key else "Render and download"
        return format_html('<a href="{}">{}</a>', url, label)

    # --- the PDF ---------------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="certificates_certificate_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        certificate = self.get_object(request, object_id)  # scoped by get_queryset
        if certificate is None or not self.has_view_permission(request, certificate):
            raise Http404
        return FileResponse(
            services.certificate_pdf_open(certificate=certificate),
            as_attachment=True,
            filename=f"{certificate.certificate_number}.pdf",
            content_type="application/pdf",
        )

    # --- actions ---------------------------------------------------------------------------------

    @admin.action(description="Revoke selected certificates", permissions=["revoke"])
    def revoke_certificates(
        self, request: HttpRequest, queryset: QuerySet[Certificate]
    ) -> HttpResponse | None:
        """An intermediate page asks for the reason; then each certificate through `certificate_revoke`
        (which checks, per certificate, that the caller may revoke it)."""
        if request.POST.get("apply"):
            form = RevokeForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                done = 0
                for certificate in queryset:
                    ok, _ = apply_service(
                        request,
                        lambda certificate=certificate: services.certificate_revoke(
                            certificate=certificate, actor=request.user, reason=reason
                        ),
                        subject=certificate.certificate_number,
                    )
                    done += ok
                if done:
                    self.message_user(request, f"{done} certificate(s) revoked.", messages.SUCCESS)
                return None
        else:
            form = RevokeForm(initial={"reason": f"Revoked in the admin by {request.user.email}"})
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke certificates",
            "opts": self.model._meta,
            "form": form,
            "certificates": list(queryset),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "revoke_certificates",
        }
        return TemplateResponse(request, "certificates/admin_revoke.html", context)

    @admin.action(description="Re-render the PDF of selected certificates", permissions=["rerender"])
    def rerender_pdfs(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> None:
        done = 0
        for certificate in queryset:
            ok, _ = apply_service(
                request,
                lambda certificate=certificate: services.certificate_render_pdf(
                    certificate_id=certificate.pk, force=True
                ),
                subject=certificate.certificate_number,
            )
            done += ok
        if done:
            self.message_user(request, f"{done} PDF(s) rendered.", messages.SUCCESS)
