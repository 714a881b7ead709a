"""A faster JSON renderer: orjson, producing the same JSON as DRF's `JSONRenderer`.

What DRF's encoder does is kept: datetimes, dates and times go through DRF's `JSONEncoder.default`
(ISO 8601, `Z` for a zero UTC offset), and so does every type orjson does not know (Decimal -> float
as DRF does, lazy strings, querysets, ...). `None` data renders as an empty body; U+2028/U+2029 are
escaped as DRF does. Anything orjson refuses (non-string keys, integers beyond 64 bits, very deep
nesting) and pretty printing (`indent`) fall back to DRF's own renderer, byte for byte.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_default = JSONEncoder().default


class ORJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if not (self.compact and not self.ensure_ascii and self.strict) or (
            self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            ret = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in ret or b"\xe2\x80\xa9" in ret:
            ret = ret.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return ret
