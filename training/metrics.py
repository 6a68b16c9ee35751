"""Sentence-level metrics with document-bootstrap confidence intervals, and confusion per theme."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from reviewlens.models.labels import LABELS, THEMES


@dataclass
class LabelMetrics:
    """Precision, recall and F1 of one label, with 95% bootstrap intervals (resampling documents)."""

    precision: float
    recall: float
    f1: float
    support: int
    f1_ci: tuple[float, float]


def _prf(gold: dict[str, np.ndarray], pred: dict[str, np.ndarray], idx: np.ndarray | None = None) -> dict[str, tuple]:
    out = {}
    for theme in THEMES:
        g, p = gold[theme.name], pred[theme.name]
        if idx is not None:
            g, p = g[idx], p[idx]
        pr, rc, f1, sup = precision_recall_fscore_support(g, p, labels=[1, 2], zero_division=0)
        for k, label in enumerate(theme.labels):
            out[label] = (float(pr[k]), float(rc[k]), float(f1[k]), int(sup[k]))
    return out


def _document_resamples(documents: list[str], n: int, seed: int) -> Iterator[np.ndarray]:
    """Row indices of `n` bootstrap samples that draw whole documents with replacement (sentences of one review
    are not independent, so resampling sentences would make the intervals too narrow)."""
    docs = np.array(documents)
    uniq = np.unique(docs)
    rows_of = {d: np.flatnonzero(docs == d) for d in uniq}
    rng = np.random.default_rng(seed)
    for _ in range(n):
        pick = rng.choice(uniq, size=len(uniq), replace=True)
        yield np.concatenate([rows_of[d] for d in pick])


def evaluate_predictions(
    gold: dict[str, np.ndarray],
    pred: dict[str, np.ndarray],
    documents: list[str],
    n_bootstrap: int = 1000,
    seed: int = 13,
) -> dict[str, Any]:
    """Per-label P/R/F1 with CIs, macro-F1 with CI, and a 3×3 confusion matrix per theme."""
    point = _prf(gold, pred)
    boot_f1: dict[str, list[float]] = {label: [] for label in LABELS}
    boot_macro: list[float] = []
    for idx in _document_resamples(documents, n_bootstrap, seed):
        res = _prf(gold, pred, idx)
        for label in LABELS:
            boot_f1[label].append(res[label][2])
        boot_macro.append(float(np.mean([res[label][2] for label in LABELS])))

    def ci(values: list[float]) -> tuple[float, float]:
        if not values:
            return (float("nan"), float("nan"))
        return (round(float(np.percentile(values, 2.5)), 4), round(float(np.percentile(values, 97.5)), 4))

    per_label = {
        label: LabelMetrics(
            round(point[label][0], 4),
            round(point[label][1], 4),
            round(point[label][2], 4),
            point[label][3],
            ci(boot_f1[label]),
        ).__dict__
        for label in LABELS
    }
    confusion = {
        theme.name: {
            "labels": ["none", *theme.labels],
            "matrix": confusion_matrix(gold[theme.name], pred[theme.name], labels=[0, 1, 2]).tolist(),
        }
        for theme in THEMES
    }
    macro = float(np.mean([point[label][2] for label in LABELS]))
    return {
        "per_label": per_label,
        "macro_f1": round(macro, 4),
        "macro_f1_ci": ci(boot_macro),
        "confusion": confusion,
        "sentences": len(documents),
        "documents": len(set(documents)),
    }


def paired_difference(
    gold: dict[str, np.ndarray],
    pred_a: dict[str, np.ndarray],
    pred_b: dict[str, np.ndarray],
    documents: list[str],
    n_bootstrap: int = 1000,
    seed: int = 13,
) -> dict[str, Any]:
    """F1 of B minus F1 of A per label and for macro-F1, with 95% intervals from a paired document bootstrap.

    Both models are scored on the same resampled documents in each round, so the interval is that of the
    difference itself: two overlapping per-model intervals say nothing about whether B beats A.
    """
    point_a, point_b = _prf(gold, pred_a), _prf(gold, pred_b)
    boot: dict[str, list[float]] = {label: [] for label in [*LABELS, "macro"]}
    for idx in _document_resamples(documents, n_bootstrap, seed):
        ra, rb = _prf(gold, pred_a, idx), _prf(gold, pred_b, idx)
        for label in LABELS:
            boot[label].append(rb[label][2] - ra[label][2])
        boot["macro"].append(float(np.mean([rb[label][2] - ra[label][2] for label in LABELS])))

    def entry(diff: float, values: list[float]) -> dict[str, Any]:
        low, high = (float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))) if values else (0.0, 0.0)
        return {"diff": round(diff, 4), "ci": (round(low, 4), round(high, 4)), "clear": low > 0 or high < 0}

    out = {label: entry(point_b[label][2] - point_a[label][2], boot[label]) for label in LABELS}
    out["macro_f1"] = entry(
        float(np.mean([point_b[label][2] - point_a[label][2] for label in LABELS])), boot["macro"]
    )
    return out


# Sentence length in words: the buckets a length shortcut would show up in (real reviews: p10 10, median 21,
# p90 35 words).
LENGTH_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("1-10", 1, 10), ("11-20", 11, 20), ("21-35", 21, 35), ("36+", 36, 10**6)
)
CALIBRATION_BINS = 10


def _f1_by_group(gold: dict[str, np.ndarray], pred: dict[str, np.ndarray], groups: list[str]) -> dict[str, Any]:
    """Per-label F1 and support inside each group, and macro-F1 over the labels the group has examples of (a label
    absent from a group would otherwise count as F1 0 and drag its macro down for no reason)."""
    keys = np.array(groups)
    out: dict[str, Any] = {}
    for group in dict.fromkeys(groups):
        idx = np.flatnonzero(keys == group)
        res = _prf(gold, pred, idx)
        present = [label for label in LABELS if res[label][3] > 0]
        out[group] = {
            "sentences": len(idx),
            "macro_f1_present": round(float(np.mean([res[label][2] for label in present])), 4) if present else None,
            "per_label": {label: {"f1": round(res[label][2], 4), "support": res[label][3]} for label in LABELS},
        }
    return out


def calibration(gold: dict[str, np.ndarray], probs: np.ndarray) -> dict[str, Any]:
    """Per theme: expected calibration error of the top class (none / label A / label B) over equal-width
    confidence bins, and the bins themselves (mean confidence, accuracy, count) for a reliability diagram."""
    out: dict[str, Any] = {}
    for t, theme in enumerate(THEMES):
        p = probs[:, t, :]
        conf, choice = p.max(axis=1), p.argmax(axis=1)
        correct = choice == gold[theme.name]
        edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
        which = np.clip(np.digitize(conf, edges[1:-1]), 0, CALIBRATION_BINS - 1)
        bins, ece = [], 0.0
        for b in range(CALIBRATION_BINS):
            mask = which == b
            n = int(mask.sum())
            if not n:
                continue
            mean_conf, acc = float(conf[mask].mean()), float(correct[mask].mean())
            ece += abs(acc - mean_conf) * n / len(conf)
            bins.append({"low": round(float(edges[b]), 2), "confidence": round(mean_conf, 4),
                         "accuracy": round(acc, 4), "count": n})
        out[theme.name] = {"ece": round(ece, 4), "bins": bins}
    return out


def breakdowns(
    gold: dict[str, np.ndarray], pred: dict[str, np.ndarray], probs: np.ndarray, words: list[int], sections: list[str]
) -> dict[str, Any]:
    """F1 by sentence-length bucket and by section kind, and calibration: where a shortcut or overconfidence hides."""
    bucket = [next(name for name, low, high in LENGTH_BUCKETS if low <= max(w, 1) <= high) for w in words]
    by_length = _f1_by_group(gold, pred, bucket)
    return {
        "by_length": {name: by_length[name] for name, _, _ in LENGTH_BUCKETS if name in by_length},
        "by_section": _f1_by_group(gold, pred, sections),
        "calibration": calibration(gold, probs),
    }


def macro_f1(gold: dict[str, np.ndarray], pred: dict[str, np.ndarray]) -> float:
    """Macro-F1 over the six labels (no bootstrap; used for model selection on dev)."""
    res = _prf(gold, pred)
    return float(np.mean([res[label][2] for label in LABELS]))


def f1_row(split_metrics: dict[str, Any]) -> dict[str, float]:
    """One split's result as a table row: macro-F1 and each label's F1."""
    return {"macro_f1": split_metrics["macro_f1"], **{k: v["f1"] for k, v in split_metrics["per_label"].items()}}
