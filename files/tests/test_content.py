"""The content checks behind `content_mismatch`, file names as metadata, and Content-Disposition."""

from __future__ import annotations

import io
import zipfile

import pytest

from files.content import (
    attachment_disposition,
    clean_original_filename,
    content_matches,
    extension_of,
    file_type_for,
    mime_type_for,
)
from files.responses import byte_range
from files.tests.factories import AVI, DOC, JPEG, LINUX_ELF, MOV, MP4, PDF, PNG, WINDOWS_EXE, docx
from lms_project.exceptions import ApplicationError

MATCHES = {
    "mp4": MP4,
    "mov": MOV,
    "avi": AVI,
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "doc": DOC,
    "docx": docx(),
}


@pytest.mark.parametrize(("ext", "content"), MATCHES.items())
def test_each_format_is_recognised_by_its_signature(ext, content):
    stream = io.BytesIO(content)
    assert content_matches(ext, stream)
    assert stream.tell() == 0  # left where the storage expects to start reading


@pytest.mark.security
@pytest.mark.parametrize("ext", MATCHES)
@pytest.mark.parametrize("executable", [WINDOWS_EXE, LINUX_ELF, b"#!/bin/sh\nrm -rf /\n"])
def test_no_executable_passes_for_any_format(ext, executable):
    assert not content_matches(ext, io.BytesIO(executable))


def test_an_old_quicktime_file_without_ftyp_is_a_mov_but_not_an_mp4():
    moov_first = b"\x00\x00\x00\x08moov" + b"\x00" * 32
    assert content_matches("mov", io.BytesIO(moov_first))
    assert not content_matches("mp4", io.BytesIO(moov_first))


def test_formats_without_a_signature_only_refuse_executables_and_text_must_be_text():
    assert content_matches("rtf", io.BytesIO(b"{\\rtf1 hello}"))
    assert not content_matches("rtf", io.BytesIO(WINDOWS_EXE))
    assert content_matches("txt", io.BytesIO("héllo wörld".encode()))
    assert not content_matches("txt", io.BytesIO(b"\x00\x01binary"))
    assert not content_matches("html", io.BytesIO(b"\xff\xfe<\x00h\x00"))
    # A long text whose first 8 KiB end inside a multi-byte character is still text.
    assert content_matches("txt", io.BytesIO(b"a" * 8191 + "é".encode() + b"tail"))


def test_types_and_mime_types_come_from_the_extension():
    assert (file_type_for("mp4"), mime_type_for("mp4")) == ("video", "video/mp4")
    assert (file_type_for("png"), mime_type_for("png")) == ("image", "image/png")
    assert (file_type_for("pdf"), mime_type_for("pdf")) == ("document", "application/pdf")
    assert (file_type_for("zzz"), mime_type_for("zzz")) == ("other", "application/octet-stream")


@pytest.mark.parametrize(
    ("name", "ext"),
    [("a.PDF", "pdf"), ("a.tar.gz", "gz"), ("README", ""), ("trailing.pdf.", ""), (".pdf", "")],
)
def test_extension_of(name, ext):
    assert extension_of(name) == ext


def test_clean_original_filename_keeps_the_name_and_drops_the_rest():
    assert clean_original_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_original_filename("C:\\Users\\x\\report.pdf") == "report.pdf"
    assert clean_original_filename("  bad\x00\x1b[31mname\u200b.pdf ") == "bad[31mname.pdf"
    assert clean_original_filename("e\u0301te\u0301.pdf") == "été.pdf"  # NFC
    long = clean_original_filename("x" * 400 + ".docx")
    assert (len(long), long[-5:]) == (255, ".docx")


@pytest.mark.security
def test_attachment_disposition():
    assert (
        attachment_disposition("notes.pdf")
        == "attachment; filename=\"notes.pdf\"; filename*=UTF-8''notes.pdf"
    )
    assert attachment_disposition("東京.mp4") == (
        "attachment; filename=\"download.mp4\"; filename*=UTF-8''%E6%9D%B1%E4%BA%AC.mp4"
    )
    assert attachment_disposition('100% "real".pdf') == (
        "attachment; filename=\"100_ _real_.pdf\"; filename*=UTF-8''100%25%20%22real%22.pdf"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 9)),
        ("bytes=90-", (90, 99)),
        ("bytes=90-500", (90, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=5-2", None),
        ("bytes=0-1,3-4", None),
        ("bytes=-", None),
        ("items=0-1", None),
    ],
)
def test_byte_range(header, expected):
    assert byte_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=-0"])
def test_an_unsatisfiable_byte_range(header):
    with pytest.raises(ApplicationError) as caught:
        byte_range(header, 100)
    assert (caught.value.status, caught.value.code) == (416, "range_not_satisfiable")


@pytest.mark.security
def test_a_docx_with_an_absurd_number_of_entries_is_refused_without_listing_them():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for n in range(10_000):
            archive.writestr(f"e/{n}", b"")
    assert not content_matches("docx", buffer)
