"""Sample file contents (real signatures, tiny) and a factory for stored files."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import StudentFactory
from files.models import FileType, StorageProvider, UploadedFile
from files.storage import file_storage

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64
AVI = b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 32
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def docx(*, with_word_part: bool = True) -> bytes:
    """A minimal Office Open XML package (or, without `word/`, any other zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if with_word_part else "data/readme.txt", "<w:document/>")
    return buffer.getvalue()


def upload(name: str = "notes.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class UploadedFileFactory(factory.django.DjangoModelFactory):
    """A stored file: the row, and (unless `content=None`) its bytes in the current storage."""

    class Meta:
        model = UploadedFile

    content = PDF
    uploader = factory.SubFactory(StudentFactory)
    filename = factory.LazyFunction(lambda: f"{uuid.uuid4().hex}.pdf")
    original_filename = factory.Sequence(lambda n: f"Document {n}.pdf")
    folder = "uploads"
    storage_key = factory.LazyAttribute(lambda o: f"files/{o.folder}/{o.filename}")
    file_type = FileType.DOCUMENT
    mime_type = "application/pdf"
    file_size = factory.LazyAttribute(lambda o: len(o.content) if o.content else 1)
    is_public = False
    storage_provider = StorageProvider.LOCAL
    checksum_sha256 = factory.LazyAttribute(lambda o: sha256(o.content or b"x"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        content = kwargs.pop("content", None)
        file = super()._create(model_class, *args, **kwargs)
        if content:
            file_storage().save(file.storage_key, ContentFile(content))
        return file
