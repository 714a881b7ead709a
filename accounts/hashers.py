"""Verify the previous system's passlib bcrypt hashes.

The FastAPI system stored raw bcrypt hashes (`$2b$12$...`). Django's BCryptPasswordHasher expects
`bcrypt$<hash>`; `User.check_password` adds that prefix to raw hashes, so imported rows verify
unchanged and are re-hashed with Argon2id on the next successful login (Django's upgrade path).
"""

from __future__ import annotations

from django.contrib.auth.hashers import BCryptPasswordHasher

RAW_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


def normalize_legacy_hash(encoded: str) -> str:
    return f"bcrypt${encoded}" if encoded.startswith(RAW_BCRYPT_PREFIXES) else encoded


class LegacyBcryptPasswordHasher(BCryptPasswordHasher):
    """Django's bcrypt hasher, tolerant of passwords over 72 bytes.

    bcrypt < 5 (which passlib used) silently truncated passwords to 72 bytes; bcrypt >= 5 raises
    instead. Truncating here keeps long legacy passwords verifying exactly as before.
    """

    def encode(self, password: str, salt: bytes | str) -> str:
        bcrypt = self._load_library()
        raw = password.encode()[:72]
        data = bcrypt.hashpw(raw, salt if isinstance(salt, bytes) else salt.encode("ascii"))
        return f"{self.algorithm}${data.decode('ascii')}"
