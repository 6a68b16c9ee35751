"""The fine-tuned backend end to end on a handful of sentences: train, export to ONNX int8, serve without torch."""

from pathlib import Path

import numpy as np

from reviewlens.models.backends.loading import build_scorer
from reviewlens.training.config import FinetuneConfig
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.data import make_split
from reviewlens.training.finetune import finetune

ROOT = Path(__file__).resolve().parents[2]


def test_finetune_exports_a_scorer_serving_can_load(tmp_path: Path) -> None:
    records = load_corpus([ROOT / "annotations" / "corpus" / "batch_a.jsonl"])[:4]
    units = [u for r in records for u in record_units(r)][:48]
    data = make_split(units)
    cfg = FinetuneConfig(epochs=1, batch_size=16, max_length=48, threads=2)
    scorer = finetune(data, tmp_path / "finetuned", cfg, seed=13, log=lambda _m: None)
    probs = scorer.predict_proba(data.texts[:5])
    assert probs.shape == (5, 3, 3)
    assert np.allclose(probs.sum(axis=2), 1.0, atol=1e-4)
    # what the model directory will hold is loadable through the serving-side loader alone
    served = build_scorer(tmp_path, {"type": "finetuned", "path": "finetuned"})
    assert np.allclose(served.predict_proba(data.texts[:5]), probs, atol=1e-5)
    assert {p.name for p in (tmp_path / "finetuned").iterdir()} == {"model.onnx", "tokenizer.json", "classifier.json"}
