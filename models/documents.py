"""A document as reviewlens reads it: its text and, for paged formats, where each page starts."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """Text to analyse; `page_starts[i]` is the offset where page i+1 begins (empty for unpaged text)."""

    text: str
    name: str = ""
    page_starts: tuple[int, ...] = field(default_factory=tuple)

    @property
    def pages(self) -> int | None:
        """Number of pages, or None for unpaged text."""
        return len(self.page_starts) or None

    def page_of(self, offset: int) -> int | None:
        """1-based page number holding `offset`, or None for unpaged text."""
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))
