"""The interface every sentence classifier backend implements, and the weighted ensemble of backends."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from reviewlens.models.backends.context import SentenceContext, reads_context
from reviewlens.models.labels import THEMES
from reviewlens.models.model_dir import ModelError


class Scorer(Protocol):
    """Scores sentences: returns (n, themes, 3) probabilities ordered [none, theme label A, theme label B].

    `context` says where each sentence sits; scorers that read context (`reads_context`) read every sentence
    alone without it, the others ignore it.
    """

    def predict_proba(self, texts: list[str], context: SentenceContext | None = None) -> np.ndarray:
        """Probabilities for each sentence, theme and class."""
        ...


class EnsembleScorer:
    """A weighted average of backends' probabilities (each backend already calibrated per theme)."""

    def __init__(self, members: list[tuple[Scorer, float]]) -> None:
        total = sum(w for _, w in members)
        if not members or total <= 0:
            raise ModelError("an ensemble needs members with positive weights")
        self.members = [(m, w / total) for m, w in members]
        self.reads_context = any(reads_context(m) for m, _ in self.members)

    def predict_proba(self, texts: list[str], context: SentenceContext | None = None) -> np.ndarray:
        """Weighted mean of the members' probabilities."""
        out = np.zeros((len(texts), len(THEMES), 3), dtype=np.float64)
        for member, weight in self.members:
            out += weight * member.predict_proba(texts, context)
        return out
