"""The storage behind uploads: Django's `STORAGES["default"]` (local disk, S3 or Azure through
django-storages, chosen by `FILE_STORAGE_PROVIDER` in settings)."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, Storage, storages

from .models import StorageProvider


def file_storage() -> Storage:
    return storages["default"]


def provider_of(storage: Storage) -> str:
    """Which kind of storage this is, recorded on each file. Read from the backend itself rather than
    from `FILE_STORAGE_PROVIDER`, so a row always says where its bytes really went."""
    if isinstance(storage, FileSystemStorage):
        return StorageProvider.LOCAL
    module = type(storage).__module__
    if module.startswith("storages.backends.s3"):
        return StorageProvider.S3
    if module.startswith("storages.backends.azure"):
        return StorageProvider.AZURE
    raise ValueError(f"Unsupported storage backend for uploads: {type(storage).__qualname__}")


def is_local(storage: Storage) -> bool:
    """Local bytes are streamed by the API; remote ones are served by the cloud through a signed URL."""
    return provider_of(storage) == StorageProvider.LOCAL


def remote_signed_url(
    storage: Storage, key: str, *, expire_seconds: int, content_type: str, content_disposition: str
) -> str:
    """A presigned S3 URL or an Azure SAS URL, valid `expire_seconds`, that makes the cloud answer
    with our stored MIME type and `Content-Disposition: attachment` (never what the uploader sent)."""
    if provider_of(storage) == StorageProvider.S3:
        parameters = {
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition,
        }
        return storage.url(key, parameters=parameters, expire=expire_seconds)
    parameters = {"content_type": content_type, "content_disposition": content_disposition}
    return storage.url(key, expire=expire_seconds, parameters=parameters)
