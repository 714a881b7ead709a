"""One pagination shape for every list.

Body: `{"items": [...], "total": N, "page": P, "page_size": S, "total_pages": T}`, plus an RFC 8288
`Link` header (`first` and `last` always; `prev`/`next` when those pages exist). A page past the
end is an empty 200, not a 404; a `page` that is not an integer >= 1 is a 400.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rest_framework import pagination, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _positive_int(raw: str | None, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: ["Must be an integer."]}) from None
    if value < 1:
        raise ValidationError({name: ["Must be 1 or greater."]})
    return value


class Page:
    """What a paginated selector hands back: the rows of one page and the total."""

    def __init__(self, items: Sequence[Any], *, total: int, number: int, size: int) -> None:
        self.items = items
        self.total = total
        self.number = number
        self.size = size

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.size) if self.total else 0


def page_params(request: Request) -> tuple[int, int]:
    """Read and check `page` and `page_size`; sizes above the maximum are clamped, not refused."""
    page = _positive_int(request.query_params.get("page"), "page", 1)
    size = min(
        _positive_int(request.query_params.get("page_size"), "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE
    )
    return page, size


def paginate(queryset: Any, request: Request, *, values: tuple[str, ...] | None = None) -> Page:
    """Slice a queryset (or list) into one page: one COUNT plus one query for the rows.

    With `values`, the rows are `queryset.values(*values)` dicts (the hot read paths skip model
    instances); the COUNT still runs on `queryset`, so it joins nothing the filters do not need."""
    number, size = page_params(request)
    total = (
        queryset.count() if hasattr(queryset, "count") and not isinstance(queryset, list) else len(queryset)
    )
    offset = (number - 1) * size
    rows = queryset.values(*values) if values else queryset
    items = list(rows[offset : offset + size]) if offset < total else []
    return Page(items, total=total, number=number, size=size)


def link_header(request: Request, page: Page) -> str:
    url = request.build_absolute_uri()
    last = max(page.total_pages, 1)
    links = [(1, "first")]
    if page.number > 1:
        links.append((min(page.number - 1, last), "prev"))
    if page.number < page.total_pages:
        links.append((page.number + 1, "next"))
    links.append((last, "last"))
    return ", ".join(f'<{replace_query_param(url, "page", number)}>; rel="{rel}"' for number, rel in links)


def paginated_response(request: Request, page: Page, data: list[Any]) -> Response:
    body = {
        "items": data,
        "total": page.total,
        "page": page.number,
        "page_size": page.size,
        "total_pages": page.total_pages,
    }
    return Response(body, headers={"Link": link_header(request, page)})


class PageNumberPagination(pagination.BasePagination):
    """DRF pagination class with the same shape, for generic views and the browsable API."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.page = paginate(queryset, request)
        return list(self.page.items)

    def get_paginated_response(self, data: list[Any]) -> Response:
        return paginated_response(self.request, self.page, data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "total", "page", "page_size", "total_pages"],
            "properties": {
                "items": schema,
                "total": {"type": "integer", "example": 42},
                "page": {"type": "integer", "example": 1},
                "page_size": {"type": "integer", "example": 20},
                "total_pages": {"type": "integer", "example": 3},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, from 1. A page past the end is empty.",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page (1..{MAX_PAGE_SIZE}; larger values are clamped).",
                "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_PAGE_SIZE},
            },
        ]


class ShortListSerializer(serializers.Serializer):
    """Schema helper for the unpaginated `{"items": [...], "total": N}` lists."""

    total = serializers.IntegerField()
