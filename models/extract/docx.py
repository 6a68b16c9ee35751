"""DOCX body text: paragraphs and table cells in document order, headings on lines of their own.

Paragraphs in Word's heading styles (Title, Heading 1–9) are recorded as the document's headings, so a long or
question-shaped heading is still one, and a short ordinary paragraph is not mistaken for one.

Running headers and footers live in separate parts of a DOCX and never enter the body, so there is no
furniture to strip; nor are there pages, since Word lays them out only when it renders.
"""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from reviewlens.models.extract.cleanup import Line
from reviewlens.models.extract.errors import ExtractionError

# Decompressed bytes a DOCX may expand to (all its parts together): a real 1,000-page review is a few MB of XML;
# a 1 MB upload inflating to 1 GB (a zip bomb) held 2.4 GB of memory before this cap.
MAX_XML_BYTES = 50_000_000
_CHUNK = 1 << 20

_HEADING_STYLE = re.compile(r"^(Heading [1-9]|Title)$")
# Encrypted Office files (and legacy .doc) are OLE compound files, not zips.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_zip_size(data: bytes, limit: int = MAX_XML_BYTES) -> None:
    """Refuse a zip whose parts expand past `limit` bytes: by their declared sizes first (nothing inflated), then
    by the bytes actually inflated, counted a chunk at a time (declared sizes can lie); raise ExtractionError."""
    too_big = ExtractionError(
        f"the DOCX expands to more than {limit // 1_000_000} MB of XML (a compressed 'zip bomb'?); it was not read"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > limit:
                raise too_big
            inflated = 0
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > limit:
                            raise too_big
    except ExtractionError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise ExtractionError(f"corrupt DOCX: {type(exc).__name__}") from exc
    except Exception as exc:  # zlib.error and friends: any failure to inflate means a corrupt archive
        raise ExtractionError(f"corrupt DOCX: {type(exc).__name__}") from exc


def read_docx_lines(data: bytes, max_xml_bytes: int = MAX_XML_BYTES) -> list[Line]:
    """Body lines of a DOCX, every paragraph (heading or not) its own block; raise ExtractionError.

    A blank line around each paragraph leaves a heading alone on its line, which is how segmentation finds it.
    The archive's decompressed size is checked (`check_zip_size`) before python-docx parses any of it.
    """
    if data.startswith(_OLE_MAGIC):
        raise ExtractionError("encrypted DOCX (or a legacy .doc saved with a .docx name): it cannot be opened")
    check_zip_size(data, max_xml_bytes)
    try:
        doc = open_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(f"corrupt DOCX: {type(exc).__name__}") from exc
    except Exception as exc:  # lxml raises its own XMLSyntaxError for a broken document.xml
        raise ExtractionError(f"corrupt DOCX: {type(exc).__name__} (the XML is malformed)") from exc
    lines: list[Line] = []
    for block in doc.iter_inner_content():
        paragraphs = _table_paragraphs(block) if isinstance(block, Table) else [block]
        for para in paragraphs:
            _add_paragraph(lines, para)
    return lines


def _table_paragraphs(table: Table) -> list[Paragraph]:
    out: list[Paragraph] = []
    seen: set[object] = set()  # the cell elements themselves: holding them keeps their identity stable
    for row in table.rows:
        for cell in row.cells:
            # python-docx repeats a merged cell once per grid column it spans.
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            out.extend(cell.paragraphs)
    return out


def _is_heading(para: Paragraph) -> bool:
    # Word's built-in heading styles keep their English names in the file whatever the interface language.
    name = para.style.name if para.style is not None else ""
    return bool(_HEADING_STYLE.match(name or ""))


def _add_paragraph(lines: list[Line], para: Paragraph) -> None:
    text = para.text.strip()
    if not text:
        return
    heading = _is_heading(para)
    # Soft line breaks inside a paragraph stay single newlines, so they do not split it; a heading stays one line.
    parts = [" ".join(text.split())] if heading else text.split("\n")
    for k, part in enumerate(parts):
        lines.append(Line(part, gap_before=k == 0 and bool(lines), heading=heading))
