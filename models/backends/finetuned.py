"""A fine-tuned all-MiniLM-L6-v2 whose ONNX graph already ends in per-theme softmaxes: (n, themes × 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reviewlens.models.backends.onnx_text import OnnxSentenceModel
from reviewlens.models.labels import THEMES


class FinetunedScorer:
    """Reads the (n, 9) probability output of a fine-tuned classifier graph as (n, themes, 3)."""

    def __init__(self, model: OnnxSentenceModel) -> None:
        self.model = model

    @classmethod
    def load(cls, folder: Path, threads: int | None = None) -> FinetunedScorer:
        """Load the classifier graph and tokenizer from a folder."""
        return cls(OnnxSentenceModel(folder, threads, config_name="classifier.json"))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n, themes, 3) probabilities."""
        return self.model.run(texts).reshape(len(texts), len(THEMES), 3).astype(np.float64)
