"""Test settings: the same settings, with fast hashing, captured e-mail and inline tasks."""

import tempfile
import uuid

from .settings import *  # noqa: F403
from .settings import CACHES, PASSWORD_HASHERS, STORAGES, TRUSTED_HOSTS

# Argon2 costs ~50 ms a hash; tests that check Argon2 itself override this.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
ALLOWED_HOSTS = TRUSTED_HOSTS = [*TRUSTED_HOSTS, "testserver"]  # Django's test client host
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# The suite sends thousands of requests from one IP; the rate-limit tests lower these themselves.
RATE_LIMIT_REQUESTS_PER_MINUTE = 1_000_000
RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE = 1_000_000
# Every run counts in its own key space, so runs sharing a Redis never see each other's counters.
_RUN = uuid.uuid4().hex[:8]
for _alias, _cache in CACHES.items():
    _cache["KEY_PREFIX"] = f"test-{_RUN}-{_cache.get('KEY_PREFIX', _alias)}"
# Files written by tests (uploads, certificate PDFs) land in a throwaway directory, not the checkout.
MEDIA_ROOT = tempfile.mkdtemp(prefix="lms-test-media-")
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
}
