"""Bounded extraction: a DOCX or PDF that inflates past the cap is refused before its parser reads it."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest

from reviewlens.models.extract import ExtractionError, read_bytes
from reviewlens.models.extract.docx import check_zip_size
from reviewlens.models.extract.pdf_streams import check_pdf_inflation
from tests.serving.api.conftest import make_docx, make_pdf


def _docx_bomb(xml_bytes: int) -> bytes:
    """A DOCX-shaped zip whose document.xml inflates to `xml_bytes` (zeros compress ~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * xml_bytes + b"</w:document>")
    return buf.getvalue()


def test_docx_bomb_is_refused_by_declared_size() -> None:
    """Issue 12 defect 3: a 1 MB upload inflating to 1 GB was parsed whole."""
    bomb = _docx_bomb(20_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(ExtractionError, match="zip bomb"):
        read_bytes(bomb, "bomb.docx", max_xml_bytes=5_000_000)


def _lie_about_sizes(data: bytes) -> bytes:
    """Rewrite every declared uncompressed size in the zip to 10 bytes, as a hostile archive may."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (i := out.find(sig, start)) != -1:
            struct.pack_into("<I", out, i + offset, 10)
            start = i + 4
    return bytes(out)


def test_docx_bomb_that_lies_about_its_size_is_stopped_while_inflating() -> None:
    liar = _lie_about_sizes(_docx_bomb(20_000_000))
    with pytest.raises(ExtractionError):
        check_zip_size(liar, 5_000_000)


def test_ordinary_docx_passes_the_check() -> None:
    data = make_docx(["Analysis", "The worker visited the family."])
    check_zip_size(data, 5_000_000)
    assert "The worker visited" in read_bytes(data, "ok.docx").text


def _pdf_with_stream(payload: bytes, extra_dict: bytes = b"") -> bytes:
    """A one-page PDF whose content stream is `payload`, Flate-compressed (offsets need not be exact: the check
    runs before any parser)."""
    body = zlib.compress(payload, 9)
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n"
        b"4 0 obj\n<< /Length " + str(len(body)).encode() + b" /Filter /FlateDecode" + extra_dict + b" >>\nstream\n"
        + body + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def test_pdf_bomb_is_refused_before_pdfium_reads_it() -> None:
    bomb = _pdf_with_stream(b" " * 30_000_000)
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(ExtractionError, match="bomb"):
            read_bytes(bomb, "bomb.pdf", max_xml_bytes=5_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Counted a chunk at a time: nowhere near the 30 MB it would inflate to.
    assert peak < 2_000_000


def test_pdf_image_streams_do_not_count() -> None:
    # Text extraction never decodes images, and scans legitimately hold large ones.
    check_pdf_inflation(_pdf_with_stream(b"\x00" * 10_000_000, b" /Subtype /Image"), 5_000_000)
    with pytest.raises(ExtractionError):
        check_pdf_inflation(_pdf_with_stream(b"\x00" * 10_000_000), 5_000_000)


def test_ordinary_pdf_passes_the_check() -> None:
    data = make_pdf(["Analysis\n\nThe worker visited the family on 3 May."])
    check_pdf_inflation(data, 1_000_000)
    assert "The worker visited" in read_bytes(data, "ok.pdf", max_xml_bytes=1_000_000).text
