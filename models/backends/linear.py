"""The fast baseline: word and character n-gram TF-IDF with one calibrated linear classifier per theme.

Pipelines are stored with skops (no pickle); on load only scikit-learn, numpy and scipy types are trusted, so
a tampered file cannot run code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio

from reviewlens.models.backends.context import SentenceContext
from reviewlens.models.labels import THEMES
from reviewlens.models.model_dir import ModelError

_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.", "re.")


def theme_file(folder: Path, theme: str) -> Path:
    """Where a theme's pipeline is stored."""
    return folder / f"{theme}.skops"


def load_pipeline(path: Path) -> Any:
    """Load a skops file, trusting only scikit-learn/numpy/scipy types."""
    if not path.is_file():
        raise ModelError(f"linear backend artefact {path} is missing")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises several types for a corrupt archive
        raise ModelError(f"{path} is not a readable skops file: {exc}") from exc
    foreign = [t for t in untrusted if not t.startswith(_TRUSTED_PREFIXES)]
    if foreign:
        raise ModelError(f"{path} contains types reviewlens does not trust: {foreign}")
    return sio.load(path, trusted=untrusted)


class LinearScorer:
    """TF-IDF + linear classifiers, one three-class pipeline per theme (class 0 = no label)."""

    def __init__(self, pipelines: dict[str, Any]) -> None:
        self.pipelines = pipelines
        self.shared_features = _shared_features(pipelines)

    @classmethod
    def load(cls, folder: Path) -> LinearScorer:
        """Load every theme's pipeline from a folder."""
        return cls({t.name: load_pipeline(theme_file(folder, t.name)) for t in THEMES})

    def predict_proba(self, texts: list[str], context: SentenceContext | None = None) -> np.ndarray:
        """(n, themes, 3) probabilities; each sentence is read alone, whatever `context` says."""
        out = np.zeros((len(texts), len(THEMES), 3), dtype=np.float64)
        if not texts:
            return out
        # Every theme's features are fitted on the same sentences, so they are computed once, not three times.
        shared = self.shared_features.transform(texts) if self.shared_features is not None else None
        for t, theme in enumerate(THEMES):
            pipe = self.pipelines[theme.name]
            proba = pipe[-1].predict_proba(shared) if shared is not None else pipe.predict_proba(texts)
            for j, cls_ in enumerate(pipe.classes_):
                out[:, t, int(cls_)] = proba[:, j]
        return out


def _shared_features(pipelines: dict[str, Any]) -> Any:
    """The feature step common to all themes' pipelines, or None when they differ (e.g. hand-built models)."""
    steps = [p[:-1] for p in pipelines.values()]
    first = steps[0]
    try:
        reference = _feature_state(first)
        if all(_feature_state(other) == reference for other in steps[1:]):
            return first
    except (AttributeError, TypeError, KeyError, IndexError):
        pass
    return None


def _feature_state(features: Any) -> tuple[Any, ...]:
    """A comparable summary of a fitted feature pipeline: its parameters and learned idf weights."""
    idf = tuple(np.asarray(est.idf_).tobytes() for est in _walk(features) if hasattr(est, "idf_"))
    return (repr(features.get_params(deep=True)), idf)


def _walk(est: Any) -> list[Any]:
    found = [est]
    for child in getattr(est, "steps", []) or []:
        found += _walk(child[1])
    for child in getattr(est, "transformer_list", []) or []:
        found += _walk(child[1])
    return found
