"""Fine-tuning all-MiniLM-L6-v2 as a sentence tagger that reads each paragraph whole (issue 9, item 1).

Each window (models/backends/context.py) holds a section prefix and consecutive sentences of one paragraph; the
encoder runs once per window and each sentence is pooled from its own tokens, so context costs about what
sentence-at-a-time encoding costs. The ONNX graph returns token states; the head is saved beside it and applied
by the serving scorer, which pools the same spans.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reviewlens.models.backends.context import (
    UNKNOWN_SECTION,
    Window,
    build_windows,
    section_prefix,
)
from reviewlens.models.backends.finetuned import HEAD_NAME, ContextTaggerScorer
from reviewlens.models.labels import THEMES
from reviewlens.training.config import FinetuneConfig
from reviewlens.training.data import SplitData
from reviewlens.training.finetune import class_weights, write_export
from reviewlens.training.onnx_export import calibration_sample, export_onnx
from reviewlens.training.pretrained import pretrained_dir

# Static int8 scales are fixed from this many whole-paragraph windows (each holds several sentences).
CALIBRATION_WINDOWS = 256


def training_pieces(
    train: SplitData, cfg: FinetuneConfig, rng: random.Random
) -> tuple[list[list[int]], list[str]]:
    """One epoch's passages and their sections: each paragraph whole, as single sentences, or cut at random,
    with its section sometimes hidden, so the model learns to read a sentence with and without context."""
    if cfg.context_alone + cfg.context_cut > 1.0:
        raise ValueError("finetune.context_alone + finetune.context_cut must not exceed 1")
    ctx = train.context("document")
    pieces: list[list[int]] = []
    sections: list[str] = []
    for passage in ctx.passages():
        draw = rng.random()
        if draw < cfg.context_alone:
            cut = [[i] for i in passage]
        elif draw < cfg.context_alone + cfg.context_cut:
            cut = [[passage[0]]]
            for i in passage[1:]:
                if rng.random() < 0.5:
                    cut.append([i])
                else:
                    cut[-1].append(i)
        else:
            cut = [passage]
        for piece in cut:
            pieces.append(piece)
            sections.append(UNKNOWN_SECTION if rng.random() < cfg.section_drop else ctx.section[piece[0]])
    return pieces, sections


def finetune_in_context(
    train: SplitData, out: Path, cfg: FinetuneConfig, seed: int, log: Callable[[str], None] = print
) -> ContextTaggerScorer:
    """Fine-tune the tagger on the training split and export it to `out` (model.onnx, head.npz, tokenizer)."""
    # torch and transformers are the training extra: deferred so that importing this module stays torch-free.
    import torch
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    src = pretrained_dir(cfg.base)  # checks the pinned weights' SHA256
    py_rng = random.Random(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    tok = AutoTokenizer.from_pretrained(str(src))
    encoder = AutoModel.from_pretrained(str(src))
    head = torch.nn.Linear(encoder.config.hidden_size, len(THEMES) * 3)
    dropout = torch.nn.Dropout(cfg.dropout)
    ids = tok(train.texts, add_special_tokens=False)["input_ids"]
    prefix_ids = {
        kind: tok(section_prefix(kind), add_special_tokens=False)["input_ids"] if section_prefix(kind) else []
        for kind in {*(u.section for u in train.units), UNKNOWN_SECTION}
    }
    ys = torch.tensor(np.stack([train.y[t.name] for t in THEMES], axis=1))
    weights = [torch.tensor(class_weights(train.y[t.name], cfg.class_weight)) for t in THEMES]
    np_rng = np.random.default_rng(seed)

    def windows(pieces: list[list[int]], sections: list[str]) -> list[Window]:
        return build_windows(ids, pieces, [prefix_ids[s] for s in sections], tok.cls_token_id, tok.sep_token_id,
                             cfg.window_tokens, cfg.max_length)

    def batches(ws: list[Window]) -> list[list[Window]]:
        # Similar lengths together (little padding), about `batch_size` sentences a step, steps in random order.
        order = np.argsort(np.array([len(w.ids) for w in ws]) + np_rng.uniform(0, 8, len(ws)), kind="stable")
        out_batches: list[list[Window]] = [[]]
        count = 0
        for i in order:
            if count >= cfg.batch_size:
                out_batches.append([])
                count = 0
            out_batches[-1].append(ws[i])
            count += len(ws[i].spans)
        np_rng.shuffle(out_batches)
        return [b for b in out_batches if b]

    params = list(encoder.parameters()) + list(head.parameters())
    named = [*encoder.named_parameters(), ("head.weight", head.weight), ("head.bias", head.bias)]
    decay = [p for n, p in named if not n.endswith("bias") and "LayerNorm" not in n]
    no_decay = [p for n, p in named if n.endswith("bias") or "LayerNorm" in n]
    optim = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr
    )
    steps = cfg.epochs * ((len(train.units) + cfg.batch_size - 1) // cfg.batch_size)
    sched = get_linear_schedule_with_warmup(optim, int(cfg.warmup * steps), steps)
    encoder.train()
    dropout.train()
    for epoch in range(cfg.epochs):
        t0 = time.perf_counter()
        total = 0.0
        for batch in batches(windows(*training_pieces(train, cfg, py_rng))):
            input_ids, mask, pool, index = _tensors(torch, batch)
            hidden = encoder(input_ids=input_ids, attention_mask=mask)[0]
            pooled = torch.einsum("sbt,bth->sh", pool, hidden)
            logits = head(dropout(pooled)).view(len(index), len(THEMES), 3)
            target = ys[index]
            loss = torch.stack(
                [
                    torch.nn.functional.cross_entropy(logits[:, t, :], target[:, t], weight=weights[t])
                    for t in range(len(THEMES))
                ]
            ).sum()
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optim.step()
            sched.step()
            total += float(loss.detach())
        log(f"  fine-tune (in context) epoch {epoch + 1}/{cfg.epochs}: loss {total:.1f} "
            f"in {time.perf_counter() - t0:.0f}s")
    encoder.eval()
    calibration = _calibration_texts(train, cfg, seed)
    _export(_token_states(encoder), head, tok, out, cfg, calibration)
    return ContextTaggerScorer(out, threads=cfg.threads)


def _tensors(torch: Any, batch: list[Window]) -> tuple[Any, Any, Any, Any]:
    """Padded ids and mask, the (sentences, windows, tokens) mean-pooling weights and the sentences' indices."""
    width = max(len(w.ids) for w in batch)
    n = sum(len(w.spans) for w in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    pool = torch.zeros((n, len(batch), width))
    index = []
    s = 0
    for r, w in enumerate(batch):
        ids[r, : len(w.ids)] = torch.tensor(w.ids)
        mask[r, : len(w.ids)] = 1
        for i, start, end in w.spans:
            end = max(end, start + 1)  # as serving: an empty sentence is read from the token after it
            pool[s, r, start:end] = 1.0 / (end - start)
            index.append(i)
            s += 1
    return ids, mask, pool, torch.tensor(index)


def _calibration_texts(train: SplitData, cfg: FinetuneConfig, seed: int) -> list[str]:
    """Whole-paragraph windows as text (section prefix and sentences), the inputs serving mostly sees."""
    ctx = train.context("document")
    texts = []
    for passage in ctx.passages():
        prefix = section_prefix(ctx.section[passage[0]])
        texts.append(" ".join([prefix, *(train.units[i].text for i in passage)]).strip())
    return calibration_sample(texts, seed, CALIBRATION_WINDOWS)


def _token_states(encoder: Any) -> Any:
    """The encoder as an ONNX-exportable module returning (batch, tokens, hidden) states."""
    import torch  # the training extra (see above)

    class TokenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            # Token types are all zero (one segment), BERT's default; MPNet has none. The exporter drops the input.
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]

    return TokenStates().eval()


def _export(module: Any, head: Any, tok: Any, out: Path, cfg: FinetuneConfig, calibration: list[str]) -> None:
    def graph(folder: Path) -> None:
        export_onnx(module, tok, folder / "model.onnx", "hidden", cfg.quantize, calibration, cfg.window_tokens,
                    cfg.int8_ffn_output)
        np.savez(folder / HEAD_NAME, weight=head.weight.detach().numpy(), bias=head.bias.detach().numpy())

    write_export(out, cfg, graph, {
        "context": True,
        "cls_id": tok.cls_token_id,
        "sep_id": tok.sep_token_id,
        "max_length": cfg.max_length,
        "window_tokens": cfg.window_tokens,
        "dim": int(head.weight.shape[1]),
        "output": "token states; head.npz maps each sentence's mean-pooled tokens to themes × 3 logits",
    })
