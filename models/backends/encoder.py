"""all-MiniLM-L6-v2 sentence embeddings in onnxruntime (no torch), with one softmax head per theme.

The ONNX graph returns mean-pooled, L2-normalised embeddings; heads are plain weight matrices in an `.npz`
(read with allow_pickle=False). Training embeds its sentences with this same graph, so what was measured is
what is served.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from reviewlens.models.backends.context import SentenceContext
from reviewlens.models.backends.onnx_text import OnnxSentenceModel
from reviewlens.models.labels import THEMES
from reviewlens.models.model_dir import ModelError


class Embedder(Protocol):
    """Anything that turns sentences into embeddings: the ONNX graph, or training's cache in front of it."""

    def run(self, texts: list[str]) -> np.ndarray:
        """(n, dim) embeddings."""
        ...


class EncoderScorer:
    """Frozen MiniLM embeddings → per-theme multinomial logistic heads."""

    def __init__(self, encoder: Embedder, heads: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        self.encoder = encoder
        self.heads = heads

    @classmethod
    def load(cls, folder: Path, threads: int | None = None) -> EncoderScorer:
        """Load the encoder graph, tokenizer and heads from a folder."""
        heads_path = folder / "heads.npz"
        if not heads_path.is_file():
            raise ModelError(f"encoder artefact {heads_path} is missing")
        try:
            with np.load(heads_path, allow_pickle=False) as data:
                heads = {t.name: (data[f"{t.name}.weight"], data[f"{t.name}.bias"]) for t in THEMES}
        except (KeyError, ValueError, OSError) as exc:
            raise ModelError(f"{heads_path} is corrupt or incomplete: {exc}") from exc
        return cls(OnnxSentenceModel(folder, threads), heads)

    def predict_proba(self, texts: list[str], context: SentenceContext | None = None) -> np.ndarray:
        """(n, themes, 3) probabilities; each sentence is read alone, whatever `context` says."""
        return heads_proba(self.encoder.run(texts), self.heads)


def heads_proba(emb: np.ndarray, heads: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Apply per-theme softmax heads (weight: (3, dim), bias: (3,)) to embeddings."""
    out = np.zeros((emb.shape[0], len(THEMES), 3), dtype=np.float64)
    for t, theme in enumerate(THEMES):
        w, b = heads[theme.name]
        logits = emb.astype(np.float64) @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        out[:, t, :] = e / e.sum(axis=1, keepdims=True)
    return out
