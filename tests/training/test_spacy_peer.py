"""The spaCy peer (issue 9, item 3): `spacy train` on the corpus through spaCy's own loop, served as a scorer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reviewlens.models.backends.loading import build_scorer
from reviewlens.training.config import SpacyTextcatConfig
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.data import make_split
from reviewlens.training.fit_spacy import fit_spacy

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_spacy_textcat_trains_and_scores_each_theme(tmp_path: Path) -> None:
    records = load_corpus([ROOT / "annotations" / "corpus" / "batch_a.jsonl"])
    units = [u for r in records for u in record_units(r)]
    split = make_split(units)
    cfg = SpacyTextcatConfig(config=str(ROOT / "training" / "configs" / "spacy_textcat.cfg"), max_steps=200)
    scorer = fit_spacy(split, None, tmp_path / "spacy", cfg, seed=13, log=lambda _m: None)
    probs = scorer.predict_proba(split.texts)
    assert probs.shape == (len(units), 3, 3)
    assert (probs >= 0).all() and (probs <= 1).all()
    # It learned something: on its own training sentences, DESCRIPTIVE scores higher where DESCRIPTIVE is gold.
    gold = split.y["analysis_depth"] == 1
    assert probs[gold, 0, 1].mean() > probs[~gold, 0, 1].mean() + 0.1
    served = build_scorer(tmp_path, {"type": "spacy", "path": "spacy"})
    assert np.allclose(served.predict_proba(split.texts[:5]), probs[:5])
