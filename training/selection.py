"""Choosing hyper-parameters and thresholds by cross-validation over documents, then refitting on train+dev.

Thresholds tuned on one authored dev split learned that split (issue 9): on real reviews they cost more than
they gained. With `selection.method: cv`, the train and dev documents are pooled and cut into folds by document;
every candidate setting is fitted on all folds but one and scores the one it did not see, so each sentence gets
an out-of-fold probability. The candidate with the best out-of-fold macro-F1 wins, each label's threshold is the
one with the best F1 over all out-of-fold probabilities, and the final model is fitted on every train and dev
document. Test and challenge are untouched until the model is built.

Refitting per fold is cheap for the linear and frozen-encoder backends (embeddings are computed once); the
fine-tuned backend would be fine-tuned once per fold and candidate, so it keeps `selection.method: dev`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewlens.models.backends.base import Scorer
from reviewlens.models.labels import THEMES
from reviewlens.models.strict import load_strict
from reviewlens.training.config import ConfigError, TrainConfig, set_dotted
from reviewlens.training.data import SplitData
from reviewlens.training.metrics import macro_f1
from reviewlens.training.thresholds import predicted_ids, tune_thresholds

Fit = Callable[[TrainConfig, SplitData], Scorer]
CV_BACKENDS = ("linear", "encoder")


@dataclass
class Selection:
    """What cross-validation chose, and the evidence for it."""

    config: TrainConfig
    thresholds: dict[str, float]
    oof_probs: np.ndarray
    candidates: list[dict[str, Any]]
    folds: int


def pooled(train: SplitData, dev: SplitData) -> SplitData:
    """Train and dev as one set of sentence units."""
    return SplitData(train.units + dev.units, {k: np.concatenate([train.y[k], dev.y[k]]) for k in train.y})


def document_folds(units: list[Any], k: int, seed: int) -> list[np.ndarray]:
    """`k` folds of unit indices, whole documents to a fold, sentence counts kept close (largest document first,
    each to the emptiest fold; ties broken by a seeded shuffle)."""
    by_doc: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        by_doc.setdefault(u.document_id, []).append(i)
    if len(by_doc) < k:
        raise ConfigError(f"selection.folds is {k} but there are only {len(by_doc)} train and dev documents")
    docs = sorted(by_doc)
    np.random.default_rng(seed).shuffle(docs)
    docs.sort(key=lambda d: -len(by_doc[d]))  # stable: the shuffle orders documents of equal size
    folds: list[list[int]] = [[] for _ in range(k)]
    for d in docs:
        min(folds, key=len).extend(by_doc[d])
    return [np.array(sorted(f), dtype=np.int64) for f in folds]


def candidates(cfg: TrainConfig) -> list[dict[str, Any]]:
    """Every combination of the `selection.grid` values (one empty combination when the grid is empty)."""
    keys = sorted(cfg.selection.grid)
    grid = itertools.product(*(cfg.selection.grid[k] for k in keys))
    return [dict(zip(keys, values, strict=True)) for values in grid]


def with_overrides(cfg: TrainConfig, overrides: dict[str, Any]) -> TrainConfig:
    """A copy of `cfg` with key-path overrides applied and checked as strictly as a config file."""
    data = cfg.to_dict()
    for dotted, value in overrides.items():
        set_dotted(data, dotted, value, "selection.grid")
    try:
        return load_strict(TrainConfig, data, "selection.grid")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def out_of_fold(cfg: TrainConfig, pool: SplitData, folds: list[np.ndarray], fit: Fit) -> np.ndarray:
    """(n, themes, 3) probabilities, each sentence scored by the model fitted without its fold."""
    probs = np.zeros((len(pool.units), len(THEMES), 3))
    everything = np.arange(len(pool.units))
    for fold in folds:
        rest = np.setdiff1d(everything, fold, assume_unique=True)
        scorer = fit(cfg, pool.subset(rest.tolist()))
        held_out = pool.subset(fold.tolist())
        probs[fold] = scorer.predict_proba(held_out.texts, held_out.context())
    return probs


def select_by_cv(cfg: TrainConfig, pool: SplitData, fit: Fit, log: Callable[[str], None]) -> Selection:
    """Run the grid over document folds of `pool`; return the winning config and its out-of-fold thresholds."""
    if cfg.backend not in CV_BACKENDS:
        raise ConfigError(
            f"selection.method cv refits the model once per fold and candidate; it supports {CV_BACKENDS}, "
            f"not {cfg.backend!r} (use selection.method: dev)"
        )
    folds = document_folds(pool.units, cfg.selection.folds, cfg.seed)
    table: list[dict[str, Any]] = []
    best: tuple[float, int] = (-1.0, -1)
    results: list[tuple[TrainConfig, dict[str, float], np.ndarray]] = []
    for n, overrides in enumerate(candidates(cfg)):
        candidate = with_overrides(cfg, overrides)
        probs = out_of_fold(candidate, pool, folds, fit)
        thresholds = tune_thresholds(probs, pool, candidate.thresholds)
        score = macro_f1(pool.y, predicted_ids(probs, thresholds))
        table.append({"overrides": overrides, "cv_macro_f1": round(score, 4)})
        results.append((candidate, thresholds, probs))
        log(f"  cv {overrides or 'config as written'}: out-of-fold macro-F1 {score:.3f}")
        if score > best[0] + 1e-9:
            best = (score, n)
    chosen, thresholds, probs = results[best[1]]
    table[best[1]]["chosen"] = True
    return Selection(chosen, thresholds, probs, table, len(folds))
