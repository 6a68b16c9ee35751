"""Shared fixtures: a small but real model trained once per test session, on the project's own corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "annotations" / "corpus"
SPLITS = ROOT / "annotations" / "splits.json"


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A linear-backend model trained on the corpus (seconds, no torch), in a temporary registry."""
    from reviewlens.training.config import TrainConfig
    from reviewlens.training.trainer import train

    registry = tmp_path_factory.mktemp("registry")
    cfg = TrainConfig(name="tiny", backend="linear", corpus=[str(CORPUS)], splits=str(SPLITS), bootstrap=20)
    cfg.linear.calibration_folds = 2
    return train(cfg, registry=registry, log=lambda _m: None)


@pytest.fixture(scope="session")
def analyzer(tiny_model_dir: Path):
    """An Analyzer over the tiny model."""
    from reviewlens.models.analyzer import Analyzer

    return Analyzer.load(tiny_model_dir)


@pytest.fixture(scope="session")
def sample_review() -> str:
    """A short review assembled from corpus excerpts of one test document, under headings."""
    from reviewlens.training.corpus.splits import read_splits
    from reviewlens.training.corpus.validate import load_corpus
    from reviewlens.training.documents import assemble_documents

    records = load_corpus([CORPUS])
    test_docs = {d for d, s in read_splits(SPLITS).items() if s == "test"}
    docs = assemble_documents([r for r in records if r.document_id in test_docs])
    return docs[0].text
