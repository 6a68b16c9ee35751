"""Bounded extraction: a DOCX that inflates past the cap is refused before python-docx parses it."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from reviewlens.models.extract import ExtractionError, read_bytes
from reviewlens.models.extract.docx import check_zip_size
from tests.serving.api.conftest import make_docx


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
