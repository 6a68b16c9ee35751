"""Builds the scorer a model directory's manifest describes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewlens.models.backends.base import EnsembleScorer, Scorer
from reviewlens.models.backends.encoder import EncoderScorer
from reviewlens.models.backends.finetuned import FinetunedScorer
from reviewlens.models.backends.linear import LinearScorer
from reviewlens.models.backends.spacy_textcat import SpacyTextcatScorer
from reviewlens.models.model_dir import ModelDirectory, ModelError


def build_scorer(root: Path, spec: dict[str, Any], threads: int | None = None) -> Scorer:
    """Build the scorer a backend spec describes, with artefacts under `root`."""
    kind = spec.get("type")
    if kind == "linear":
        return LinearScorer.load(root / spec.get("path", "linear"))
    if kind == "encoder":
        return EncoderScorer.load(root / spec.get("path", "encoder"), threads=threads)
    if kind == "finetuned":
        return FinetunedScorer.load(root / spec.get("path", "finetuned"), threads=threads)
    if kind == "spacy":
        return SpacyTextcatScorer.load(root / spec.get("path", "spacy"))
    if kind == "ensemble":
        members = [(build_scorer(root, m, threads), float(m.get("weight", 1.0))) for m in spec.get("members", [])]
        return EnsembleScorer(members)
    raise ModelError(f"{root}: unknown backend type {kind!r} (expected linear, encoder, finetuned, spacy or ensemble)")


def load_scorer(model: ModelDirectory, threads: int | None = None) -> Scorer:
    """Load the scorer of a model directory."""
    return build_scorer(model.path, model.backend, threads)
