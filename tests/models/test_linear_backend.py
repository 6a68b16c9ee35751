from pathlib import Path

import numpy as np

from reviewlens.models.backends.linear import LinearScorer


def test_shared_features_give_the_same_probabilities_as_full_pipelines(tiny_model_dir: Path) -> None:
    scorer = LinearScorer.load(tiny_model_dir / "linear")
    assert scorer.shared_features is not None, "themes' features are fitted on the same sentences"
    texts = ["The plan was ended at the review conference.", "Because caseloads were high, visits lapsed."]
    fast = scorer.predict_proba(texts)
    scorer.shared_features = None
    assert np.allclose(fast, scorer.predict_proba(texts))
