"""Per-sentence predictions: the bridge between a scorer's probabilities and findings, flags and evaluation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reviewlens.models.labels import THEMES


@dataclass(frozen=True)
class LabelledSentence:
    """A sentence with its section, its decided labels (theme → (label, score)) and raw label probabilities."""

    start: int
    end: int
    text: str
    section: str
    labels: dict[str, tuple[str, float]]
    probs: dict[str, float]
    section_index: int = -1  # which section of the text (in order); -1 when the text has no headings

    def label(self, theme: str) -> str | None:
        """Return the decided label in a theme, or None."""
        hit = self.labels.get(theme)
        return hit[0] if hit else None


def decide(probs: np.ndarray, thresholds: dict[str, float]) -> list[dict[str, tuple[str, float]]]:
    """Turn (n, themes, 3) probabilities [none, label A, label B] into at most one label per theme per sentence.

    Within a theme the likelier of the two labels is kept if it reaches its own tuned threshold, which is how the
    schema's "one label per theme" rule and per-label calibration fit together.
    """
    out: list[dict[str, tuple[str, float]]] = [{} for _ in range(probs.shape[0])]
    for t, theme in enumerate(THEMES):
        pair = probs[:, t, 1:]
        best = pair.argmax(axis=1)
        for i, b in enumerate(best):
            label = theme.labels[int(b)]
            score = float(pair[i, b])
            if score >= thresholds.get(label, 0.5):
                out[i][theme.name] = (label, score)
    return out


def label_probs(probs: np.ndarray) -> list[dict[str, float]]:
    """Flatten (n, themes, 3) probabilities into one {label: probability} dict per sentence."""
    return [
        {label: float(probs[i, t, k + 1]) for t, theme in enumerate(THEMES) for k, label in enumerate(theme.labels)}
        for i in range(probs.shape[0])
    ]
