"""Fine-tuning all-MiniLM-L6-v2 with one three-way head per theme, then exporting the whole classifier to ONNX.

Multi-task on purpose: the three themes share one encoder pass, so serving costs one forward pass per sentence.
Batches are bucketed by length (dynamic padding) because on a 2-core CPU padding is most of the cost.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reviewlens.models.backends.base import Scorer
from reviewlens.models.backends.finetuned import CONFIG_NAME, FinetunedScorer
from reviewlens.models.labels import THEMES
from reviewlens.training.config import FinetuneConfig
from reviewlens.training.data import SplitData
from reviewlens.training.onnx_export import calibration_sample, export_onnx
from reviewlens.training.pretrained import pretrained_dir

BASE_MODELS = {"minilm": "sentence-transformers/all-MiniLM-L6-v2", "mpnet": "sentence-transformers/all-mpnet-base-v2"}


def class_weights(y: np.ndarray, mode: str | None) -> np.ndarray:
    """Per-class loss weights: the square root of inverse frequency when `mode` is `balanced`, else ones."""
    if mode != "balanced":
        return np.ones(3, dtype=np.float32)
    counts = np.bincount(y, minlength=3).astype(np.float64)
    w = len(y) / (3 * np.maximum(counts, 1))
    return np.sqrt(w).astype(np.float32)  # square root: full inverse frequency overshoots on rare classes


def finetune(
    train: SplitData, out: Path, cfg: FinetuneConfig, seed: int, log: Callable[[str], None] = print
) -> Scorer:
    """Fine-tune on the training split, export to `out` (model.onnx, tokenizer.json, classifier.json)."""
    # torch and transformers are the training extra: deferred so that importing this module stays torch-free.
    import torch
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    src = pretrained_dir(cfg.base)  # checks the pinned weights' SHA256
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    tok = AutoTokenizer.from_pretrained(str(src))
    encoder = AutoModel.from_pretrained(str(src))
    if cfg.freeze_layers:
        # Frozen lower layers need no backward pass: a cheaper epoch for little loss on a small corpus.
        for p in encoder.embeddings.parameters():
            p.requires_grad = False
        for layer in encoder.encoder.layer[: cfg.freeze_layers]:
            for p in layer.parameters():
                p.requires_grad = False
    model = _classifier(encoder, cfg.dropout)
    texts = train.texts
    enc = tok(texts, truncation=True, max_length=cfg.max_length)
    ys = np.stack([train.y[t.name] for t in THEMES], axis=1)
    weights = [torch.tensor(class_weights(train.y[t.name], cfg.class_weight)) for t in THEMES]
    lengths = np.array([len(ids) for ids in enc["input_ids"]])
    rng = np.random.default_rng(seed)

    def batches() -> list[np.ndarray]:
        # Sort by length with a little noise, cut into batches, shuffle batch order: little padding, still random.
        order = np.argsort(lengths + rng.uniform(0, 4, len(lengths)), kind="stable")
        chunks = [order[i : i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
        rng.shuffle(chunks)
        return chunks

    steps = cfg.epochs * ((len(texts) + cfg.batch_size - 1) // cfg.batch_size)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in trainable if not n.endswith("bias") and "LayerNorm" not in n]
    no_decay = [p for n, p in trainable if n.endswith("bias") or "LayerNorm" in n]
    optim = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr
    )
    sched = get_linear_schedule_with_warmup(optim, int(cfg.warmup * steps), steps)
    model.train()
    for epoch in range(cfg.epochs):
        t0 = time.perf_counter()
        total = 0.0
        for idx in batches():
            width = int(lengths[idx].max())
            ids = torch.zeros((len(idx), width), dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                row = enc["input_ids"][i]
                ids[r, : len(row)] = torch.tensor(row)
                mask[r, : len(row)] = 1
            logits = model.logits(ids, mask, torch.zeros_like(ids)).view(len(idx), len(THEMES), 3)
            target = torch.tensor(ys[idx])
            loss = torch.stack(
                [
                    torch.nn.functional.cross_entropy(logits[:, t, :], target[:, t], weight=weights[t])
                    for t in range(len(THEMES))
                ]
            ).sum()
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            total += float(loss.detach())
        log(f"  fine-tune epoch {epoch + 1}/{cfg.epochs}: loss {total:.1f} in {time.perf_counter() - t0:.0f}s")
    model.eval()
    _export(model, tok, out, cfg, calibration_sample(texts, seed))
    return FinetunedScorer.load(out, threads=cfg.threads)


def _classifier(encoder: Any, dropout: float) -> Any:
    """Mean-pooled MiniLM + a linear layer to themes × 3 logits; `forward` returns per-theme softmaxes.

    Built inside a function so that importing this module does not import torch.
    """
    import torch  # the training extra (see above)

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(encoder.config.hidden_size, len(THEMES) * 3)

        def logits(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            # Token types are all zero (one segment), BERT's default; MPNet has none, and the exporter drops the input.
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
            hidden = out[0]
            m = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return self.head(self.dropout(pooled))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            logits = self.logits(input_ids, attention_mask, token_type_ids)
            return torch.softmax(logits.view(-1, len(THEMES), 3), dim=-1).reshape(-1, len(THEMES) * 3)

    return Classifier()


def _export(model: Any, tok: Any, out: Path, cfg: FinetuneConfig, calibration: list[str]) -> None:
    def graph(folder: Path) -> None:
        export_onnx(model, tok, folder / "model.onnx", "probs", cfg.quantize, calibration, cfg.max_length,
                    cfg.int8_ffn_output)

    write_export(out, cfg, graph, {"max_length": cfg.max_length, "dim": len(THEMES) * 3,
                                   "output": "per-theme softmax [none, label A, label B]"})


def write_export(out: Path, cfg: FinetuneConfig, graph: Callable[[Path], None], config: dict[str, Any]) -> None:
    """Build a fine-tuned export in a scratch folder beside `out` — `graph` writes its files, then the tokenizer
    and `classifier.json` (`config` plus the base model and quantisation) — and move it into place whole."""
    src = pretrained_dir(cfg.base)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    graph(tmp)
    shutil.copy2(src / "tokenizer.json", tmp / "tokenizer.json")
    (tmp / CONFIG_NAME).write_text(
        json.dumps({"base_model": BASE_MODELS[cfg.base], **config, "quantized": cfg.quantize}, indent=1),
        encoding="utf-8",
    )
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
