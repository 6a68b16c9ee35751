"""Per-label decision thresholds, tuned on the dev split to maximise each label's F1."""

from __future__ import annotations

import numpy as np

from reviewlens.models.labels import THEMES, class_id
from reviewlens.models.predictions import decide
from reviewlens.training.config import ThresholdConfig
from reviewlens.training.data import SplitData


def tune_thresholds(probs: np.ndarray, dev: SplitData, cfg: ThresholdConfig) -> dict[str, float]:
    """For each label, the grid threshold with the best dev F1 (ties → the threshold closest to 0.5).

    Labels of a theme interact only through the argmax in `decide`, so each label's threshold is tuned with the
    other label's held at the default.
    """
    thresholds = {label: cfg.default for t in THEMES for label in t.labels}
    if not cfg.tune:
        return thresholds
    grid = np.arange(cfg.grid_min, cfg.grid_max + 1e-9, cfg.grid_step)
    for t, theme in enumerate(THEMES):
        gold = dev.y[theme.name]
        pair = probs[:, t, 1:]
        best_idx = pair.argmax(axis=1)
        best_p = pair.max(axis=1)
        for k, label in enumerate(theme.labels):
            is_gold = gold == k + 1
            scores = []
            for th in grid:
                pred = (best_idx == k) & (best_p >= th)
                tp = float(np.sum(pred & is_gold))
                fp = float(np.sum(pred & ~is_gold))
                fn = float(np.sum(~pred & is_gold))
                f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
                scores.append((round(f1, 6), -abs(th - 0.5), float(th)))
            thresholds[label] = round(max(scores)[2], 4)
    return thresholds


def predicted_ids(probs: np.ndarray, thresholds: dict[str, float]) -> dict[str, np.ndarray]:
    """Per-theme predicted class ids (0 none, 1/2 the theme's labels) after thresholds."""
    decided = decide(probs, thresholds)
    out = {}
    for theme in THEMES:
        out[theme.name] = np.array(
            [class_id(theme, d[theme.name][0] if theme.name in d else None) for d in decided], dtype=np.int64
        )
    return out
