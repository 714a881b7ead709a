"""What an upload is: its extension, the type and MIME type we derive from it, and whether its bytes
agree with it.

The client's `Content-Type` is never trusted: the MIME type we store and serve comes from the
extension (which must be allowed), and the first bytes must carry that format's signature (a small
table instead of a dependency: a handful of formats, each a few bytes at a fixed offset). An
executable renamed `.pdf` has no `%PDF-` header and is refused.

Extensions an operator adds to `ALLOWED_UPLOAD_EXTENSIONS` that are not in the table are accepted
as long as the bytes do not start like an executable or script; text formats (html, svg, txt...)
must be UTF-8 text without NUL bytes.
"""

from __future__ import annotations

import codecs
import mimetypes
import os
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from typing import IO
from urllib.parse import quote

from .models import FileType

HEAD_BYTES = 8192
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024
EOCD_SEARCH_BYTES = 22 + 65_535  # the end record plus the longest zip comment
MAX_NAME_LENGTH = 255

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc, .xls, .ppt
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, both byte orders, 32 and 64 bit
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O fat binary (and Java class files)
    b"#!",  # scripts
)

MIME_TYPES = {
    "mp4": "video/mp4",
    "m4v": "video/x-m4v",
    "mov": "video/quicktime",
    "avi": "video/x-msvideo",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
    "html": "text/html",
    "htm": "text/html",
    "json": "application/json",
    "zip": "application/zip",
}

FILE_TYPES = {
    **dict.fromkeys(("mp4", "m4v", "mov", "avi", "webm", "mkv"), FileType.VIDEO),
    **dict.fromkeys(("jpg", "jpeg", "png", "gif", "webp", "svg"), FileType.IMAGE),
    **dict.fromkeys(
        ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "md", "odt", "rtf"),
        FileType.DOCUMENT,
    ),
}

TEXT_EXTENSIONS = frozenset({"txt", "csv", "md", "html", "htm", "svg", "json", "xml"})
# The first atom of a QuickTime file without an `ftyp` box (files from older cameras and tools).
QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


def clean_original_filename(name: str) -> str:
    """The client's file name as metadata: no directories, no control or invisible characters,
    NFC-normalised, at most 255 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 16 else ""
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


def extension_of(name: str) -> str:
    """Lower-case extension without the dot ("" when there is none: `README`, `archive.`)."""
    return os.path.splitext(name)[1].lower().lstrip(".")


def mime_type_for(ext: str) -> str:
    return MIME_TYPES.get(ext) or mimetypes.guess_type(f"f.{ext}")[0] or "application/octet-stream"


def file_type_for(ext: str) -> str:
    return FILE_TYPES.get(ext, FileType.OTHER)


def _zip_directory_is_small(stream: IO[bytes]) -> bool:
    """Read the zip's end record first: a "document" with millions of (empty) entries would make
    `zipfile` build millions of objects just to list them. Real Office files have a few hundred."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    tail_length = min(size, EOCD_SEARCH_BYTES)
    stream.seek(size - tail_length)
    tail = stream.read(tail_length)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < 22:
        return False
    *_, entries, directory_size, _offset, _comment = struct.unpack("<4s4H2LH", tail[position : position + 22])
    # 0xFFFF entries means a ZIP64 record follows: far beyond any Office file we accept.
    return entries < min(MAX_ZIP_ENTRIES, 0xFFFF) and directory_size <= MAX_ZIP_DIRECTORY_BYTES


def _ooxml(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    """An Office Open XML file: a zip whose directory has `[Content_Types].xml` and `<folder>/...`.
    Only the zip's central directory is read; nothing is decompressed."""

    def check(head: bytes, stream: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04") or not _zip_directory_is_small(stream):
            return False
        try:
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


def _iso_media(head: bytes, stream: IO[bytes]) -> bool:
    return head[4:8] == b"ftyp"


def _quicktime(head: bytes, stream: IO[bytes]) -> bool:
    return head[4:8] == b"ftyp" or head[4:8] in QUICKTIME_ATOMS


def _starts(*magics: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, stream: head.startswith(magics)


def _riff(kind: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, stream: head[:4] == b"RIFF" and head[8:12] == kind


SIGNATURES: dict[str, Callable[[bytes, IO[bytes]], bool]] = {
    "mp4": _iso_media,
    "m4v": _iso_media,
    "mov": _quicktime,
    "avi": _riff(b"AVI "),
    "webm": _starts(b"\x1a\x45\xdf\xa3"),
    "mkv": _starts(b"\x1a\x45\xdf\xa3"),
    "pdf": _starts(b"%PDF-"),
    "png": _starts(b"\x89PNG\r\n\x1a\n"),
    "jpg": _starts(b"\xff\xd8\xff"),
    "jpeg": _starts(b"\xff\xd8\xff"),
    "gif": _starts(b"GIF87a", b"GIF89a"),
    "webp": _riff(b"WEBP"),
    "doc": _starts(OLE2),
    "xls": _starts(OLE2),
    "ppt": _starts(OLE2),
    "docx": _ooxml("word/"),
    "xlsx": _ooxml("xl/"),
    "pptx": _ooxml("ppt/"),
    "zip": _starts(b"PK\x03\x04", b"PK\x05\x06"),
}


def _is_text(head: bytes) -> bool:
    """UTF-8 without NUL bytes. A full head may end inside a multi-byte character: that is fine."""
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < HEAD_BYTES)
    except UnicodeDecodeError:
        return False
    return True


def content_matches(ext: str, stream: IO[bytes]) -> bool:
    """Do the bytes of `stream` (seekable; left at position 0) look like a `.ext` file?"""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    try:
        if ext in SIGNATURES:
            return SIGNATURES[ext](head, stream)
        if head.startswith(EXECUTABLE_MAGIC):
            return False
        if ext in TEXT_EXTENSIONS:
            return _is_text(head)
        return True
    finally:
        stream.seek(0)


def attachment_disposition(filename: str) -> str:
    """`Content-Disposition` for a download (RFC 6266, RFC 5987): an ASCII fallback for old clients,
    then the exact UTF-8 name:
    `attachment; filename="Resume.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf`.
    """
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    # Quotes and backslashes would end or escape the quoted string; "%" is decoded by some browsers.
    ascii_name = "".join("_" if char in '"\\%' or not char.isprintable() else char for char in ascii_name)
    stem, dot, ext = ascii_name.strip().rpartition(".")
    if not dot:
        stem, ext = ext, ""
    fallback = f"{stem.strip() or 'download'}{dot}{ext}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
