"""The SQLite store: schema, one transaction per document, metadata merging, runs and exports."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from reviewlens.models.analyzer import Analyzer
from reviewlens.serving.bulk.scoring import DocInput, score_documents
from reviewlens.serving.bulk.store import TABLES, Store, StoreError

TEXT = (
    "Analysis\n\nThe panel found that the referral was closed because the mother said the father had left. "
    "Nobody checked this with the school or the police, so the risk was judged on her word alone.\n"
)


@pytest.fixture(scope="module")
def rows(analyzer: Analyzer) -> list[dict[str, Any]]:
    return score_documents(
        [DocInput(name="a.txt", path="/reviews/a.txt", data=TEXT.encode()),
         DocInput(name="b.pdf", path="/reviews/b.pdf", data=b"%PDF-1.4 broken")],
        analyzer,
    )


def _run(store: Store, model: str = "tiny@1") -> int:
    return store.begin_run(model, "tiny", "1", "local", 1, 1, ["/reviews"])


def test_schema_uses_wal_and_indexes(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert set(TABLES) <= names
        indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"findings_model_theme", "scores_model_status", "sources_hash"} <= indexes


def test_a_row_writes_its_document_score_findings_and_counts(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    ok, failed = rows
    with Store(tmp_path / "s.sqlite") as store:
        run = _run(store, ok["model"])
        store.add_row(ok, run, {"year": "2022", "area": "West", "doc_kind": "lcspr", "lead": "X"})
        store.add_row(failed, run)
        assert store.result_run(ok["doc_hash"], ok["model"]) == run
        assert store.result_run(failed["doc_hash"], ok["model"]) == run
        assert store.result_run(failed["doc_hash"], ok["model"], retry_failed=True) is None
        assert store.result_run(ok["doc_hash"], "tiny@2") is None
        counts = store.finish_run(run)
        assert (counts.scored, counts.failed, counts.status) == (1, 1, "finished")
        n_findings = len(json.loads(ok["result"])["findings"])
        assert store.db.execute("SELECT count(*) FROM findings").fetchone()[0] == n_findings > 0
        assert store.db.execute("SELECT count(*) FROM themes").fetchone()[0] == 3
        doc = store.db.execute("SELECT * FROM documents WHERE name = 'a.txt'").fetchone()
        assert (doc["year"], doc["area"], doc["doc_kind"], json.loads(doc["metadata"])["lead"]) == (
            2022, "West", "lcspr", "X")
        assert [dict(r)["error"] for r in store.failures(ok["model"])] == [failed["error"]]
        # Rewriting a document (a retried failure) replaces its rows instead of adding to them.
        store.add_row(ok, run)
        assert store.db.execute("SELECT count(*) FROM findings").fetchone()[0] == n_findings


def test_metadata_from_a_later_csv_or_a_copy_merges_into_the_document(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    ok = rows[0]
    with Store(tmp_path / "s.sqlite") as store:
        store.add_row(ok, _run(store), {"area": "West", "lead": "X"})
        store.add_source("/copies/a-copy.txt", ok["doc_hash"], "a-copy.txt", {"year": "2021", "lead": "Y"})
        doc = store.db.execute("SELECT year, area, metadata FROM documents").fetchone()
        assert (doc["year"], doc["area"], json.loads(doc["metadata"])) == (
            2021, "West", {"area": "West", "lead": "Y", "year": "2021"})
        assert store.db.execute("SELECT count(*) FROM sources").fetchone()[0] == 2


def test_a_run_left_running_by_a_dead_process_becomes_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    child = (
        "import sys; from reviewlens.serving.bulk.store import Store\n"
        "s = Store(sys.argv[1]); s.begin_run('m@1', 'm', '1', 'local', 1, 1, [])\n"
    )
    subprocess.run([sys.executable, "-c", child, str(path)], check=True, env={**os.environ})
    with Store(path) as store:
        run = _run(store)
        statuses = [r[0] for r in store.db.execute("SELECT status FROM runs ORDER BY run_id")]
        assert statuses == ["interrupted", "running"]
        assert store.run(run).status == "running"


def test_a_store_of_another_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path):
        pass
    db = sqlite3.connect(path)
    db.execute("UPDATE store_meta SET value = '99'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="schema 99"):
        Store(path)


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_export_writes_every_table(rows: list[dict[str, Any]], tmp_path: Path, suffix: str) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        run = _run(store, rows[0]["model"])
        for row in rows:
            store.add_row(row, run)
        written = store.export(tmp_path / "out" / f"bulk{suffix}")
        assert [p.name for p in written] == [f"bulk.{t}{suffix}" for t in TABLES]
        for table, path in zip(TABLES, written, strict=True):
            expected = store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if suffix == ".parquet":
                got = pq.read_table(path).num_rows
            elif suffix == ".csv":
                with path.open(newline="", encoding="utf-8") as handle:
                    got = sum(1 for _ in csv.DictReader(handle))
            else:
                got = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if json.loads(line))
            assert got == expected, table
    with Store(tmp_path / "s.sqlite") as store, pytest.raises(ValueError, match="cannot export"):
        store.export(tmp_path / "out.xlsx")
