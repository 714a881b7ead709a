"""Certificate numbers: `CERT-YYYYMMDD-` + 10 random Crockford base32 characters.

50 random bits per day: collisions are rare, not impossible, so the issuing service retries on the
unique index. Crockford's alphabet has no I, L, O or U, so a number read aloud or typed from paper
is hard to get wrong; `normalize` also maps the usual misreadings (o -> 0, i/l -> 1).
"""

from __future__ import annotations

import re
import secrets
from datetime import date

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 10
NUMBER_RE = re.compile(r"^CERT-(\d{8})-([0-9A-HJKMNP-TV-Z]{10})$")
MAX_INPUT_LENGTH = 64
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_certificate_number(today: date) -> str:
    tail = "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"CERT-{today:%Y%m%d}-{tail}"


def normalize(raw: str) -> str | None:
    """The canonical form of a number someone typed, or None when it cannot be one."""
    if not raw or len(raw) > MAX_INPUT_LENGTH:
        return None
    text = raw.strip().rstrip("/").upper()  # "verify/<number>/" arrives with its slash
    prefix, _, tail = text.rpartition("-")
    candidate = f"{prefix}-{tail.translate(_MISREAD)}" if prefix else text
    return candidate if NUMBER_RE.match(candidate) else None
