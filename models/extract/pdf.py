"""PDF pages as lines with paragraph breaks, read with pdfium (fast, and keeps the text in reading order).

pdfium returns a page's text with CRLF between visual lines but no blank lines between paragraphs, so the
vertical position of each line's first character tells a paragraph gap (or a change of font size, as at a
heading) from an ordinary line break. A line set wholly in bold between lines that are not is a paragraph of its
own too, so a bold heading the same size as the text, with no space around it, is still found.
"""

from __future__ import annotations

import ctypes
import itertools
import re
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from reviewlens.models.extract.cleanup import Line
from reviewlens.models.extract.errors import ExtractionError

# pdfium's own markers for a hyphen at the end of a line (it drops the line break after them).
_LINE_BREAK = re.compile(r"\r\n|[\r\n\ufffe\x02]")
_HYPHEN_MARKERS = "\ufffe\x02"
# A baseline step this much larger than the page's usual line pitch is a paragraph gap.
GAP_FACTOR = 1.4
# A first character this much taller or shorter than the previous line's marks a heading boundary.
SIZE_CHANGE = 0.1
_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
# pdfium reports weight 0 for the standard 14 fonts, so the font's name decides too ("Helvetica-Bold",
# "ABCDEF+Arial-BoldMT").
_BOLD_WEIGHT = 600
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


def read_pdf_pages(data: bytes) -> list[list[Line]]:
    """Lines of each page of a PDF; raise ExtractionError for encrypted, corrupt or text-less files."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PASSWORD_ERROR:
            raise ExtractionError("encrypted PDF: it needs a password to open") from exc
        raise ExtractionError(f"corrupt PDF: pdfium cannot parse it ({exc})") from exc
    try:
        if len(pdf) == 0:
            raise ExtractionError("corrupt PDF: it has no pages")
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            try:
                pages.append(_page_lines(textpage))
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
    if not any(line.text.strip() for page in pages for line in page):
        raise ExtractionError(
            f"no text layer: none of its {len(pages)} page(s) has extractable text "
            "(a scanned document needs OCR first, which reviewlens does not do)"
        )
    return pages


def _page_lines(textpage: pdfium.PdfTextPage) -> list[Line]:
    raw = textpage.get_text_range()
    exact = len(raw) == textpage.count_chars()
    visual: list[tuple[str, float, float, bool]] = []  # (text, baseline, char height, wholly bold)
    pos = 0
    pieces = [*_LINE_BREAK.finditer(raw), None]
    for m in pieces:
        end = m.start() if m else len(raw)
        text = raw[pos:end]
        if m and m.group() in _HYPHEN_MARKERS:
            text += "-"
        lead = len(text) - len(text.lstrip())
        if text.strip():
            index = pos + lead
            last = pos + len(text.rstrip()) - 1
            if not exact:
                index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, index)
                last = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, min(last, len(raw) - 1))
            _left, bottom, _right, top = textpage.get_charbox(index, loose=True)
            visual.append((text, bottom, top - bottom, _is_bold(textpage, index) and _is_bold(textpage, last)))
        else:
            visual.append(("", 0.0, 0.0, False))
        pos = m.end() if m else len(raw)
    return _with_gaps(visual)


def _is_bold(textpage: pdfium.PdfTextPage, index: int) -> bool:
    """Whether the character at `index` is set in a bold face (by weight or, for standard fonts, by name)."""
    if index < 0:
        return False
    if pdfium_c.FPDFText_GetFontWeight(textpage, index) >= _BOLD_WEIGHT:
        return True
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage, index, name, len(name), ctypes.byref(flags))
    return bool(_BOLD_NAME.search(name.value.decode("latin-1")))


def _with_gaps(visual: list[tuple[str, float, float, bool]]) -> list[Line]:
    filled = [v for v in visual if v[0]]
    pitches = [a[1] - b[1] for a, b in itertools.pairwise(filled) if a[1] - b[1] > 0]
    pitch = median(pitches) if pitches else 0.0
    lines: list[Line] = []
    prev: tuple[str, float, float, bool] | None = None
    blank = False
    for v in visual:
        if not v[0]:
            blank = True
            continue
        gap = blank
        if prev is not None and not gap:
            step = prev[1] - v[1]
            taller = max(prev[2], v[2]) or 1.0
            gap = (
                step <= 0  # a new column or a text box higher up the page
                or (pitch > 0 and step > GAP_FACTOR * pitch)
                or abs(prev[2] - v[2]) / taller > SIZE_CHANGE
                or prev[3] != v[3]  # into or out of a wholly bold line: a bold heading set at the text's size
            )
        lines.append(Line(v[0], gap_before=gap and prev is not None))
        prev = v
        blank = False
    return lines
