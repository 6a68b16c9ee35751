"""The README's model figures come from a model's metrics (issue 11: figures drifted from the build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewlens.models.labels import LABELS
from reviewlens.training.readme_figures import END, START, TierFigures, figures_block, rewrite

ROOT = Path(__file__).resolve().parents[2]


def _metrics(f1: float) -> dict:
    split = {
        "per_label": {label: {"f1": f1} for label in LABELS},
        "macro_f1": f1, "macro_f1_ci": [f1 - 0.05, f1 + 0.05], "documents": 3, "sentences": 99,
    }
    return {"test": split, "challenge": {**split, "macro_f1": f1 - 0.1}}


def test_the_block_is_rewritten_from_metrics_and_nothing_else_moves() -> None:
    readme = f"intro\n{START}\nstale 0.111\n{END}\noutro\n"
    new = rewrite(readme, figures_block([TierFigures("fast", "m", "v1", _metrics(0.8))]))
    assert new.startswith("intro\n") and new.endswith(f"{END}\noutro\n")
    assert "stale" not in new and "| DESCRIPTIVE | 0.800 | 0.800 |" in new and "**0.700**" in new
    assert rewrite(new, figures_block([TierFigures("fast", "m", "v2", _metrics(0.6))])).count(START) == 1


def test_both_tiers_stand_side_by_side() -> None:
    block = figures_block([TierFigures("fast", "f", "v1", _metrics(0.7)), TierFigures("thorough", "t", "v2",
                                                                                     _metrics(0.8))])
    assert "| label | fast: test F1 | fast: challenge F1 | thorough: test F1 | thorough: challenge F1 |" in block
    assert "| RISK_REASONED | 0.700 | 0.700 | 0.800 | 0.800 |" in block
    assert "the fast tier's `f-v1`, the thorough tier's `t-v2`" in block


def test_the_readme_has_the_generated_block() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    inside = readme[readme.index(START) : readme.index(END)]
    assert "make readme-figures" in inside and "| macro-F1 [95% CI] |" in inside


def test_missing_markers_are_an_error() -> None:
    with pytest.raises(ValueError, match="model-figures"):
        rewrite("no block here", "x")
