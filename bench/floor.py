"""The floor: the read endpoints as minimal plain Django function views (bench only, not the product).

Each view sends the SQL our endpoint sends (captured with `CaptureQueriesContext`, copied here with
its literals turned into parameters) through `connection.cursor()` and builds the same JSON body
(same keys, same formats) with orjson. No DRF, no serializers, no ORM; the server's middleware stack
is the same as for ours (`bench.settings_floor` only swaps ROOT_URLCONF for `bench.floor_urls`).
What the floor leaves out: the `Link` header of the paginated lists, `page`/`page_size` validation
(it reads `page_size` only, page 1) and the draft-course rules for signed-in managers (it answers
anonymous reads of published courses, as the bench sends them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from django.db import connection
from django.http import HttpRequest, HttpResponse
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

_CENT = Decimal("0.01")
_OPTIONS = orjson.OPT_UTC_Z  # datetimes as DRF writes them: ISO 8601, `Z` for UTC

_COURSE_COLUMNS = (
    '"courses_course"."id", "courses_course"."title", "courses_course"."slug", '
    '"courses_course"."description", "courses_course"."instructor_id", "courses_course"."category", '
    '"courses_course"."difficulty_level", "courses_course"."is_published", "courses_course"."published_at", '
    '"courses_course"."thumbnail_url", "courses_course"."estimated_duration_minutes", '
    '"courses_course"."metadata", "courses_course"."lessons_count", "courses_course"."enrollments_count", '
    '"courses_course"."rating_count", "courses_course"."rating_sum", "courses_course"."created_at", '
    '"courses_course"."updated_at", "accounts_user"."id", "accounts_user"."full_name", '
    '"accounts_user"."role", "accounts_user"."is_active", "accounts_user"."created_at", '
    '"accounts_user"."updated_at" FROM "courses_course" INNER JOIN "accounts_user" '
    'ON ("courses_course"."instructor_id" = "accounts_user"."id")'
)
COURSE_COUNT_SQL = 'SELECT COUNT(*) AS "__count" FROM "courses_course" WHERE "courses_course"."is_published"'
COURSE_PAGE_SQL = (
    'SELECT "courses_course"."id" AS "id", "courses_course"."title" AS "title", '
    '"courses_course"."slug" AS "slug", '
    '"courses_course"."description" AS "description", "courses_course"."instructor_id" AS "instructor_id", '
    '"accounts_user"."full_name" AS "instructor__full_name", "courses_course"."category" AS "category", '
    '"courses_course"."difficulty_level" AS "difficulty_level", '
    '"courses_course"."is_published" AS "is_published", '
    '"courses_course"."published_at" AS "published_at", "courses_course"."thumbnail_url" AS "thumbnail_url", '
    '"courses_course"."estimated_duration_minutes" AS "estimated_duration_minutes", '
    '"courses_course"."metadata" AS "metadata", "courses_course"."lessons_count" AS "lessons_count", '
    '"courses_course"."enrollments_count" AS "enrollments_count", '
    '"courses_course"."rating_sum" AS "rating_sum", '
    '"courses_course"."rating_count" AS "rating_count", "courses_course"."created_at" AS "created_at", '
    '"courses_course"."updated_at" AS "updated_at" FROM "courses_course" INNER JOIN "accounts_user" '
    'ON ("courses_course"."instructor_id" = "accounts_user"."id") WHERE "courses_course"."is_published" '
    "ORDER BY 18 DESC, 1 DESC LIMIT %s"
)
COURSE_GET_SQL = (
    f'SELECT {_COURSE_COLUMNS} WHERE "courses_course"."id" = %s '
    'ORDER BY "courses_course"."created_at" DESC LIMIT 1'
)
LESSONS_SQL = (
    'SELECT "courses_lesson"."id", "courses_lesson"."course_id", "courses_lesson"."title", '
    '"courses_lesson"."slug", "courses_lesson"."description", "courses_lesson"."lesson_type", '
    '"courses_lesson"."order_index", "courses_lesson"."parent_lesson_id", '
    '"courses_lesson"."duration_minutes", '
    '"courses_lesson"."video_url", "courses_lesson"."is_preview", "courses_lesson"."metadata", '
    '"courses_lesson"."created_at", "courses_lesson"."updated_at" FROM "courses_lesson" '
    'WHERE "courses_lesson"."course_id" = %s ORDER BY 7 ASC'
)
USER_SQL = (
    'SELECT "accounts_user"."id", "accounts_user"."email", "accounts_user"."full_name", '
    '"accounts_user"."role", "accounts_user"."is_active", "accounts_user"."created_at", '
    '"accounts_user"."updated_at", "accounts_user"."last_login_at", EXISTS(SELECT 1 AS "a" '
    'FROM "accounts_revokedaccesstoken" U0 WHERE (U0."jti" = %s AND U0."user_id" = ("accounts_user"."id")) '
    'LIMIT 1) AS "token_revoked" FROM "accounts_user" WHERE "accounts_user"."id" = %s LIMIT 21'
)
ENROLLMENT_COUNT_SQL = (
    'SELECT COUNT(*) AS "__count" FROM "enrollments_enrollment" '
    'WHERE "enrollments_enrollment"."student_id" = %s'
)
ENROLLMENT_PAGE_SQL = (
    'SELECT "enrollments_enrollment"."id" AS "id", "enrollments_enrollment"."student_id" AS "student_id", '
    '"enrollments_enrollment"."course_id" AS "course_id", "courses_course"."title" AS "course__title", '
    '"courses_course"."slug" AS "course__slug", "enrollments_enrollment"."status" AS "status", '
    '"enrollments_enrollment"."enrolled_at" AS "enrolled_at", '
    '"enrollments_enrollment"."started_at" AS "started_at", '
    '"enrollments_enrollment"."completed_at" AS "completed_at", '
    '"enrollments_enrollment"."progress_percentage" AS "progress_percentage", '
    '"enrollments_enrollment"."completed_lessons_count" AS "completed_lessons_count", '
    '"enrollments_enrollment"."total_lessons_count" AS "total_lessons_count", '
    '"enrollments_enrollment"."total_time_spent_seconds" AS "total_time_spent_seconds", '
    '"enrollments_enrollment"."last_accessed_at" AS "last_accessed_at", '
    '"enrollments_enrollment"."certificate_issued_at" AS "certificate_issued_at", '
    '"enrollments_enrollment"."rating" AS "rating", "enrollments_enrollment"."review" AS "review" '
    'FROM "enrollments_enrollment" INNER JOIN "courses_course" '
    'ON ("enrollments_enrollment"."course_id" = "courses_course"."id") '
    'WHERE "enrollments_enrollment"."student_id" = %s ORDER BY 7 DESC, 1 DESC LIMIT %s'
)
CERTIFICATE_SQL = (
    'SELECT "certificates_certificate"."id", "certificates_certificate"."certificate_number", '
    '"certificates_certificate"."enrollment_id", "certificates_certificate"."student_id", '
    '"certificates_certificate"."course_id", "certificates_certificate"."student_name", '
    '"certificates_certificate"."course_title", "certificates_certificate"."instructor_name", '
    '"certificates_certificate"."completion_date", "certificates_certificate"."issued_at", '
    '"certificates_certificate"."status", "certificates_certificate"."revoked_at", '
    '"certificates_certificate"."revocation_reason", "certificates_certificate"."revoked_by_id", '
    '"certificates_certificate"."pdf_key", "certificates_certificate"."pdf_rendered_at", '
    '"certificates_certificate"."updated_at" FROM "certificates_certificate" '
    'WHERE "certificates_certificate"."certificate_number" = %s '
    'ORDER BY "certificates_certificate"."issued_at" DESC LIMIT 1'
)


def _json(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body, option=_OPTIONS), content_type="application/json", status=status)


def _error(status: int, code: str, message: str) -> HttpResponse:
    return _json({"error": {"code": code, "message": message}}, status)


def _jsonb(value: Any) -> Any:
    """Django's psycopg setup hands jsonb to the ORM as text (JSONField parses it)."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _course(row: tuple) -> dict[str, Any]:
    rating_count, rating_sum = row[14], row[15]
    rating = (Decimal(rating_sum) / Decimal(rating_count)).quantize(_CENT) if rating_count else None
    return {
        "id": row[0],
        "title": row[1],
        "slug": row[2],
        "description": row[3],
        "instructor_id": row[4],
        "instructor": {"id": row[18], "full_name": row[19]},
        "category": row[5],
        "difficulty_level": row[6],
        "is_published": row[7],
        "published_at": row[8],
        "thumbnail_url": row[9],
        "estimated_duration_minutes": row[10],
        "metadata": _jsonb(row[11]),
        "lessons_count": row[12],
        "enrollments_count": row[13],
        "average_rating": None if rating is None else str(rating),
        "created_at": row[16],
        "updated_at": row[17],
    }


