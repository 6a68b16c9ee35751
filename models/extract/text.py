"""Plain text and Markdown: decode whatever the encoding, and read form feeds as page breaks.

Text exported from a PDF (pdftotext and similar) separates pages with form feeds and keeps the running
headers and page numbers, so such text goes through the same page clean-up as a PDF.
"""

from __future__ import annotations

from reviewlens.models.extract.cleanup import Line
from reviewlens.models.extract.errors import ExtractionError

# Share of control characters above which bytes are not text in any encoding we would accept.
_BINARY_SHARE = 0.05
_ALLOWED_CONTROLS = set("\t\n\r\f\v")


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode bytes as UTF-8 (BOM or not), UTF-16 with a BOM, or else cp1252; never fails on encoding.

    Returns the text and notes on any fallback taken. Raises ExtractionError for binary content.
    """
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        notes.append("decoded as UTF-16 (byte-order mark)")
    else:
        if b"\x00" in data[:8192]:
            raise ExtractionError("binary content: the file holds NUL bytes, so it is not a text file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # cp1252 maps all but five bytes; those become U+FFFD rather than stopping the run.
            text = data.decode("cp1252", errors="replace")
            notes.append(f"not valid UTF-8 (byte {exc.start}); decoded as Windows-1252")
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if sample and controls / len(sample) > _BINARY_SHARE:
        raise ExtractionError("binary content: too many control characters for a text file")
    return text, notes


def text_pages(text: str) -> list[list[Line]]:
    """Lines per page (pages split at form feeds); blank lines become paragraph breaks in clean-up."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [[Line(line) for line in page.split("\n")] for page in text.split("\f")]
