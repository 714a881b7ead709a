"""Django settings for the LMS backend.

Every setting comes from the environment (names from the product description, section 7, plus the
few the API contract adds). With no variables at all the project runs as a quick start: SQLite in
the project folder, tasks run inline, files on the local disk, e-mail printed to the console.
`.env.example` lists every variable with a comment; docs/operations.md explains them.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from .env without overriding the real environment.

    A dozen lines instead of a dependency: values are taken literally, quotes around them dropped.
    """
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip().removeprefix("export ").strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        os.environ.setdefault(key, value)


if not env_bool("LMS_IGNORE_DOTENV", False):
    _load_dotenv(BASE_DIR / ".env")

# --- Application -------------------------------------------------------------------------------
PROJECT_NAME = env_str("PROJECT_NAME", "LMS Backend")
ENVIRONMENT = env_str("ENVIRONMENT", "development")
API_V1_PREFIX = "/" + env_str("API_V1_PREFIX", "/api/v1").strip("/")
DEBUG = env_bool("DEBUG", ENVIRONMENT != "production")
VERSION = "0.1.0"

# --- Security and auth -------------------------------------------------------------------------
DEFAULT_SECRET_KEY = "dev-insecure-change-me-this-key-is-public-in-the-repository"
SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "Refusing to start: DEBUG=false with the default (or a short) SECRET_KEY. Set SECRET_KEY to a "
        'long random string, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
    )
if DEBUG and ENVIRONMENT == "production":
    raise ImproperlyConfigured("Refusing to start: DEBUG=true with ENVIRONMENT=production.")
ALGORITHM = env_str("ALGORITHM", "HS256")
if ALGORITHM not in {"HS256", "HS384", "HS512"}:
    raise ImproperlyConfigured(f"ALGORITHM={ALGORITHM!r}: only HS256/HS384/HS512 (signed with SECRET_KEY).")
ACCESS_TOKEN_EXPIRE_MINUTES = env_int("ACCESS_TOKEN_EXPIRE_MINUTES", 15, minimum=1)
REFRESH_TOKEN_EXPIRE_DAYS = env_int("REFRESH_TOKEN_EXPIRE_DAYS", 30, minimum=1)
ALLOW_INSTRUCTOR_SIGNUP = env_bool("ALLOW_INSTRUCTOR_SIGNUP", False)
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)

# --- Hosts, CORS, proxies ------------------------------------------------------------------------
TRUSTED_HOSTS = env_list("TRUSTED_HOSTS", "localhost,127.0.0.1,[::1]")
ALLOWED_HOSTS = TRUSTED_HOSTS
CORS_ORIGINS = env_list("CORS_ORIGINS", "http://localhost:3000,http://localhost:5173")
CORS_ALLOWED_ORIGINS = CORS_ORIGINS
CORS_EXPOSE_HEADERS = [
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "Link",
    "Content-Disposition",
]
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "x-request-id", "x-csrftoken"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Client IPs are read from X-Forwarded-For only when the direct peer is one of these (IPs or CIDRs).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:  # a typo here would otherwise fail every request, not the start-up
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network.") from None

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", ENVIRONMENT == "production")
# API paths are declared without a trailing slash and accept one; never redirect (POST bodies die).
APPEND_SLASH = False

# --- Apps ----------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    # Without this app simplejwt's blacklist silently does nothing (simplejwt #985).
    "rest_framework_simplejwt.token_blacklist",
    "corsheaders",
    "django_filters",
    "django_celery_beat",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "lms_project",
    "accounts",
    "courses",
    "enrollments",
    "quizzes",
    "analytics",
    "files",
    "certificates",
]

MIDDLEWARE = [
    # Outermost: every response, even a 400 for a bad Host or a 429, gets a request id and a log line.
    "lms_project.middleware.request_id.RequestIdMiddleware",
    # Before the host check, so its 400 gets nosniff/Referrer-Policy/COOP (and HSTS) too. An HTTPS
    # redirect for a bad Host is still refused: the redirect calls get_host(), which validates it.
    "django.middleware.security.SecurityMiddleware",
    "lms_project.middleware.hosts.TrustedHostMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    # CORS before the rate limiter, so a browser can read a 429.
    "corsheaders.middleware.CorsMiddleware",
    "lms_project.middleware.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lms_project.urls"
WSGI_APPLICATION = "lms_project.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
SQLALCHEMY_ECHO = env_bool("SQLALCHEMY_ECHO", False)  # kept name: logs every SQL statement
DB_POOL_SIZE = env_int("DB_POOL_SIZE", 0, minimum=0)
DB_MAX_OVERFLOW = env_int("DB_MAX_OVERFLOW", 0, minimum=0)
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 600, minimum=0)

if DATABASE_URL:
    _db = database_from_url(DATABASE_URL, base_dir=BASE_DIR)
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "lms.sqlite3"), "OPTIONS": {}}

