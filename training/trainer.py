"""A training run: load → fit → calibrate → evaluate → write, each step a function of its own.

The model directory is built under a temporary name and renamed into place only when everything (artefacts,
manifest, metrics, card) is written, so a failure never leaves a half-written model.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.backends.base import EnsembleScorer, Scorer
from reviewlens.models.backends.context import reads_context
from reviewlens.models.backends.encoder import EncoderScorer
from reviewlens.models.labels import LABEL_SCHEMA_VERSION
from reviewlens.models.model_dir import METRICS, Manifest, ModelDirectory, read_metrics
from reviewlens.models.registry import promote as promote_model
from reviewlens.models.registry import promoted_name, registry_root
from reviewlens.models.tiers import TIERS
from reviewlens.training.config import TrainConfig
from reviewlens.training.data import CONTEXT_READINGS, SplitData, data_hash, load_splits, split_breakdowns
from reviewlens.training.finetune import finetune
from reviewlens.training.finetune_context import finetune_in_context
from reviewlens.training.fit_encoder import export_encoder, fit_heads, load_encoder, save_heads
from reviewlens.training.fit_linear import fit_linear, save_linear
from reviewlens.training.fit_spacy import fit_spacy
from reviewlens.training.flag_eval import flag_accuracy
from reviewlens.training.metrics import evaluate_predictions, f1_row, macro_f1
from reviewlens.training.model_card import write_model_card
from reviewlens.training.onnx_export import calibration_sample
from reviewlens.training.selection import Selection, pooled, select_by_cv
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

    def run(self, texts: list[str]) -> np.ndarray:
        """Embeddings of `texts`, computing only those not seen before."""
        return self(texts)

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            for t, e in zip(missing, self.encoder.run(missing), strict=True):
                self.cache[t] = e
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.encoder.width), np.float32)


def _members(cfg: TrainConfig) -> list[str]:
    return list(cfg.ensemble.members) if cfg.backend == "ensemble" else [cfg.backend]


def _fit(
    cfg: TrainConfig, train: SplitData, build: Path | None, embed: _EmbeddingCache | None, log: Log,
    dev: SplitData | None = None,
) -> FittedBackends:
    fitted = FittedBackends()
    members = _members(cfg)
    if "linear" in members:
        t0 = time.perf_counter()
        lin = fit_linear(train, cfg.linear, cfg.seed)
        log(f"  linear backend fitted on {len(train.units)} sentences in {time.perf_counter() - t0:.1f}s")
        if build is not None:
            save_linear(lin, build / "linear")
        fitted.scorers["linear"] = lin
    if "encoder" in members:
        assert embed is not None
        t0 = time.perf_counter()
        heads = fit_heads(embed(train.texts), train, cfg.encoder, cfg.seed)
        log(f"  encoder heads fitted in {time.perf_counter() - t0:.1f}s")
        if build is not None:
            save_heads(heads, build / "encoder")
        fitted.scorers["encoder"] = EncoderScorer(embed, heads)
    if "finetuned" in members:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as scratch:
            out = build / "finetuned" if build is not None else Path(scratch) / "finetuned"
            tune = finetune_in_context if cfg.finetune.context else finetune
            fitted.scorers["finetuned"] = tune(train, out, cfg.finetune, cfg.seed, log)
        log(f"  fine-tuned and exported in {time.perf_counter() - t0:.1f}s")
    if "spacy" in members:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as scratch:
            out = build / "spacy" if build is not None else Path(scratch) / "spacy"
            fitted.scorers["spacy"] = fit_spacy(train, dev, out, cfg.spacy, cfg.seed, log)
        log(f"  spaCy peer trained in {time.perf_counter() - t0:.1f}s")
    return fitted


def _combine(cfg: TrainConfig, fitted: FittedBackends, dev: SplitData, log: Log) -> tuple[Scorer, dict[str, Any]]:
    if cfg.backend != "ensemble":
        return fitted.scorers[cfg.backend], {"type": cfg.backend, "path": cfg.backend}
    first, second = cfg.ensemble.members
    lin_dev = fitted.scorers[first].predict_proba(dev.texts, dev.context())
    enc_dev = fitted.scorers[second].predict_proba(dev.texts, dev.context())
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


@dataclass
class LoadedData:
    """The corpus as a run sees it: sentence units per split, the records, the split map and their hash."""

    splits: dict[str, SplitData]
    records: list[Any]
    split_map: dict[str, str]
    data_hash: str


@dataclass
class FittedModel:
    """A fitted scorer, its backend spec for the manifest, and the embedding cache (reused by curves)."""

    scorer: Scorer
    backend_spec: dict[str, Any]
    embed: _EmbeddingCache | None


def seed_everything(seed: int) -> None:
    """Seed Python's and NumPy's generators (torch is seeded where it is used)."""
    random.seed(seed)
    np.random.seed(seed)


def load_data(cfg: TrainConfig, log: Log) -> LoadedData:
    """Read and split the corpus named by the config."""
    splits, records, split_map = load_splits(cfg.corpus, cfg.splits, cfg.train_fraction, cfg.seed)
    log("corpus: " + " / ".join(f"{len(d.units)} {name}" for name, d in splits.items()) + " sentences")
    return LoadedData(splits, records, split_map, data_hash(records, split_map))


def _embedder(cfg: TrainConfig, data: LoadedData, build: Path, timings: dict[str, float], log: Log
              ) -> _EmbeddingCache | None:
    """Export the frozen encoder (when a member needs it) and embed train, dev and test once."""
    if "encoder" not in _members(cfg):
        return None
    train_d, dev_d, test_d = data.splits["train"], data.splits["dev"], data.splits["test"]
    t0 = time.perf_counter()
    enc_dir = export_encoder(build / "encoder", cfg.encoder, calibration_sample(train_d.texts, cfg.seed))
    embed = _EmbeddingCache(load_encoder(enc_dir, cfg.encoder.threads))
    embed(train_d.texts + dev_d.texts + test_d.texts)
    timings["encoder_export_and_embed_s"] = round(time.perf_counter() - t0, 2)
    log(f"  encoder exported and corpus embedded in {timings['encoder_export_and_embed_s']}s")
    return embed


def fit_model(cfg: TrainConfig, data: LoadedData, build: Path, timings: dict[str, float], log: Log) -> FittedModel:
    """Fit the configured backends on train (saving their artefacts into `build`) and combine them on dev."""
    embed = _embedder(cfg, data, build, timings, log)
    fitted = _fit(cfg, data.splits["train"], build, embed, log, data.splits["dev"])
    scorer, backend_spec = _combine(cfg, fitted, data.splits["dev"], log)
    return FittedModel(scorer, backend_spec, embed)


def fit_by_cv(cfg: TrainConfig, data: LoadedData, build: Path, timings: dict[str, float], log: Log
              ) -> tuple[FittedModel, Selection, SplitData]:
    """Choose settings and thresholds by document cross-validation on train+dev, then fit on train+dev."""
    embed = _embedder(cfg, data, build, timings, log)
    pool = pooled(data.splits["train"], data.splits["dev"])
    t0 = time.perf_counter()

    def fit(candidate: TrainConfig, split: SplitData) -> Scorer:
        return _fit(candidate, split, None, embed, lambda _m: None).scorers[candidate.backend]

    selection = select_by_cv(cfg, pool, fit, log)
    timings["cross_validation_s"] = round(time.perf_counter() - t0, 2)
    fitted = _fit(selection.config, pool, build, embed, log)
    scorer, backend_spec = _combine(selection.config, fitted, data.splits["dev"], log)
    return FittedModel(scorer, backend_spec, embed), selection, pool


def fit_and_refit(cfg: TrainConfig, data: LoadedData, build: Path, timings: dict[str, float], log: Log
                  ) -> tuple[FittedModel, dict[str, float], np.ndarray]:
    """Choose the ensemble weight and thresholds with a model fitted on train (artefacts discarded), then fit the
    final model on train and dev and combine it with that weight. Returns the final model, the thresholds and the
    dev probabilities they were tuned on."""
    embed = _embedder(cfg, data, build, timings, log)
    train, dev = data.splits["train"], data.splits["dev"]
    first = _fit(cfg, train, None, embed, log, dev)
    scorer, spec = _combine(cfg, first, dev, log)
    thresholds, dev_probs = calibrate(cfg, FittedModel(scorer, spec, embed), dev)
    log("  refitting on train and dev with the weight and thresholds chosen on dev")
    final = _fit(cfg, pooled(train, dev), build, embed, log, dev)
    if spec["type"] == "ensemble":
        refitted: Scorer = EnsembleScorer([(final.scorers[m["type"]], m["weight"]) for m in spec["members"]])
    else:
        refitted = final.scorers[spec["type"]]
    return FittedModel(refitted, spec, embed), thresholds, dev_probs


def calibrate(cfg: TrainConfig, model: FittedModel, dev: SplitData) -> tuple[dict[str, float], np.ndarray]:
    """Per-label thresholds tuned on dev, and the dev probabilities they were tuned on."""
    dev_probs = model.scorer.predict_proba(dev.texts, dev.context())
    return tune_thresholds(dev_probs, dev, cfg.thresholds), dev_probs


def make_manifest(cfg: TrainConfig, data: LoadedData, backend_spec: dict[str, Any], thresholds: dict[str, float],
                  version: str) -> Manifest:
    """The model directory's manifest for this run."""
    return Manifest(
        name=cfg.name,
        version=version,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        label_schema=LABEL_SCHEMA_VERSION,
        backend=backend_spec,
        thresholds=thresholds,
        flags=cfg.flags,
        tier=cfg.tier,
        data_hash=data.data_hash,
        data={
            "files": cfg.corpus,
            "splits": cfg.splits,
            "records": len(data.records),
            "documents": {s: len({u.document_id for u in d.units}) for s, d in data.splits.items()},
            "sentences": {s: len(d.units) for s, d in data.splits.items()},
        },
        config=cfg.to_dict(),
    )