def _course_row(row: tuple) -> dict[str, Any]:
    """A row of COURSE_PAGE_SQL (the course list's `values()` columns)."""
    rating_sum, rating_count = row[15], row[16]
    rating = (Decimal(rating_sum) / Decimal(rating_count)).quantize(_CENT) if rating_count else None
    return {
        "id": row[0],
        "title": row[1],
        "slug": row[2],
        "description": row[3],
        "instructor_id": row[4],
        "instructor": {"id": row[4], "full_name": row[5]},
        "category": row[6],
        "difficulty_level": row[7],
        "is_published": row[8],
        "published_at": row[9],
        "thumbnail_url": row[10],
        "estimated_duration_minutes": row[11],
        "metadata": _jsonb(row[12]),
        "lessons_count": row[13],
        "enrollments_count": row[14],
        "average_rating": None if rating is None else str(rating),
        "created_at": row[17],
        "updated_at": row[18],
    }


def _page_size(request: HttpRequest) -> int:
    raw = request.GET.get("page_size")
    return min(int(raw), 100) if raw and raw.isdigit() and int(raw) > 0 else 20


def _page(items: list[Any], total: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": 1, "page_size": size, "total_pages": -(-total // size)}


def course_list(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/courses (anonymous: the published catalogue, newest first), page 1."""
    size = _page_size(request)
    with connection.cursor() as cursor:
        cursor.execute(COURSE_COUNT_SQL)
        total = cursor.fetchone()[0]
        rows = []
        if total:
            cursor.execute(COURSE_PAGE_SQL, [size])
            rows = cursor.fetchall()
    return _json(_page([_course_row(row) for row in rows], total, size))


def course_detail(request: HttpRequest, course_id: str) -> HttpResponse:
    """GET /api/v1/courses/{id} (anonymous: published courses only)."""
    with connection.cursor() as cursor:
        cursor.execute(COURSE_GET_SQL, [course_id])
        row = cursor.fetchone()
    if row is None or not row[7]:
        return _error(404, "not_found", "Course not found.")
    return _json(_course(row))


def course_lessons(request: HttpRequest, course_id: str) -> HttpResponse:
    """GET /api/v1/courses/{id}/lessons (anonymous: published courses only)."""
    with connection.cursor() as cursor:
        cursor.execute(COURSE_GET_SQL, [course_id])
        course = cursor.fetchone()
        if course is None or not course[7]:
            return _error(404, "not_found", "Course not found.")
        cursor.execute(LESSONS_SQL, [course[0]])
        rows = cursor.fetchall()
    items = [
        {
            "id": row[0],
            "course_id": row[1],
            "title": row[2],
            "slug": row[3],
            "description": row[4],
            "lesson_type": row[5],
            "order_index": row[6],
            "parent_lesson_id": row[7],
            "duration_minutes": row[8],
            "video_url": row[9],
            "is_preview": row[10],
            "metadata": _jsonb(row[11]),
            "created_at": row[12],
            "updated_at": row[13],
        }
        for row in rows
    ]
    return _json({"items": items, "total": len(items)})


def my_courses(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/enrollments/my-courses: the bearer token decoded by simplejwt's AccessToken, the
    user loaded (with the deny-list check) in the same single query ours sends, then the page."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw = header.partition(" ")
    if scheme != "Bearer" or not raw:
        return _error(401, "not_authenticated", "Authentication credentials were not provided.")
    try:
        token = AccessToken(raw)
    except TokenError:
        return _error(401, "token_not_valid", "Given token not valid for any token type")
    with connection.cursor() as cursor:
        cursor.execute(USER_SQL, [token.get("jti"), token.get("sub")])
        user = cursor.fetchone()
        if user is None or user[8] or not user[4]:
            return _error(401, "token_not_valid", "Token is not valid for any user.")
        size = _page_size(request)
        cursor.execute(ENROLLMENT_COUNT_SQL, [user[0]])
        total = cursor.fetchone()[0]
        rows = []
        if total:
            cursor.execute(ENROLLMENT_PAGE_SQL, [user[0], size])
            rows = cursor.fetchall()
    items = [
        {
            "id": row[0],
            "student_id": row[1],
            "course_id": row[2],
            "course": {"id": row[2], "title": row[3], "slug": row[4]},
            "status": row[5],
            "enrolled_at": row[6],
            "started_at": row[7],
            "completed_at": row[8],
            "progress_percentage": None if row[9] is None else str(row[9].quantize(_CENT)),
            "completed_lessons_count": row[10],
            "total_lessons_count": row[11],
            "total_time_spent_seconds": row[12],
            "last_accessed_at": row[13],
            "certificate_issued_at": row[14],
            "rating": row[15],
            "review": row[16],
        }
        for row in rows
    ]
    return _json(_page(items, total, size))


def certificate_verify(request: HttpRequest, certificate_number: str) -> HttpResponse:
    """GET /api/v1/certificates/verify/{number}: always 200. The number is normalised as ours does
    (a pure function, no query)."""
    from certificates.numbers import normalize

    number = normalize(certificate_number)
    row = None
    if number is not None:
        with connection.cursor() as cursor:
            cursor.execute(CERTIFICATE_SQL, [number])
            row = cursor.fetchone()
    if row is None:
        return _json(
            {
                "valid": False,
                "status": "not_found",
                "certificate": None,
                "message": "No certificate with this number was issued here.",
            }
        )
    valid = row[10] == "valid"
    if valid:
        message = f"This certificate is valid: {row[5]} completed {row[6]} on {row[8]:%d %B %Y}."
    else:
        message = f"This certificate was revoked on {row[11]:%d %B %Y} and is no longer valid."
    certificate = {
        "certificate_number": row[1],
        "student_name": row[5],
        "course_title": row[6],
        "instructor_name": row[7],
        "completion_date": row[8],
        "issued_at": row[9],
        "revoked_at": row[11],
        "revocation_reason": row[12],
    }
    return _json({"valid": valid, "status": row[10], "certificate": certificate, "message": message})
