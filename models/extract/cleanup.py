"""Page-independent clean-up shared by every format: page furniture, hyphenation, and assembling a Document.

Readers hand over pages as lists of `Line`s (a line knows whether a paragraph break precedes it); this module
removes what a reader of the printed page skips (running headers and footers, page numbers), rejoins words
split across lines, and builds the text with the offset where each page starts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from reviewlens.models.documents import Document

# Headers and footers sit in the first or last few lines of a page; looking deeper would catch body text.
EDGE_LINES = 3
# A line counts as running furniture when it repeats at the same edge on at least this share of pages.
REPEAT_SHARE = 0.5

_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.?)\s*)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
HYPHENS = "-\u00ad\u2010"
# A sentence (or a heading-free block) that ends here needs no continuation on the next page.
_CLOSERS = ".!?:;\"'”’)]"


@dataclass
class Line:
    """One visual line of text; `gap_before` marks a paragraph break (blank line) before it, `heading` a line the
    source format itself marks as a heading (a DOCX heading style)."""

    text: str
    gap_before: bool = False
    heading: bool = False


@dataclass
class Cleanup:
    """What the clean-up changed, for the notes a store keeps beside each document."""

    furniture_removed: int = 0
    hyphens_rejoined: int = 0
    notes: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    """Compare running lines with their page numbers and spacing ignored ("Page 3" ~ "Page 14")."""
    return _SPACES.sub(" ", _DIGITS.sub("#", text.lower())).strip()


def is_page_number(text: str) -> bool:
    """Whether a line is nothing but a page number ("12", "Page 3 of 20", "- 4 -", "iv")."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def _edges(page: list[Line]) -> tuple[list[int], list[int]]:
    filled = [i for i, line in enumerate(page) if line.text.strip()]
    # On a short page the edges would cover the body; furniture is never more than a third of a page.
    k = min(EDGE_LINES, max(1, len(filled) // 3))
    return filled[:k], filled[-k:]


def remove_page_furniture(pages: list[list[Line]], report: Cleanup) -> list[list[Line]]:
    """Drop running headers/footers (lines repeating at a page edge) and bare page numbers at page edges."""
    tops: Counter[str] = Counter()
    bottoms: Counter[str] = Counter()
    edges = [_edges(page) for page in pages]
    for page, (top, bottom) in zip(pages, edges, strict=True):
        tops.update({_norm(page[i].text) for i in top})
        bottoms.update({_norm(page[i].text) for i in bottom})
    # One page (or two) cannot show a repeat; two pages must agree on both.
    need = max(2, math.ceil(len(pages) * REPEAT_SHARE))
    repeated_top = {k for k, n in tops.items() if n >= need and k}
    repeated_bottom = {k for k, n in bottoms.items() if n >= need and k}

    out: list[list[Line]] = []
    for page, (top, bottom) in zip(pages, edges, strict=True):
        drop = {i for i in top if _norm(page[i].text) in repeated_top or is_page_number(page[i].text)}
        drop |= {i for i in bottom if _norm(page[i].text) in repeated_bottom or is_page_number(page[i].text)}
        report.furniture_removed += len(drop)
        kept = [line for i, line in enumerate(page) if i not in drop]
        if kept:
            # Its gap was to the header just removed; whether the page opens a paragraph is decided in assemble.
            kept[0] = Line(kept[0].text, gap_before=False, heading=kept[0].heading)
        out.append(kept)
    return out


def rejoin_hyphenation(pages: list[list[Line]], report: Cleanup) -> None:
    """Rejoin "safe-" + "guarding" in place, across lines and pages, when the next line starts lowercase.

    Only the word fragment moves back, so the rest of the next line (and its page number) stays put.
    """
    prev: Line | None = None
    for page in pages:
        for line in page:
            if not line.text:
                continue
            if prev is not None and not line.gap_before and _ends_hyphenated(prev.text) and line.text[0].islower():
                word, _, rest = line.text.partition(" ")
                prev.text = prev.text[:-1] + word
                line.text = rest.lstrip()
                report.hyphens_rejoined += 1
                if not line.text:
                    continue
            prev = line
        page[:] = [line for line in page if line.text]


def _ends_hyphenated(text: str) -> bool:
    return len(text) >= 2 and text[-1] in HYPHENS and text[-2].isalpha()


def assemble(pages: list[list[Line]], name: str, paged: bool) -> Document:
    """Join pages into one text: blank lines between paragraphs, `page_starts` at each page's first character.

    A page that ends mid-sentence continues on the next with a single newline, so the sentence is not cut in two.
    """
    parts: list[str] = []
    starts: list[int] = []
    headings: list[int] = []
    marked = any(line.heading for page in pages for line in page)
    length = 0
    last = ""
    for page in pages:
        if parts:
            sep = "\n\n" if not last or last[-1] in _CLOSERS else "\n"
            parts.append(sep)
            length += len(sep)
        starts.append(length)
        for j, line in enumerate(page):
            if j:
                sep = "\n\n" if line.gap_before else "\n"
                parts.append(sep)
                length += len(sep)
            if line.heading:
                headings.append(length)
            parts.append(line.text)
            length += len(line.text)
            last = line.text
    text = "".join(parts)
    return Document(
        text=text, name=name, page_starts=tuple(starts) if paged else (),
        heading_starts=tuple(headings) if marked else None,
    )


def clean_pages(pages: list[list[Line]], name: str, paged: bool, report: Cleanup) -> Document:
    """Strip lines, remove page furniture (paged input only), rejoin hyphenation and assemble the Document."""
    stripped = [[Line(line.text.strip(), line.gap_before, line.heading) for line in page] for page in pages]
    for page in stripped:
        # Blank lines become paragraph breaks on the line that follows them.
        gap = False
        kept: list[Line] = []
        for line in page:
            if not line.text:
                gap = True
                continue
            kept.append(Line(line.text, line.gap_before or (gap and bool(kept)), line.heading))
            gap = False
        page[:] = kept
    if paged:
        stripped = remove_page_furniture(stripped, report)
    rejoin_hyphenation(stripped, report)
    return assemble(stripped, name, paged)
