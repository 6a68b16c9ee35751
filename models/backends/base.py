"""The interface every sentence classifier backend implements, and the weighted ensemble of backends."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from reviewlens.models.labels import THEMES
from reviewlens.models.model_dir import ModelError


class Scorer(Protocol):
    """Scores sentences: returns (n, themes, 3) probabilities ordered [none, theme label A, theme label B]."""

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probabilities for each sentence, theme and class."""
        ...


class EnsembleScorer:
    """A weighted average of backends' probabilities (each backend already calibrated per theme)."""

    def __init__(self, members: list[tuple[Scorer, float]]) -> None:
        total = sum(w for _, w in members)
        if not members or total <= 0:
            raise ModelError("an ensemble needs members with positive weights")
        self.members = [(m, w / total) for m, w in members]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Weighted mean of the members' probabilities."""
        out = np.zeros((len(texts), len(THEMES), 3), dtype=np.float64)
        for member, weight in self.members:
            out += weight * member.predict_proba(texts)
        return out
