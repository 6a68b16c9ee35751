"""A training run: corpus → backends → dev-tuned thresholds → test metrics → a complete model directory.

The model directory is built under a temporary name and renamed into place only when everything (artefacts,
manifest, metrics, card) is written, so a failure never leaves a half-written model.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.backends.base import EnsembleScorer, Scorer
from reviewlens.models.flags import FlagConfig
from reviewlens.models.labels import LABEL_SCHEMA_VERSION
from reviewlens.models.model_dir import ModelDirectory
from reviewlens.models.registry import promote as promote_model
from reviewlens.models.registry import registry_root
from reviewlens.training.config import TrainConfig
from reviewlens.training.data import SplitData, data_hash, load_splits
from reviewlens.training.flag_eval import flag_accuracy
from reviewlens.training.metrics import evaluate_predictions, macro_f1
from reviewlens.training.model_card import write_model_card
from reviewlens.training.thresholds import predicted_ids, tune_thresholds

Log = Callable[[str], None]


@dataclass
class FittedBackends:
    """Fitted scorers plus what is needed to save them."""

    scorers: dict[str, Scorer] = field(default_factory=dict)
    linear_weight: float | None = None


class _EmbeddingCache:
    """Embeds each distinct sentence once per run (learning curves refit heads on subsets)."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            for t, e in zip(missing, self.encoder.run(missing), strict=True):
                self.cache[t] = e
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)


