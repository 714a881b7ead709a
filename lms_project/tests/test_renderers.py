"""The orjson renderer writes the same JSON as DRF's JSONRenderer (and the same bytes where it can)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from lms_project.renderers import ORJSONRenderer

PAYLOAD = {
    "id": uuid.UUID("3f1c2b9a-5d7e-4c11-9a0b-7e2d1c4b5a60"),
    "price": Decimal("4.50"),
    "rating": "4.50",
    "utc": dt.datetime(2026, 11, 20, 10, 0, 0, tzinfo=dt.UTC),
    "micro": dt.datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=dt.UTC),
    "london": dt.datetime(2026, 1, 20, 10, 0, 0, tzinfo=ZoneInfo("Europe/London")),
    "paris": dt.datetime(2026, 7, 20, 10, 0, 0, 5, tzinfo=ZoneInfo("Europe/Paris")),
    "naive": dt.datetime(2026, 11, 20, 10, 0, 0),
    "day": dt.date(2026, 11, 24),
    "time": dt.time(9, 30, 1, 500),
    "span": dt.timedelta(minutes=90),
    "lazy": gettext_lazy("Not found."),
    "text": 'Grüße, 日本語, emoji 🎓, quote " backslash \\ tab \t line\u2028sep\u2029',
    "nested": [1, 2.5, True, False, None, [{"a": [uuid.UUID(int=1), Decimal("0.10")]}], (3, 4)],
    "empty": {},
    "big": 2**63 - 1,
}


def test_same_bytes_as_drf() -> None:
    assert ORJSONRenderer().render(PAYLOAD) == JSONRenderer().render(PAYLOAD)
    assert json.loads(ORJSONRenderer().render(PAYLOAD)) == json.loads(JSONRenderer().render(PAYLOAD))


def test_none_is_an_empty_body_and_lists_render() -> None:
    assert ORJSONRenderer().render(None) == b""
    assert ORJSONRenderer().render([]) == JSONRenderer().render([]) == b"[]"
    assert ORJSONRenderer().render("x") == b'"x"'


def test_what_orjson_refuses_falls_back_to_drf() -> None:
    odd = {1: "int key", "huge": 2**70, "deep": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}
    assert ORJSONRenderer().render(odd) == JSONRenderer().render(odd)


def test_indent_is_drf_pretty_printing() -> None:
    media = "application/json; indent=4"
    assert ORJSONRenderer().render(PAYLOAD, media) == JSONRenderer().render(PAYLOAD, media)


def test_first_renderer_in_settings() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"][0] == "lms_project.renderers.ORJSONRenderer"
