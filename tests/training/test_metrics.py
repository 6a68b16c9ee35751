import numpy as np

from reviewlens.training.config import ThresholdConfig
from reviewlens.training.data import SplitData
from reviewlens.training.metrics import evaluate_predictions, macro_f1
from reviewlens.training.thresholds import predicted_ids, tune_thresholds

THEMES = ("analysis_depth", "cultural_competence", "risk_reasoning")


def test_metrics_match_a_hand_computed_case() -> None:
    gold = {t: np.array([1, 1, 2, 0, 0, 2]) for t in THEMES}
    pred = {t: np.array([1, 0, 2, 0, 1, 2]) for t in THEMES}
    m = evaluate_predictions(gold, pred, ["a", "a", "b", "b", "c", "c"], n_bootstrap=50)
    # label 1: tp 1, fp 1, fn 1 → P = R = F1 = 0.5; label 2: tp 2, fp 0, fn 0 → 1.0
    assert m["per_label"]["DESCRIPTIVE"]["f1"] == 0.5 and m["per_label"]["ANALYTICAL"]["f1"] == 1.0
    assert m["macro_f1"] == 0.75 and m["documents"] == 3
    assert m["confusion"]["risk_reasoning"]["matrix"] == [[1, 1, 0], [1, 1, 0], [0, 0, 2]]
    low, high = m["macro_f1_ci"]
    assert 0 <= low <= high <= 1


def test_thresholds_are_tuned_per_label_on_dev() -> None:
    n = 40
    y = {t: np.array([1] * 10 + [2] * 10 + [0] * 20) for t in THEMES}
    probs = np.zeros((n, 3, 3))
    probs[:, :, 0] = 0.5
    probs[:10, :, 1] = 0.32  # after normalising, true first-label sentences score 0.39: 0.5 would miss them
    probs[10:20, :, 2] = 0.9
    probs[20:, :, 1] = 0.1
    probs /= probs.sum(axis=2, keepdims=True)
    dev = SplitData([], y)
    th = tune_thresholds(probs, dev, ThresholdConfig())
    assert 0.17 < th["DESCRIPTIVE"] <= 0.39  # between the negatives (0.17) and the positives (0.39)
    assert macro_f1(y, predicted_ids(probs, th)) == 1.0
    assert macro_f1(y, predicted_ids(probs, {k: 0.5 for k in th})) < 1.0
