"""F1 by length and section, and calibration error: computed, not assumed (issue 9, item 2)."""

from __future__ import annotations

import numpy as np

from reviewlens.models.labels import THEMES
from reviewlens.training.metrics import breakdowns, calibration


def _gold(values: list[int]) -> dict[str, np.ndarray]:
    return {t.name: np.array(values) for t in THEMES}


def test_calibration_error_is_zero_when_confidence_matches_accuracy_and_large_when_it_does_not() -> None:
    gold = _gold([1, 2, 0, 1])
    sure_and_right = np.zeros((4, len(THEMES), 3))
    for i, g in enumerate([1, 2, 0, 1]):
        sure_and_right[i, :, g] = 1.0
    assert all(c["ece"] == 0.0 for c in calibration(gold, sure_and_right).values())
    sure_and_wrong = np.full((4, len(THEMES), 3), 0.05)
    for i, g in enumerate([1, 2, 0, 1]):
        sure_and_wrong[i, :, (g + 1) % 3] = 0.9
    result = calibration(gold, sure_and_wrong)
    assert all(abs(c["ece"] - 0.9) < 1e-6 for c in result.values())
    assert all(sum(b["count"] for b in c["bins"]) == 4 for c in result.values())


def test_breakdowns_group_by_length_bucket_and_section() -> None:
    gold = _gold([1, 1, 2, 0])
    pred = _gold([1, 1, 0, 0])
    probs = np.full((4, len(THEMES), 3), 1 / 3)
    out = breakdowns(gold, pred, probs, words=[5, 30, 50, 12], sections=["analysis", "analysis", "chronology", "x"])
    assert list(out["by_length"]) == ["1-10", "11-20", "21-35", "36+"]
    assert out["by_length"]["36+"]["sentences"] == 1
    # The one long sentence is a missed second label: its bucket's F1 for that label is 0 with support 1.
    label_b = THEMES[0].labels[1]
    assert out["by_length"]["36+"]["per_label"][label_b] == {"f1": 0.0, "support": 1}
    assert out["by_section"]["analysis"]["macro_f1_present"] == 1.0