class _CachedEncoderScorer:
    def __init__(self, embed: _EmbeddingCache, heads: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        self.embed = embed
        self.heads = heads

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        from reviewlens.models.backends.encoder import heads_proba

        return heads_proba(self.embed(texts), self.heads)


def _members(cfg: TrainConfig) -> list[str]:
    return list(cfg.ensemble.members) if cfg.backend == "ensemble" else [cfg.backend]


def _fit(
    cfg: TrainConfig, train: SplitData, build: Path | None, embed: _EmbeddingCache | None, log: Log
) -> FittedBackends:
    fitted = FittedBackends()
    members = _members(cfg)
    if "linear" in members:
        from reviewlens.training.fit_linear import fit_linear, save_linear

        t0 = time.perf_counter()
        lin = fit_linear(train, cfg.linear, cfg.seed)
        log(f"  linear backend fitted on {len(train.units)} sentences in {time.perf_counter() - t0:.1f}s")
        if build is not None:
            save_linear(lin, build / "linear")
        fitted.scorers["linear"] = lin
    if "encoder" in members:
        from reviewlens.training.fit_encoder import fit_heads, save_heads

        assert embed is not None
        t0 = time.perf_counter()
        heads = fit_heads(embed(train.texts), train, cfg.encoder, cfg.seed)
        log(f"  encoder heads fitted in {time.perf_counter() - t0:.1f}s")
        if build is not None:
            save_heads(heads, build / "encoder")
        fitted.scorers["encoder"] = _CachedEncoderScorer(embed, heads)
    if "finetuned" in members:
        import tempfile

        from reviewlens.training.finetune import finetune

        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as scratch:
            out = build / "finetuned" if build is not None else Path(scratch) / "finetuned"
            fitted.scorers["finetuned"] = finetune(train, out, cfg.finetune, cfg.seed, log)
        log(f"  fine-tuned and exported in {time.perf_counter() - t0:.1f}s")
    return fitted


def _combine(cfg: TrainConfig, fitted: FittedBackends, dev: SplitData, log: Log) -> tuple[Scorer, dict[str, Any]]:
    if cfg.backend != "ensemble":
        return fitted.scorers[cfg.backend], {"type": cfg.backend, "path": cfg.backend}
    first, second = cfg.ensemble.members
    lin_dev = fitted.scorers[first].predict_proba(dev.texts)
    enc_dev = fitted.scorers[second].predict_proba(dev.texts)
    if cfg.ensemble.linear_weight == "auto":
        best = (-1.0, 0.5)
        for w in np.round(np.arange(0.0, 1.0001, 0.1), 2):
            probs = w * lin_dev + (1 - w) * enc_dev
            th = tune_thresholds(probs, dev, cfg.thresholds)
            score = macro_f1(dev.y, predicted_ids(probs, th))
            if score > best[0] + 1e-9:
                best = (score, float(w))
        weight = best[1]
        log(f"  ensemble weight of {first} {weight} chosen on dev (dev macro-F1 {best[0]:.3f})")
    else:
        weight = float(cfg.ensemble.linear_weight)
    scorer = EnsembleScorer([(fitted.scorers[first], weight), (fitted.scorers[second], 1 - weight)])
    spec = {
        "type": "ensemble",
        "members": [
            {"type": first, "path": first, "weight": weight},
            {"type": second, "path": second, "weight": round(1 - weight, 4)},
        ],
    }
    return scorer, spec


def train(
    cfg: TrainConfig,
    registry: Path | None = None,
    promote: bool = False,
    log: Log = print,
) -> Path:
    """Run a whole training and return the new model directory."""
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    splits, records, split_map = load_splits(cfg.corpus, cfg.splits, cfg.train_fraction, cfg.seed)
    train_d, dev_d, test_d = splits["train"], splits["dev"], splits["test"]
    log(f"corpus: {len(train_d.units)} train / {len(dev_d.units)} dev / {len(test_d.units)} test sentences")
    root = registry or registry_root()
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    dhash = data_hash(records, split_map)
    version = f"{stamp}-{dhash[:8]}"
    final = root / f"{cfg.name}-{version}"
    build = root / f".building-{cfg.name}-{version}"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    try:
        embed = None
        if "encoder" in _members(cfg):
            from reviewlens.training.fit_encoder import export_encoder, load_encoder

            t0 = time.perf_counter()
            enc_dir = export_encoder(build / "encoder", cfg.encoder)
            embed = _EmbeddingCache(load_encoder(enc_dir, cfg.encoder.threads))
            embed(train_d.texts + dev_d.texts + test_d.texts)
            timings["encoder_export_and_embed_s"] = round(time.perf_counter() - t0, 2)
            log(f"  encoder exported and corpus embedded in {timings['encoder_export_and_embed_s']}s")
        t0 = time.perf_counter()
        fitted = _fit(cfg, train_d, build, embed, log)
        scorer, backend_spec = _combine(cfg, fitted, dev_d, log)
        dev_probs = scorer.predict_proba(dev_d.texts)
        thresholds = tune_thresholds(dev_probs, dev_d, cfg.thresholds)
        timings["fit_s"] = round(time.perf_counter() - t0, 2)

        test_probs = scorer.predict_proba(test_d.texts)
        test_metrics = evaluate_predictions(
            test_d.y,
            predicted_ids(test_probs, thresholds),
            [u.document_id for u in test_d.units],
            n_bootstrap=cfg.bootstrap,
            seed=cfg.seed,
        )
        dev_metrics = evaluate_predictions(
            dev_d.y,
            predicted_ids(dev_probs, thresholds),
            [u.document_id for u in dev_d.units],
            n_bootstrap=0,
        )
        flag_cfg = FlagConfig.from_dict(cfg.flags)
        manifest: dict[str, Any] = {
            "name": cfg.name,
            "version": version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "label_schema": LABEL_SCHEMA_VERSION,
            "backend": backend_spec,
            "thresholds": thresholds,
            "flags": flag_cfg.__dict__,
            "data_hash": dhash,
            "data": {
                "files": cfg.corpus,
                "splits": cfg.splits,
                "records": len(records),
                "documents": {s: len({u.document_id for u in d.units}) for s, d in splits.items()},
                "sentences": {s: len(d.units) for s, d in splits.items()},
            },
            "config": cfg.to_dict(),
        }
        (build / "model.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        analyzer = Analyzer(ModelDirectory.open(build), scorer)
        test_records = [r for r in records if split_map.get(r.document_id) == "test"]
        flags_eval = flag_accuracy(analyzer, test_records)
        metrics: dict[str, Any] = {"test": test_metrics, "dev": dev_metrics, "document_flags": flags_eval}
        if cfg.learning_curve:
            metrics["learning_curve"] = learning_curve(cfg, splits, embed, log)
        timings["total_s"] = round(time.perf_counter() - started, 2)
        metrics["timings"] = timings
        (build / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
        write_model_card(build / "MODEL.md", manifest, metrics)
        build.rename(final)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    low, high = test_metrics["macro_f1_ci"]
    log(f"test macro-F1 {test_metrics['macro_f1']:.3f} [{low:.3f}, {high:.3f}]; model written to {final}")
    if promote:
        promote_model(final)
        log(f"promoted {final.name} to default")
    return final


def learning_curve(
    cfg: TrainConfig,
    splits: dict[str, SplitData],
    embed: _EmbeddingCache | None,
    log: Log,
    fractions: tuple[float, ...] = (0.25, 0.5, 1.0),
) -> list[dict[str, float]]:
    """Test macro-F1 when training on 25/50/100% of the training documents (thresholds re-tuned on dev)."""
    train_d, dev_d, test_d = splits["train"], splits["dev"], splits["test"]
    docs = sorted({u.document_id for u in train_d.units})
    out = []
    for frac in fractions:
        keep = set(random.Random(cfg.seed).sample(docs, max(1, round(len(docs) * frac))))
        idx = [i for i, u in enumerate(train_d.units) if u.document_id in keep]
        sub = train_d.subset(idx)
        try:
            fitted = _fit(cfg, sub, None, embed, lambda _m: None)
        except ValueError as exc:  # a small subset can lack a class entirely
            log(f"  learning curve at {frac:.0%}: skipped ({exc})")
            continue
        scorer, _ = _combine(cfg, fitted, dev_d, lambda _m: None)
        th = tune_thresholds(scorer.predict_proba(dev_d.texts), dev_d, cfg.thresholds)
        score = macro_f1(test_d.y, predicted_ids(scorer.predict_proba(test_d.texts), th))
        out.append({"fraction": frac, "documents": len(keep), "sentences": len(idx), "test_macro_f1": round(score, 4)})
        log(f"  learning curve: {frac:.0%} of train ({len(keep)} documents) → test macro-F1 {score:.3f}")
    return out
