"""The analytics dashboard in the Django admin (`/admin/analytics/`).

Admins see the whole platform, instructors their own courses. Charts are SVG rendered on the
server (readable without JavaScript, nothing loaded from other hosts), each with a table under it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.models import Role
from courses.models import Course
from enrollments.models import Enrollment, EnrollmentStatus
from quizzes.models import AttemptStatus, Quiz

from . import selectors

DAYS = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    title: str


def bar_chart(bars: list[Bar], *, width: int = 720, height: int = 200, caption: str = "") -> str:
    """A plain SVG bar chart: one <rect> per value with a <title> tooltip, an accessible label."""
    if not bars:
        return format_html('<p class="help">{}</p>', "No data yet.")
    top = max(bar.value for bar in bars) or 1
    gap = 4
    bar_width = max(2.0, (width - gap * (len(bars) + 1)) / len(bars))
    plot_height = height - 24
    rows = []
    for index, bar in enumerate(bars):
        bar_height = plot_height * bar.value / top
        x = gap + index * (bar_width + gap)
        numbers = (x, plot_height - bar_height, bar_width, bar_height, x + bar_width / 2)
        rows.append((*(f"{n:.1f}" for n in numbers), bar.title, bar.label))
    body = format_html_join(
        "",
        '<g><rect x="{}" y="{}" width="{}" height="{}" fill="#417690"><title>{}</title></rect>'
        '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#333">{}</text></g>',
        ((x, y, w, h, title, tx, height - 8, label) for x, y, w, h, tx, title, label in rows),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="100%" style="max-width:{}px">{}</svg>',
        caption,
        width,
        height,
        width,
        body,
    )


def _scoped_courses(user: Any) -> QuerySet[Course]:
    courses = Course.objects.all()
    return courses if user.role == Role.ADMIN else courses.filter(instructor=user)


def enrollments_per_day(courses: QuerySet[Course]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    counts = dict(
        Enrollment.objects.filter(course__in=courses, enrolled_at__gte=timezone.now() - timedelta(days=DAYS))
        .annotate(day=TruncDate("enrolled_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        {"date": day, "count": counts.get(day, 0)}
        for day in (today - timedelta(days=i) for i in range(DAYS - 1, -1, -1))
    ]


def top_courses(courses: QuerySet[Course], limit: int = 10) -> list[dict[str, Any]]:
    """The most enrolled courses with their completion rate (the counter orders, one grouped query)."""
    top_ids = list(courses.order_by("-enrollments_count", "-created_at").values_list("pk", flat=True)[:limit])
    rows = (
        Course.objects.filter(pk__in=top_ids)
        .annotate(completed=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.COMPLETED)))
        .values("id", "title", "enrollments_count", "completed")
        .order_by("-enrollments_count", "-created_at")
    )
    return [
        {
            **row,
            "completion_rate": selectors._rate(row["completed"], row["enrollments_count"]) or Decimal("0.00"),
        }
        for row in rows
    ]


def quiz_pass_rates(courses: QuerySet[Course], limit: int = 10) -> list[dict[str, Any]]:
    graded = Q(attempts__status=AttemptStatus.GRADED)
    rows = (
        Quiz.objects.filter(course__in=courses)
        .annotate(
            graded_count=Count("attempts", filter=graded),
            passed_count=Count("attempts", filter=graded & Q(attempts__is_passed=True)),
        )
        .filter(graded_count__gt=0)
        .values("id", "title", "course__title", "graded_count", "passed_count")
        # Title and id break ties, so the chart's numbering does not change from one load to the next.
        .order_by("-graded_count", "title", "id")[:limit]
    )
    return [{**row, "pass_rate": selectors._rate(row["passed_count"], row["graded_count"])} for row in rows]


def dashboard_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    courses = _scoped_courses(user)
    chosen = None
    course_id = request.GET.get("course")
    if course_id:
        chosen = courses.filter(pk=course_id).first() if _is_uuid(course_id) else None
        if chosen is None:
            raise Http404("No such course among yours.")
    per_day = enrollments_per_day(courses)
    funnel = selectors.course_analytics(course=chosen)["lesson_funnel"] if chosen else []
    quizzes = quiz_pass_rates(courses)
    figures = (
        selectors.system_overview()
        if user.role == Role.ADMIN
        else selectors.instructor_overview(instructor=user)
    )
    context = {
        **admin.site.each_context(request),
        "title": "Analytics",
        "is_admin": user.role == Role.ADMIN,
        "figures": figures,
        # "total_users" reads "Total users" (the template's `cut:"_"` made it "Totalusers").
        "figure_items": [
            (name.replace("_", " ").capitalize(), value)
            for name, value in figures.items()
            if name != "instructor_id"
        ],
        "per_day": per_day,
        "per_day_chart": bar_chart(
            [Bar(d["date"].strftime("%d"), d["count"], f"{d['date']}: {d['count']}") for d in per_day],
            caption="Enrollments per day, last 30 days",
        ),
        "course_choices": courses.order_by("title").values_list("id", "title"),
        "chosen": chosen,
        "funnel": funnel,
        "funnel_chart": bar_chart(
            [
                Bar(
                    str(s["order_index"]),
                    float(s["completion_rate"]),
                    f"{s['title']}: {s['completion_rate']}%",
                )
                for s in funnel
            ],
            caption="Lesson completion funnel",
        ),
        "quizzes": quizzes,
        "quiz_chart": bar_chart(
            [
                Bar(str(i + 1), float(q["pass_rate"] or 0), f"{q['title']}: {q['pass_rate']}%")
                for i, q in enumerate(quizzes)
            ],
            caption="Quiz pass rates",
        ),
        "top_courses": top_courses(courses),
    }
    return TemplateResponse(request, "admin/analytics/dashboard.html", context)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
