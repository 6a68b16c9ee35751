"""Hyper-parameters and thresholds chosen by cross-validation over documents (issue 9, item 2)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reviewlens.training.config import ConfigError, TrainConfig, load_config
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.data import make_split
from reviewlens.training.selection import candidates, document_folds, select_by_cv
from reviewlens.training.trainer import train

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "annotations" / "corpus"


def _units() -> list:
    records = load_corpus([CORPUS / "batch_k.jsonl", CORPUS / "batch_h.jsonl"])
    return [u for r in records for u in record_units(r)]


def test_folds_keep_documents_whole_and_sizes_close() -> None:
    units = _units()
    folds = document_folds(units, 4, seed=13)
    assert sorted(np.concatenate(folds).tolist()) == list(range(len(units)))
    docs = [{units[i].document_id for i in f} for f in folds]
    assert all(not (a & b) for i, a in enumerate(docs) for b in docs[i + 1 :]), "a document in two folds"
    sizes = [len(f) for f in folds]
    biggest = max(sum(1 for u in units if u.document_id == d) for d in {u.document_id for u in units})
    assert max(sizes) - min(sizes) <= biggest
    assert [f.tolist() for f in document_folds(units, 4, seed=13)] == [f.tolist() for f in folds]
    with pytest.raises(ConfigError, match="only"):
        document_folds(units, 1000, seed=13)


def test_the_grid_is_searched_out_of_fold_and_the_best_candidate_kept() -> None:
    pool = make_split(_units())
    cfg = TrainConfig(backend="linear", selection={"method": "cv", "folds": 3, "grid": {"linear.C": [0.05, 1.0]}})
    cfg.linear.calibration_folds = 2
    assert candidates(cfg) == [{"linear.C": 0.05}, {"linear.C": 1.0}]
    seen: list[tuple[float, int]] = []

    def fit(candidate: TrainConfig, split):  # type: ignore[no-untyped-def]
        from reviewlens.training.fit_linear import fit_linear

        seen.append((candidate.linear.C, len(split.units)))
        return fit_linear(split, candidate.linear, candidate.seed)

    chosen = select_by_cv(cfg, pool, fit, log=lambda _m: None)
    assert len(seen) == 6 and all(n < len(pool.units) for _, n in seen), "each fit leaves one fold out"
    assert chosen.oof_probs.shape == (len(pool.units), 3, 3)
    scores = [c["cv_macro_f1"] for c in chosen.candidates]
    best = int(np.argmax(scores))
    assert chosen.candidates[best].get("chosen") and [0.05, 1.0][best] == chosen.config.linear.C
    assert set(chosen.thresholds) == {"DESCRIPTIVE", "ANALYTICAL", "IDENTITY_MENTION", "CULTURAL_ANALYSIS",
                                      "RISK_UNSUPPORTED", "RISK_REASONED"}


def test_cv_is_refused_where_it_would_fine_tune_once_per_fold(tmp_path: Path) -> None:
    cfg = TrainConfig(backend="finetuned", selection={"method": "cv"})
    with pytest.raises(ConfigError, match=r"use selection\.method: dev"):
        select_by_cv(cfg, make_split(_units()), fit=lambda c, s: None, log=lambda _m: None)  # type: ignore[arg-type,return-value]
    bad = tmp_path / "bad.yaml"
    bad.write_text("backend: linear\nselection:\n  grid: {linear.C: [1.0]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"only with selection\.method: cv"):
        load_config(bad)


@pytest.mark.slow
def test_a_cross_validated_build_records_its_choice(tmp_path: Path) -> None:
    splits = str(ROOT / "annotations" / "splits.json")
    cfg = TrainConfig(name="cv", backend="linear", corpus=[str(CORPUS)], splits=splits, bootstrap=20,
                      selection={"method": "cv", "folds": 3, "grid": {"linear.C": [0.1, 0.5]}})
    cfg.linear.calibration_folds = 2
    model = train(cfg, registry=tmp_path, log=lambda _m: None)
    metrics = json.loads((model / "metrics.json").read_text(encoding="utf-8"))
    assert "cv" in metrics and "dev" not in metrics
    assert metrics["selection"]["folds"] == 3 and len(metrics["selection"]["candidates"]) == 2
    manifest = json.loads((model / "model.json").read_text(encoding="utf-8"))
    chosen = next(c for c in metrics["selection"]["candidates"] if c.get("chosen"))
    assert manifest["config"]["linear"]["C"] == chosen["overrides"]["linear.C"]
    assert manifest["data"]["sentences"]["train"] > 0
    card = (model / "MODEL.md").read_text(encoding="utf-8")
    assert "3-fold cross-validation over the train and dev documents" in card and "out-of-fold macro-F1" in card


def test_refit_keeps_the_dev_choices_and_fits_the_final_model_on_train_and_dev(tiny_model_dir: Path,
                                                                                 tmp_path: Path) -> None:
    from reviewlens.models.analyzer import Analyzer

    cfg = TrainConfig(name="tiny", backend="linear", corpus=[str(CORPUS)], splits=str(ROOT / "annotations" /
                      "splits.json"), bootstrap=20)
    cfg.linear.calibration_folds = 2
    cfg.selection.refit = True
    refitted = train(cfg, registry=tmp_path, log=lambda _m: None)
    plain, again = json.loads((tiny_model_dir / "model.json").read_text()), json.loads(
        (refitted / "model.json").read_text())
    # The same train-only fit chose the thresholds, so they are the plain build's exactly.
    assert again["thresholds"] == plain["thresholds"]
    metrics = json.loads((refitted / "metrics.json").read_text())
    assert metrics["selection"] == {"method": "dev", "refit": True}
    assert metrics["dev"]["macro_f1"] == json.loads((tiny_model_dir / "metrics.json").read_text())["dev"]["macro_f1"]
    assert "then refitted on train and dev" in (refitted / "MODEL.md").read_text()
    # ...but the model that was saved has seen dev too, so it scores differently.
    sentences = ["The family were not asked about their faith.", "Mother said the partner had left, and the case "
                 "was closed.", "The social worker visited on 3 May."]
    assert not np.allclose(Analyzer.load(refitted).score(sentences), Analyzer.load(tiny_model_dir).score(sentences))
