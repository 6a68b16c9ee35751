"""The one error every reader raises, so callers catch one thing and show its message."""

from __future__ import annotations


class ExtractionError(ValueError):
    """A file cannot be read as a review: encrypted, no text layer, corrupt, empty, binary or unsupported."""
