"""all-MiniLM-L6-v2 sentence embeddings in onnxruntime (no torch), with one softmax head per theme.

The ONNX graph returns mean-pooled, L2-normalised embeddings; heads are plain weight matrices in an `.npz`
(read with allow_pickle=False). Training embeds its sentences with this same graph, so what was measured is
what is served.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from models.labels import THEMES
from models.model_dir import ModelError
from models.runtime import configure_offline_env

configure_offline_env()

import onnxruntime as ort  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

BATCH_SIZE = 32


class OnnxEncoder:
    """Tokenizer + ONNX sentence encoder."""

    def __init__(self, folder: Path, threads: int | None = None) -> None:
        for name in ("model.onnx", "tokenizer.json", "encoder.json"):
            if not (folder / name).is_file():
                raise ModelError(f"encoder artefact {folder / name} is missing")
        config = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
        self.max_length = int(config.get("max_length", 128))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(folder / "model.onnx"), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for corrupt graphs
            raise ModelError(f"{folder / 'model.onnx'} could not be loaded: {exc}") from exc
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.dim = int(config.get("dim", 384))

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return (n, dim) float32 embeddings; batches are length-sorted so padding stays small."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for b in range(0, len(order), BATCH_SIZE):
            idx = order[b : b + BATCH_SIZE]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                e = encodings[i].ids
                ids[r, : len(e)] = e
                mask[r, : len(e)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            out[idx] = self.session.run(None, feeds)[0]
        return out


class EncoderScorer:
    """Frozen MiniLM embeddings → per-theme multinomial logistic heads."""

    def __init__(self, encoder: OnnxEncoder, heads: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
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
        return cls(OnnxEncoder(folder, threads), heads)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n, themes, 3) probabilities."""
        return heads_proba(self.encoder.embed(texts), self.heads)


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