def evaluate_run(cfg: TrainConfig, model: FittedModel, thresholds: dict[str, float], dev_probs: np.ndarray,
                 data: LoadedData, build: Path, log: Log, tuned_on: SplitData | None = None) -> dict[str, Any]:
    """Test metrics with bootstrap CIs, the metrics where thresholds were tuned (`dev`, or `cv`: out of fold on
    `tuned_on`), document-flag agreement and (if asked) a learning curve."""
    dev_d, test_d = tuned_on or data.splits["dev"], data.splits["test"]
    test_probs = model.scorer.predict_proba(test_d.texts, test_d.context())
    test_pred = predicted_ids(test_probs, thresholds)
    test_metrics = evaluate_predictions(
        test_d.y, test_pred, [u.document_id for u in test_d.units], n_bootstrap=cfg.bootstrap, seed=cfg.seed
    )
    test_metrics["breakdowns"] = split_breakdowns(test_d, test_pred, test_probs)
    dev_metrics = evaluate_predictions(
        dev_d.y,
        predicted_ids(dev_probs, thresholds),
        [u.document_id for u in dev_d.units],
        n_bootstrap=0,
    )
    analyzer = Analyzer(ModelDirectory.open(build), model.scorer)
    test_records = [r for r in data.records if data.split_map.get(r.document_id) == "test"]
    metrics: dict[str, Any] = {
        "test": test_metrics,
        "cv" if tuned_on is not None else "dev": dev_metrics,
        "document_flags": flag_accuracy(analyzer, test_records),
    }
    challenge = data.splits.get("challenge")
    if challenge is not None and challenge.units:
        # Reported only: the challenge split never feeds fitting, thresholds or the choice between models.
        challenge_probs = model.scorer.predict_proba(challenge.texts, challenge.context())
        challenge_pred = predicted_ids(challenge_probs, thresholds)
        metrics["challenge"] = evaluate_predictions(
            challenge.y, challenge_pred, [u.document_id for u in challenge.units], n_bootstrap=cfg.bootstrap,
            seed=cfg.seed,
        )
        metrics["challenge"]["breakdowns"] = split_breakdowns(challenge, challenge_pred, challenge_probs)
        challenge_records = [r for r in data.records if data.split_map.get(r.document_id) == "challenge"]
        metrics["challenge_document_flags"] = flag_accuracy(analyzer, challenge_records)
    if reads_context(model.scorer):
        metrics["context_readings"] = context_readings(model.scorer, thresholds, data.splits)
    if cfg.learning_curve:
        metrics["learning_curve"] = learning_curve(cfg, data.splits, model.embed, log)
    return metrics


