"""The interface every sentence classifier backend implements, and the loader that picks one from a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from reviewlens.models.labels import THEMES
from reviewlens.models.model_dir import ModelDirectory, ModelError


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


def build_scorer(root: Path, spec: dict[str, Any], threads: int | None = None) -> Scorer:
    """Build the scorer a backend spec describes, with artefacts under `root`."""
    kind = spec.get("type")
    if kind == "linear":
        from reviewlens.models.backends.linear import LinearScorer

        return LinearScorer.load(root / spec.get("path", "linear"))
    if kind == "encoder":
        from reviewlens.models.backends.encoder import EncoderScorer

        return EncoderScorer.load(root / spec.get("path", "encoder"), threads=threads)
    if kind == "finetuned":
        from reviewlens.models.backends.finetuned import FinetunedScorer

        return FinetunedScorer.load(root / spec.get("path", "finetuned"), threads=threads)
    if kind == "ensemble":
        members = [(build_scorer(root, m, threads), float(m.get("weight", 1.0))) for m in spec.get("members", [])]
        return EnsembleScorer(members)
    raise ModelError(f"{root}: unknown backend type {kind!r} (expected linear, encoder, finetuned or ensemble)")


def load_scorer(model: ModelDirectory, threads: int | None = None) -> Scorer:
    """Load the scorer of a model directory."""
    return build_scorer(model.path, model.backend, threads)
