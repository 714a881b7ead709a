"""URL helpers: every API route answers with and without a trailing slash, without redirects; and a
converter for a path parameter that may be any text."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, register_converter


class AnyTextConverter:
    """Any non-empty text, slashes and line breaks included. Django's `path:` is `.+`, whose dot stops
    at a newline: `/verify/ABC%0A` found no route and got a 404 where verification answers every
    string with a 200 (found by schema fuzzing)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyTextConverter, "text")


def route(pattern: str, view: Any, name: str | None = None) -> list[URLPattern]:
    """`pattern` and `pattern/` both resolve to `view` (a 301 would drop POST bodies)."""
    return [path(pattern, view, name=name), path(f"{pattern}/", view)]
