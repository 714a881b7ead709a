"""URL helper: every API route answers with and without a trailing slash, without redirects."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path


def route(pattern: str, view: Any, name: str | None = None) -> list[URLPattern]:
    """`pattern` and `pattern/` both resolve to `view` (a 301 would drop POST bodies)."""
    return [path(pattern, view, name=name), path(f"{pattern}/", view)]
