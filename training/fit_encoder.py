"""Fitting the encoder backend: export a pinned sentence encoder (all-MiniLM-L6-v2, or all-mpnet-base-v2 for the
thorough tier) to ONNX (static int8), embed the corpus with that same graph, and fit one logistic head per theme
on the embeddings."""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from reviewlens.models.backends.onnx_text import OnnxSentenceModel
from reviewlens.models.labels import THEMES
from reviewlens.models.paths import paths
from reviewlens.training.config import EncoderConfig
from reviewlens.training.data import SplitData
from reviewlens.training.onnx_export import export_onnx
from reviewlens.training.pretrained import ENCODERS, pretrained_dir


def export_encoder(out: Path, cfg: EncoderConfig, calibration: list[str] | None = None) -> Path:
    """Write `model.onnx`, `tokenizer.json` and `encoder.json` into `out`; reuse a cached export when present.

    `calibration` sentences fix the activation scales when `cfg.quantize` is `static`. The export is
    deterministic for given weights, settings and calibration, so caching it saves ~15 s per training run.
    """
    spec = ENCODERS[cfg.base]
    src = pretrained_dir(cfg.base)
    digest = spec.weights_sha256
    calibration = calibration if cfg.quantize == "static" else None
    key = f"{cfg.base}-{digest[:12]}-{cfg.quantize}-{cfg.max_length}" + ("" if cfg.int8_ffn_output else "-ffn-fp32")
    if calibration is not None:
        key += "-" + hashlib.sha256("\n".join(calibration).encode("utf-8")).hexdigest()[:12]
    cached = paths().encoder_cache / key
    if not (cached / "model.onnx").is_file():
        _export_to(cached, src, cfg, calibration)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(cached / "model.onnx", out / "model.onnx")
    shutil.copy2(src / "tokenizer.json", out / "tokenizer.json")
    (out / "encoder.json").write_text(
        json.dumps(
            {
                "base_model": spec.upstream,
                "revision": spec.revision,
                "weights_sha256": digest,
                "max_length": cfg.max_length,
                "dim": spec.dim,
                "pooling": "mean+l2",
                "quantized": cfg.quantize,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return out


def _export_to(folder: Path, src: Path, cfg: EncoderConfig, calibration: list[str] | None) -> None:
    # torch and transformers are the training extra: deferred so that importing this module stays torch-free.
    import torch
    from transformers import AutoModel, AutoTokenizer

    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tok = AutoTokenizer.from_pretrained(str(src))
    model = AutoModel.from_pretrained(str(src)).eval()
    takes_types = "token_type_ids" in inspect.signature(model.forward).parameters

    class Pooled(torch.nn.Module):
        def __init__(self, m: torch.nn.Module) -> None:
            super().__init__()
            self.m = m

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            extra = {"token_type_ids": token_type_ids} if takes_types else {}  # MPNet has no segment embeddings
            hidden = self.m(input_ids=input_ids, attention_mask=attention_mask, **extra)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            emb = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(emb, p=2, dim=1)

    export_onnx(Pooled(model), tok, tmp / "model.onnx", "embedding", cfg.quantize, calibration, cfg.max_length,
                cfg.int8_ffn_output)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def fit_heads(
    emb: np.ndarray, train: SplitData, cfg: EncoderConfig, seed: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One multinomial logistic head per theme on frozen embeddings."""
    heads = {}
    for theme in THEMES:
        y = train.y[theme.name]
        clf = LogisticRegression(C=cfg.C, class_weight=cfg.class_weight, max_iter=3000, random_state=seed)
        clf.fit(emb, y)
        w = np.zeros((3, emb.shape[1]))
        b = np.full(3, -1e9)
        for j, c in enumerate(clf.classes_):
            w[int(c)] = clf.coef_[j]
            b[int(c)] = clf.intercept_[j]
        heads[theme.name] = (w, b)
    return heads


def save_heads(heads: dict[str, tuple[np.ndarray, np.ndarray]], folder: Path) -> None:
    """Write heads as a plain `.npz` (no pickle)."""
    arrays = {}
    for name, (w, b) in heads.items():
        arrays[f"{name}.weight"] = w
        arrays[f"{name}.bias"] = b
    np.savez(folder / "heads.npz", **arrays)  # type: ignore[arg-type]


def load_encoder(folder: Path, threads: int | None) -> OnnxSentenceModel:
    """Open the exported encoder for embedding training data."""
    return OnnxSentenceModel(folder, threads=threads)
