"""Walk the URL conf and list `METHOD /path/{param}` for every API view (trailing-slash twins folded)."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

ROUTES_FILE = Path(__file__).with_name("routes.txt")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_METHODS = ("get", "post", "put", "patch", "delete")


def contract_routes() -> set[str]:
    routes = set()
    for line in ROUTES_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            method, path, *_ = line.split()
            routes.add(f"{method} {path}")
    return routes


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def urlconf_routes() -> set[str]:
    routes = set()
    for raw, callback in _walk(get_resolver().url_patterns):
        if raw.startswith("admin/") or raw.startswith("^"):  # Django admin; regex catch-alls
            continue
        path = "/" + _CONVERTER.sub(r"{\1}", raw)
        if path != "/" and path.endswith("/"):
            continue  # the trailing-slash twin of a route listed without it
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if view is None:  # a plain function view (server-rendered page): GET
            routes.add(f"GET {path}")
            continue
        for method in _METHODS:
            if hasattr(view, method):
                routes.add(f"{method.upper()} {path}")
    return routes