def context_readings(scorer: Scorer, thresholds: dict[str, float], splits: dict[str, SplitData]
                     ) -> dict[str, dict[str, dict[str, float]]]:
    """Test and challenge F1 (macro and per label) of a context-reading model when each sentence is read in its
    whole document, in its paragraph alone (an editor's one-paragraph check) and alone (a pasted sentence)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name in ("test", "challenge"):
        split = splits.get(name)
        if split is None or not split.units:
            continue
        out[name] = {}
        for reading in CONTEXT_READINGS:
            pred = predicted_ids(scorer.predict_proba(split.texts, split.context(reading)), thresholds)
            per_label = evaluate_predictions(split.y, pred, [u.document_id for u in split.units], n_bootstrap=0)
            out[name][reading] = f1_row(per_label)
    return out


def promoted_figures(root: Path) -> dict[str, dict[str, Any] | None]:
    """Each tier's promoted model in the registry `root` (None where none is) with its test and challenge F1, so a
    new model's card sets its figures beside what serves now."""
    out: dict[str, dict[str, Any] | None] = {}
    for tier in TIERS:
        name = promoted_name(tier, root)
        full = read_metrics(root / name) if name else {}
        splits: dict[str, Any] = {split: f1_row(full[split]) for split in ("test", "challenge") if split in full}
        out[tier] = {"model": name, **splits} if full else None
    return out


