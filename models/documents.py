"""A document as reviewlens reads it: its text and, for paged formats, where each page starts."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """Text to analyse; `page_starts[i]` is the offset where page i+1 begins (empty for unpaged text).

    `heading_starts` holds the offsets of the lines the source itself marks as headings (a DOCX's heading styles);
    when it is set, those lines and no others are headings. None (plain text, PDF, a DOCX that uses no heading
    styles) leaves headings to the shape and vocabulary rules of `segment`.
    """

    text: str
    name: str = ""
    page_starts: tuple[int, ...] = field(default_factory=tuple)
    heading_starts: tuple[int, ...] | None = None

    @property
    def pages(self) -> int | None:
        """Number of pages, or None for unpaged text."""
        return len(self.page_starts) or None

    def page_of(self, offset: int) -> int | None:
        """1-based page number holding `offset`, or None for unpaged text."""
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))
