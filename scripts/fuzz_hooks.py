"""Schemathesis hooks for scripts/fuzz_api.py, loaded through SCHEMATHESIS_HOOKS.

One hook, for one false positive of the tool, and narrow on purpose: every other case still runs.
"""

from __future__ import annotations

from typing import Any

import schemathesis

UPLOAD = "/api/v1/files/upload"
# The upload's form fields that are not the file, with the Python type a schema-valid value has.
UPLOAD_FIELDS = {"folder": str, "is_public": bool}


@schemathesis.hook
def filter_body(ctx: Any, body: Any) -> bool:
    """Drop upload bodies whose form fields were given another JSON type.

    A multipart form field is text on the wire. schemathesis' negative cases change a field's type
    (`folder` as the integer -50312, `is_public` as 1) and send it as text ("-50312", "1"): a valid
    folder and a valid boolean, so the server rightly answers 201, and schemathesis 4.32.5 reports a
    "schema-violating request accepted" (ST201, fuzzing phase; it skips such cases in its coverage
    phase). Nothing on the wire tells those apart from a valid request, so they test nothing.
    Negative cases that leave the field types alone (no file, an unknown field...) still run.
    """
    operation = getattr(ctx, "operation", None)
    if operation is None or operation.path != UPLOAD or not isinstance(body, dict):
        return True
    return all(isinstance(body[name], kind) for name, kind in UPLOAD_FIELDS.items() if name in body)
