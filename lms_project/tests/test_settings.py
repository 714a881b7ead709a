"""Configuration: environment parsing and the production safety check (contract section 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lms_project.env import database_from_url, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parents[2]


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the real settings in a fresh interpreter, as `manage.py` or gunicorn would."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ENVIRONMENT"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "lms_project.settings", "LMS_IGNORE_DOTENV": "true", **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.security
def test_production_refuses_to_start_with_the_default_secret_key():
    result = _start({"DEBUG": "false"})
    assert result.returncode != 0
    assert "Refusing to start: DEBUG=false with the default (or a short) SECRET_KEY" in result.stderr


@pytest.mark.security
def test_production_refuses_a_short_secret_key():
    result = _start({"DEBUG": "false", "SECRET_KEY": "change-me"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.security
def test_production_refuses_debug_on():
    result = _start({"ENVIRONMENT": "production", "DEBUG": "true", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "DEBUG=true with ENVIRONMENT=production" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = _start({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.security
def test_production_environment_defaults_debug_off():
    result = _start({"ENVIRONMENT": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_garbage_boolean_stops_start_up():
    result = _start({"DEBUG": "yse"})
    assert result.returncode != 0
    assert "DEBUG='yse' is not a boolean" in result.stderr


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on"])
def test_env_bool_true_spellings(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", False) is True


def test_env_bool_default_and_garbage(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", True) is True
    monkeypatch.setenv("FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG", False)


def test_blank_variables_mean_the_default(monkeypatch):
    for name in ("FLAG", "NUM", "ITEMS"):
        monkeypatch.setenv(name, "  ")
    assert env_bool("FLAG", True) is True
    assert env_int("NUM", 7) == 7
    assert env_list("ITEMS", "a,b") == ["a", "b"]


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("NUM", "42")
    monkeypatch.setenv("ITEMS", " a, b ,,c ")
    assert env_int("NUM", 1) == 42
    assert env_list("ITEMS") == ["a", "b", "c"]
    monkeypatch.setenv("NUM", "4x")
    with pytest.raises(ImproperlyConfigured):
        env_int("NUM", 1)
    monkeypatch.setenv("NUM", "0")
    with pytest.raises(ImproperlyConfigured):
        env_int("NUM", 1, minimum=1)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://lms:s%40cret@db.example.com:6432/lms",
        "postgres://lms:s%40cret@db.example.com:6432/lms",
        "postgresql+psycopg2://lms:s%40cret@db.example.com:6432/lms",
        "postgresql+psycopg://lms:s%40cret@db.example.com:6432/lms",
    ],
)
def test_database_url_spellings_all_map_to_postgresql(url):
    config = database_from_url(url, base_dir=BASE_DIR)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("lms", "lms", "s@cret")
    assert (config["HOST"], config["PORT"]) == ("db.example.com", "6432")


def test_database_url_query_options_are_passed_through():
    config = database_from_url("postgresql://u@h/lms?sslmode=require", base_dir=BASE_DIR)
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_sqlite_urls_relative_and_absolute():
    assert database_from_url("sqlite:///lms.db", base_dir=Path("/srv/app"))["NAME"] == "/srv/app/lms.db"
    assert database_from_url("sqlite:////tmp/lms.db", base_dir=Path("/srv/app"))["NAME"] == "/tmp/lms.db"


def test_unknown_database_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://u@h/db", base_dir=BASE_DIR)


def test_quick_start_uses_sqlite_and_inline_tasks_without_variables():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.STORAGES['default']['BACKEND'], s.EMAIL_BACKEND, s.CACHES['default']['BACKEND'])"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "FILE_STORAGE_PROVIDER", "EMAIL_HOST"}
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "lms_project.settings", "LMS_IGNORE_DOTENV": "true"},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.files.storage.FileSystemStorage",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.cache.backends.locmem.LocMemCache",
    ]
