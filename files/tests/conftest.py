"""Every files test stores on a real local disk, in its own temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def storage_root(settings, tmp_path) -> Path:
    return use_local_storage(settings, tmp_path)


def use_local_storage(settings, tmp_path: Path) -> Path:
    """The local storage (FileSystemStorage) under tmp_path, and Django's upload temp dir beside it, so
    tests can check that nothing is left behind in either. Never the project's `uploads/`. Returns
    the storage root."""
    root = tmp_path / "storage"
    upload_tmp = tmp_path / "upload-tmp"
    upload_tmp.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    settings.MEDIA_ROOT = str(root)
    settings.FILE_UPLOAD_TEMP_DIR = str(upload_tmp)
    return root


@pytest.fixture
def upload_tmp(settings) -> Path:
    return Path(settings.FILE_UPLOAD_TEMP_DIR)


def stored_files(root: Path) -> list[Path]:
    """Every file in the storage (directories left over from earlier saves do not count)."""
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
