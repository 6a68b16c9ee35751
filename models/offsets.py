"""Code-point offsets (what Python and the result schema count) as UTF-16 code units (what Java and JavaScript
tools count: LanguageTool clients, Label Studio)."""

from __future__ import annotations

import bisect
import re

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class Utf16Offsets:
    """Code-point index → UTF-16 code-unit index for one text.

    Built once per text: counting the characters outside the BMP before each offset afresh made a check
    quadratic in its length (a one-paragraph draft of 200,000 characters took a minute).
    """

    def __init__(self, text: str) -> None:
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, index: int) -> int:
        """The UTF-16 offset of code point `index`."""
        return index + bisect.bisect_left(self._astral, index)
