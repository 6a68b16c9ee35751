"""Reading review files (PDF, DOCX, TXT, MD) into a `Document`: text with page offsets, furniture removed.

Shared by the API's upload and the bulk scorer, so a file reads the same whichever door it came through.
Every failure is an `ExtractionError` whose message says what is wrong in terms a user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewlens.models.documents import Document
from reviewlens.models.extract.cleanup import Cleanup, Line, clean_pages
from reviewlens.models.extract.docx import MAX_XML_BYTES, read_docx_lines
from reviewlens.models.extract.errors import ExtractionError
from reviewlens.models.extract.pdf import read_pdf_pages
from reviewlens.models.extract.pdf_streams import check_pdf_inflation
from reviewlens.models.extract.text import decode_text, text_pages

__all__ = [
    "MAX_XML_BYTES", "SUPPORTED_SUFFIXES", "Extracted", "ExtractionError", "extract_bytes", "read_bytes",
    "read_document",
]

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md")


@dataclass(frozen=True)
class Extracted:
    """A read document and notes on what reading it took (fallback encodings, lines removed, words rejoined)."""

    document: Document
    notes: tuple[str, ...] = ()


def extract_bytes(data: bytes, filename: str, max_xml_bytes: int = MAX_XML_BYTES) -> Extracted:
    """Read a file's bytes by its name's suffix; raise ExtractionError when it holds no readable text.

    A DOCX expanding past `max_xml_bytes` of XML, or a PDF whose content streams do, is refused before it is
    parsed.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ExtractionError(
            f"unsupported file type {suffix or '(no suffix)'!r}; reviewlens reads {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if not data or data.isspace():
        raise ExtractionError("empty file")
    report = Cleanup()
    name = Path(filename).name
    pages: list[list[Line]]
    if suffix == ".pdf":
        check_pdf_inflation(data, max_xml_bytes)
        pages, paged = read_pdf_pages(data), True
        blank = [str(i + 1) for i, page in enumerate(pages) if not any(line.text.strip() for line in page)]
        if blank:
            report.notes.append(f"no text layer on page(s) {', '.join(blank)} (scanned pages are skipped)")
    elif suffix == ".docx":
        pages, paged = [read_docx_lines(data, max_xml_bytes)], False
    else:
        text, notes = decode_text(data)
        report.notes.extend(notes)
        pages = text_pages(text)
        paged = len(pages) > 1
    document = clean_pages(pages, name, paged, report)
    if not document.text.strip():
        raise ExtractionError("empty document: no text left once page numbers, headers and footers are removed")
    if report.furniture_removed:
        report.notes.append(f"removed {report.furniture_removed} header/footer/page-number line(s)")
    if report.hyphens_rejoined:
        report.notes.append(f"rejoined {report.hyphens_rejoined} word(s) hyphenated across lines")
    return Extracted(document, tuple(report.notes))


def read_bytes(data: bytes, filename: str, max_xml_bytes: int = MAX_XML_BYTES) -> Document:
    """Read a file's bytes (its type taken from `filename`) into a Document; raise ExtractionError."""
    return extract_bytes(data, filename, max_xml_bytes).document


def read_document(path: Path) -> Document:
    """Read a file into a Document; raise ExtractionError (also for a file that cannot be opened)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return extract_bytes(data, Path(path).name).document