if _db["ENGINE"] == "django.db.backends.postgresql":
    if DB_POOL_SIZE:
        # psycopg 3 pool (per process): DB_POOL_SIZE connections kept, DB_MAX_OVERFLOW more on demand.
        # Django requires CONN_MAX_AGE=0 with a pool.
        _db["OPTIONS"]["pool"] = {"min_size": DB_POOL_SIZE, "max_size": DB_POOL_SIZE + DB_MAX_OVERFLOW}
        _db["CONN_MAX_AGE"] = 0
    else:
        # Persistent connections: a new connection per request made a 20-row list 6-7x slower.
        _db["CONN_MAX_AGE"] = DB_CONN_MAX_AGE
    # A database restart must not hand out dead connections.
    _db["CONN_HEALTH_CHECKS"] = True
    _db["OPTIONS"].setdefault("connect_timeout", 5)
    _db["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}
else:
    # SQLite: wait on a locked database instead of failing at once (the dev server is threaded).
    _db["OPTIONS"].setdefault("timeout", 20)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Redis, rate limiting ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
RATE_LIMIT_USE_REDIS = env_bool("RATE_LIMIT_USE_REDIS", True)
RATE_LIMIT_REQUESTS_PER_MINUTE = env_int("RATE_LIMIT_REQUESTS_PER_MINUTE", 100, minimum=1)
RATE_LIMIT_WINDOW_SECONDS = env_int("RATE_LIMIT_WINDOW_SECONDS", 60, minimum=1)
RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE = env_int("RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE", 20, minimum=1)
RATE_LIMIT_REDIS_PREFIX = env_str("RATE_LIMIT_REDIS_PREFIX", "ratelimit")
RATE_LIMIT_EXCLUDED_PATHS = env_list(
    "RATE_LIMIT_EXCLUDED_PATHS", f"/,/docs,/redoc,/openapi.json,{API_V1_PREFIX}/health,/static"
)
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", True)
# Seconds to count in process before trying Redis again after it failed.
RATE_LIMIT_REDIS_RETRY_SECONDS = env_int("RATE_LIMIT_REDIS_RETRY_SECONDS", 5, minimum=1)

# Fail fast when Redis is down: a rate-limit check must not hang a request for seconds.
_REDIS_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5, "retry_on_timeout": False}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lms_project.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lms",
            "OPTIONS": _REDIS_OPTIONS,
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lms"}}
if REDIS_URL and RATE_LIMIT_USE_REDIS:
    CACHES["ratelimit"] = {
        "BACKEND": "lms_project.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": RATE_LIMIT_REDIS_PREFIX,
        "OPTIONS": _REDIS_OPTIONS,
    }
else:
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_CACHE_PREFIX = "rl:"

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
# Nothing reads task results unless a result backend is configured on purpose.
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
# No broker: run tasks inline in the calling process (quick start, tests).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True  # a task killed mid-run is redelivered: every task is idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # Exact names win over the module patterns below.
    "enrollments.tasks.send_course_completed_email_task": {"queue": "emails"},
    "accounts.tasks.*": {"queue": "emails"},
    "courses.tasks.*": {"queue": "progress"},
    "quizzes.tasks.*": {"queue": "progress"},
    "enrollments.tasks.*": {"queue": "progress"},
    "certificates.tasks.*": {"queue": "certificates"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Enqueueing while the broker is down must not hang a request: fail fast, the sweeps catch up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}

# --- Quizzes -------------------------------------------------------------------------------------
# A submit this many seconds after `deadline_at` is still accepted (network latency, slow clicks).
QUIZ_SUBMIT_GRACE_SECONDS = env_int("QUIZ_SUBMIT_GRACE_SECONDS", 30, minimum=0)

# --- Files ---------------------------------------------------------------------------------------
UPLOAD_DIR = env_str("UPLOAD_DIR", "uploads")
CERTIFICATES_DIR = env_str("CERTIFICATES_DIR", "certificates")
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 100, minimum=1)
UPLOAD_QUOTA_MB = env_int("UPLOAD_QUOTA_MB", 1024, minimum=1)
ALLOWED_UPLOAD_EXTENSIONS = [
    ext.lower().lstrip(".")
    for ext in env_list("ALLOWED_UPLOAD_EXTENSIONS", "mp4,avi,mov,pdf,doc,docx,jpg,jpeg,png")
]
FILE_STORAGE_PROVIDER = env_str("FILE_STORAGE_PROVIDER", "local").lower()
FILE_DOWNLOAD_URL_EXPIRE_SECONDS = env_int("FILE_DOWNLOAD_URL_EXPIRE_SECONDS", 900, minimum=1)
AZURE_STORAGE_CONNECTION_STRING = env_str("AZURE_STORAGE_CONNECTION_STRING")
AZURE_STORAGE_ACCOUNT_NAME = env_str("AZURE_STORAGE_ACCOUNT_NAME")
AZURE_STORAGE_ACCOUNT_KEY = env_str("AZURE_STORAGE_ACCOUNT_KEY")
AZURE_STORAGE_ACCOUNT_URL = env_str("AZURE_STORAGE_ACCOUNT_URL")
AZURE_STORAGE_CONTAINER_NAME = env_str("AZURE_STORAGE_CONTAINER_NAME", "lms")
AZURE_STORAGE_CONTAINER_URL = env_str("AZURE_STORAGE_CONTAINER_URL")
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID") or None
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY") or None
# Every multipart body is read by this handler: MAX_UPLOAD_MB enforced while streaming (413), SHA-256
# computed on the way, bytes written to a temp file, never held in memory (lms_project/uploads.py).
FILE_UPLOAD_HANDLERS = ["lms_project.uploads.StreamingUploadHandler"]
# Uploaded files live under this key prefix of the storage ("files/<folder>/<random>.<ext>"), apart
# from anything else the project keeps in the same bucket or directory.
FILE_STORAGE_PREFIX = "files"