def write_model(build: Path, final: Path, manifest: Manifest, metrics: dict[str, Any]) -> Path:
    """Write metrics and the model card beside the manifest, then move the finished directory into place."""
    (build / METRICS).write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    write_model_card(build / "MODEL.md", manifest.model_dump(mode="json"), metrics)
    build.rename(final)
    return final


def train(
    cfg: TrainConfig,
    registry: Path | None = None,
    promote: bool = False,
    log: Log = print,
) -> Path:
    """Run a whole training and return the new model directory."""
    seed_everything(cfg.seed)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    data = load_data(cfg, log)
    root = registry or registry_root()
    root.mkdir(parents=True, exist_ok=True)
    version = f"{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{data.data_hash[:8]}"
    final = root / f"{cfg.name}-{version}"
    build = root / f".building-{cfg.name}-{version}"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    try:
        t0 = time.perf_counter()
        selection: Selection | None = None
        tuned_on: SplitData | None = None
        if cfg.selection.method == "cv":
            model, selection, tuned_on = fit_by_cv(cfg, data, build, timings, log)
            thresholds, dev_probs = selection.thresholds, selection.oof_probs
        elif cfg.selection.refit:
            model, thresholds, dev_probs = fit_and_refit(cfg, data, build, timings, log)
        else:
            model = fit_model(cfg, data, build, timings, log)
            thresholds, dev_probs = calibrate(cfg, model, data.splits["dev"])
        # As before the split into steps: fitting time excludes the encoder's export and the corpus embedding.
        timings["fit_s"] = round(time.perf_counter() - t0 - timings.get("encoder_export_and_embed_s", 0.0), 2)
        chosen = selection.config if selection is not None else cfg
        manifest = make_manifest(chosen, data, model.backend_spec, thresholds, version)
        manifest.write(build)
        metrics = evaluate_run(chosen, model, thresholds, dev_probs, data, build, log, tuned_on)
        if selection is not None:
            metrics["selection"] = {"method": "cv", "folds": selection.folds, "candidates": selection.candidates}
        elif cfg.selection.refit:
            metrics["selection"] = {"method": "dev", "refit": True}
        timings["total_s"] = round(time.perf_counter() - started, 2)
        metrics["timings"] = timings
        metrics["promoted_at_build"] = promoted_figures(root)
        write_model(build, final, manifest, metrics)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    for split in ("test", "challenge"):
        if split in metrics:
            low, high = metrics[split]["macro_f1_ci"]
            log(f"{split} macro-F1 {metrics[split]['macro_f1']:.3f} [{low:.3f}, {high:.3f}]")
    log(f"model written to {final}")
    if promote:
        promoted = promote_model(final)
        log(f"promoted {final.name}: it now serves the {promoted.tier} tier")
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
        th = tune_thresholds(scorer.predict_proba(dev_d.texts, dev_d.context()), dev_d, cfg.thresholds)
        score = macro_f1(test_d.y, predicted_ids(scorer.predict_proba(test_d.texts, test_d.context()), th))
        out.append({"fraction": frac, "documents": len(keep), "sentences": len(idx), "test_macro_f1": round(score, 4)})
        log(f"  learning curve: {frac:.0%} of train ({len(keep)} documents) → test macro-F1 {score:.3f}")
    return out
