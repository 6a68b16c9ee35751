"""A simulated active-learning run: does annotating the sentences the model is least sure of beat annotating at
random? (`python -m reviewlens.training.active_learning`; the curve is in the README.)

The training split is divided by document into a seed set and a pool whose labels are hidden. Each round fits the
linear baseline (fast enough to refit many times) on what is labelled, then "annotates" `step` more pool
sentences — the least certain by the margin `annotations suggest --select uncertain` ranks by, or a random draw —
and records dev macro-F1 with thresholds tuned on dev, as training does. Only train and dev are read; test and
challenge are never touched.
"""

from __future__ import annotations

import argparse
import random
from typing import Any

import numpy as np

from reviewlens.models.paths import paths
from reviewlens.training.config import LinearConfig, ThresholdConfig
from reviewlens.training.data import SplitData, load_splits
from reviewlens.training.fit_linear import fit_linear
from reviewlens.training.metrics import macro_f1
from reviewlens.training.thresholds import predicted_ids, tune_thresholds


def _margins(probs: np.ndarray) -> np.ndarray:
    top2 = np.sort(probs, axis=2)[:, :, -2:]
    return (top2[:, :, 1] - top2[:, :, 0]).min(axis=1)


def simulate(
    train: SplitData, dev: SplitData, seed_docs: int = 8, step: int = 100, rounds: int = 6, seed: int = 13
) -> dict[str, list[dict[str, Any]]]:
    """Dev macro-F1 after each round, for uncertainty sampling and for random sampling from the same start."""
    docs = sorted({u.document_id for u in train.units})
    random.Random(seed).shuffle(docs)
    seed_set = set(docs[:seed_docs])
    start = [i for i, u in enumerate(train.units) if u.document_id in seed_set]
    pool0 = [i for i, u in enumerate(train.units) if u.document_id not in seed_set]
    cfg, tcfg = LinearConfig(calibration_folds=2), ThresholdConfig()
    curves: dict[str, list[dict[str, Any]]] = {}
    for strategy in ("uncertainty", "random"):
        labelled, pool = list(start), list(pool0)
        rng = random.Random(seed)
        curve = []
        for r in range(rounds + 1):
            model = fit_linear(train.subset(labelled), cfg, seed)
            dev_probs = model.predict_proba(dev.texts)
            score = macro_f1(dev.y, predicted_ids(dev_probs, tune_thresholds(dev_probs, dev, tcfg)))
            curve.append({"round": r, "labelled": len(labelled), "dev_macro_f1": round(score, 4)})
            if r == rounds:
                break
            if strategy == "uncertainty":
                margins = _margins(model.predict_proba([train.units[i].text for i in pool]))
                picked = {pool[i] for i in np.argsort(margins)[:step]}
            else:
                picked = set(rng.sample(pool, min(step, len(pool))))
            labelled += sorted(picked)
            pool = [i for i in pool if i not in picked]
        curves[strategy] = curve
    return curves


def main() -> None:
    """Run the simulation on the project's corpus and print the two curves side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=int, default=100, help="sentences annotated per round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seed-docs", type=int, default=8, help="training documents labelled at the start")
    args = parser.parse_args()
    splits, _records, _split_map = load_splits([str(paths().corpus)], str(paths().splits))
    curves = simulate(splits["train"], splits["dev"], args.seed_docs, args.step, args.rounds)
    print("| sentences labelled | dev macro-F1, uncertainty | dev macro-F1, random |")
    print("|---|---|---|")
    for u, r in zip(curves["uncertainty"], curves["random"], strict=True):
        print(f"| {u['labelled']} | {u['dev_macro_f1']:.3f} | {r['dev_macro_f1']:.3f} |")


if __name__ == "__main__":
    main()