_upload_root = Path(UPLOAD_DIR) if Path(UPLOAD_DIR).is_absolute() else BASE_DIR / UPLOAD_DIR
MEDIA_ROOT = str(_upload_root)
MEDIA_URL = None  # uploads are never served by a static route: only through the API
if FILE_STORAGE_PROVIDER == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
elif FILE_STORAGE_PROVIDER == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": AWS_S3_REGION_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "access_key": AWS_ACCESS_KEY_ID,
            "secret_key": AWS_SECRET_ACCESS_KEY,
            "default_acl": "private",
            "querystring_auth": True,
            # django-storages defaults to 3600 s; the contract's TTL is ours.
            "querystring_expire": FILE_DOWNLOAD_URL_EXPIRE_SECONDS,
            "file_overwrite": False,
        },
    }
elif FILE_STORAGE_PROVIDER == "azure":
    _default_storage = {
        "BACKEND": "storages.backends.azure_storage.AzureStorage",
        "OPTIONS": {
            "connection_string": AZURE_STORAGE_CONNECTION_STRING or None,
            "account_name": AZURE_STORAGE_ACCOUNT_NAME or None,
            "account_key": AZURE_STORAGE_ACCOUNT_KEY or None,
            "azure_container": AZURE_STORAGE_CONTAINER_NAME,
            "custom_domain": None,
            "expiration_secs": FILE_DOWNLOAD_URL_EXPIRE_SECONDS,
            "overwrite_files": False,
        },
    }
    if AZURE_STORAGE_ACCOUNT_URL:
        _default_storage["OPTIONS"]["endpoint_suffix"] = AZURE_STORAGE_ACCOUNT_URL.split(".blob.", 1)[-1]
else:
    raise ImproperlyConfigured(f"FILE_STORAGE_PROVIDER={FILE_STORAGE_PROVIDER!r}: use local, s3 or azure.")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": _default_storage,
    # Compressed copies (gzip/brotli) served by WhiteNoise; no manifest, so a missing collectstatic
    # degrades to uncompressed files instead of a 500.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Request bodies over this are refused while streaming (uploads use their own handler and limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
WHITENOISE_USE_FINDERS = DEBUG

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LMS <no-reply@lms.local>")
FRONTEND_URL = env_str("FRONTEND_URL", "http://localhost:3000")
# Absolute base of public links that leave the request (certificate QR codes and verify links in
# PDFs rendered by workers). Empty: API responses use the request's host.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "").rstrip("/")

# --- Passwords -----------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",  # argon2id for every new hash
    # The previous FastAPI system stored passlib bcrypt hashes; they verify and are upgraded on login.
    "accounts.hashers.LegacyBcryptPasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- DRF, JWT, OpenAPI ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "lms_project.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "lms_project.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "lms_project.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "lms_project.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=REFRESH_TOKEN_EXPIRE_DAYS),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # the login service sets last_login_at itself
    "ALGORITHM": ALGORITHM,
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "typ",
    "JTI_CLAIM": "jti",
    "LEEWAY": 0,
    "CHECK_USER_IS_ACTIVE": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": PROJECT_NAME,
    "DESCRIPTION": (
        "JSON API of the LMS backend. Authenticate with `POST /api/v1/auth/login` and send "
        "`Authorization: Bearer <access_token>`. Errors share one shape: "
        '`{"detail": "...", "code": "snake_case", "errors": {...}}`.'
    ),
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": API_V1_PREFIX,
    "PREPROCESSING_HOOKS": ["lms_project.openapi.drop_trailing_slash_duplicates"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lms_project.openapi.contract_fixes",
    ],
    "ENUM_NAME_OVERRIDES": {"RoleEnum": "accounts.models.Role.choices", "UpDownEnum": ["up", "down"]},
}

# --- I18N, time ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging -------------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "lms_project.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "lms.request": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Our own 500 handler logs the exception with the request id; Django's copy would be a duplicate.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # WeasyPrint and fontTools narrate every render at INFO.
        "weasyprint": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "fontTools": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.db.backends": {
            "handlers": ["console"],
            "level": "DEBUG" if SQLALCHEMY_ECHO else "INFO",
            "propagate": False,
        },
    },
}
