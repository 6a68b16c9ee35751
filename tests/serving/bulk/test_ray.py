"""The Ray engine on a local Ray instance stores exactly what the local engine stores."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewlens.serving.bulk.metadata import read_metadata
from reviewlens.serving.bulk.run import ScoreOptions, score_inputs
from tests.serving.bulk.conftest import ReviewFolder, ScoredStore

# Everything but when and in which run a row was written (and how long it took).
COMPARED = {
    "documents": "doc_hash, name, size, pages, characters, words, notes, year, area, doc_kind, metadata",
    "sources": "path, doc_hash, name",
    "scores": "doc_hash, model, status, error, sentences, classified_sentences, headings_found, flags_raised, result",
    "themes": "*",
    "flags": "*",
    "findings": "*",
}


def _table(store: Path, table: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(store)
    try:
        return sorted(db.execute(f"SELECT {COMPARED[table]} FROM {table}").fetchall(), key=repr)
    finally:
        db.close()


@pytest.fixture
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_ray_engine_matches_the_local_engine(
    local_ray: None, review_folder: ReviewFolder, scored_store: ScoredStore, tiny_model_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "ray.sqlite"
    options = ScoreOptions(
        model=str(tiny_model_dir), engine="ray", workers=1, threads=1, progress=False,
        metadata=read_metadata(review_folder.metadata_csv),
    )
    summary = score_inputs([review_folder.root], store, options)
    assert (summary.counts.scored, summary.counts.failed, summary.counts.duplicates) == (6, 3, 1)
    for table in COMPARED:
        assert _table(store, table) == _table(scored_store.path, table), table
    engines = sqlite3.connect(store).execute("SELECT engine FROM runs").fetchall()
    assert engines == [("ray",)]
