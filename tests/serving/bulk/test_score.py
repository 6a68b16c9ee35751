"""`reviewlens score` with the local engine: what it stores, what it skips, what it reports, what it exports."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from reviewlens.cli.bulk_cmd import app
from tests.serving.bulk.conftest import BAD, METADATA, ReviewFolder, ScoredStore


def _rows(store: Path, sql: str, *args: object) -> list[sqlite3.Row]:
    db = sqlite3.connect(store)
    db.row_factory = sqlite3.Row
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def test_every_readable_document_is_scored_once_and_bad_files_are_recorded(
    scored_store: ScoredStore, review_folder: ReviewFolder
) -> None:
    scores = _rows(
        scored_store.path, "SELECT d.name, s.status, s.error FROM scores s JOIN documents d USING (doc_hash)"
    )
    ok = sorted(r["name"] for r in scores if r["status"] == "ok")
    failed = {r["name"]: r["error"] for r in scores if r["status"] == "failed"}
    # The copy of review-a may have been seen first; either name, but only once.
    assert len(ok) == len(review_folder.good)
    assert {Path(rel).name for rel in review_folder.good} - {"review-a.pdf"} <= set(ok)
    assert len({"review-a.pdf", "copy-of-a.pdf"} & set(ok)) == 1
    assert set(failed) == set(BAD)
    for name, message in BAD.items():
        assert message in failed[name]
    run = _rows(scored_store.path, "SELECT * FROM runs")[0]
    assert (run["status"], run["scored"], run["failed"], run["duplicates"]) == ("finished", 6, 3, 1)
    sources = _rows(scored_store.path, "SELECT count(*) AS n FROM sources")[0]["n"]
    assert sources == len(review_folder.good) + len(BAD) + 1  # the duplicate's path is remembered too


def test_summary_lists_the_failures_and_the_ignored_file(scored_store: ScoredStore) -> None:
    text = scored_store.summary_text
    assert "6 scored, 3 failed" in text and "1 duplicate(s)" in text and "1 other file(s) ignored" in text
    for name, message in BAD.items():
        assert f"{name}: {message}" in text


def test_findings_carry_pages_for_pdfs_and_metadata_reaches_the_store(scored_store: ScoredStore) -> None:
    pdf_pages = _rows(
        scored_store.path,
        "SELECT count(*) AS n, sum(f.page IS NULL) AS missing FROM findings f JOIN documents d USING (doc_hash) "
        "WHERE d.name LIKE '%.pdf' AND f.scope = 'span'",
    )[0]
    assert pdf_pages["n"] > 20 and pdf_pages["missing"] == 0
    docx = _rows(
        scored_store.path,
        "SELECT count(*) AS n, sum(f.page IS NULL) AS unpaged FROM findings f JOIN documents d USING (doc_hash) "
        "WHERE d.name = 'report-e.docx' AND f.scope = 'span'",
    )[0]
    assert docx["n"] > 0 and docx["unpaged"] == docx["n"]
    docs = {r["name"]: r for r in _rows(scored_store.path, "SELECT * FROM documents")}
    b = docs["review-b.pdf"]
    assert (b["year"], b["area"], b["doc_kind"]) == (2020, "South", "rapid_review")
    assert json.loads(b["metadata"])["panel chair"] == "Chair 1"
    # The stored result was analysed as the kind the metadata gives.
    result = _rows(scored_store.path, "SELECT result FROM scores WHERE doc_hash = ?", b["doc_hash"])[0]["result"]
    assert json.loads(result)["document"]["doc_kind"] == "rapid_review"
    d = docs["review-d.pdf"]
    assert d["year"] == 2021 and d["pages"] >= 2 and "header/footer" in d["notes"]


def test_rerun_scores_nothing_and_a_new_model_version_scores_everything_beside_the_old(
    scored_store: ScoredStore, review_folder: ReviewFolder, tiny_model_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "copy.sqlite"
    shutil.copy(scored_store.path, store)
    runner = CliRunner()
    base = ["score", str(review_folder.root), "--store", str(store), "--no-progress", "--workers", "1"]
    again = runner.invoke(app, [*base, "--model", str(tiny_model_dir)])
    assert again.exit_code == 0, again.output
    assert "0 scored, 0 failed, 10 already in the store" in again.output

    v2 = tmp_path / "tiny-v2"
    shutil.copytree(tiny_model_dir, v2)
    manifest = json.loads((v2 / "model.json").read_text())
    manifest["version"] = "v2"
    (v2 / "model.json").write_text(json.dumps(manifest))
    out = tmp_path / "export" / "bulk.parquet"
    new = runner.invoke(app, [*base, "--model", str(v2), "--export", str(out)])
    assert new.exit_code == 0, new.output
    assert "6 scored, 3 failed" in new.output
    per_model = {
        r["model"]: r["n"] for r in _rows(store, "SELECT model, count(*) AS n FROM scores GROUP BY model")
    }
    assert per_model == {scored_store.model: 9, f"{manifest['name']}@v2": 9}
    assert _rows(store, "SELECT count(*) AS n FROM documents")[0]["n"] == 9

    for table in ("documents", "sources", "runs", "scores", "themes", "flags", "findings"):
        exported = pq.read_table(out.with_name(f"bulk.{table}.parquet"))
        assert exported.num_rows == _rows(store, f"SELECT count(*) AS n FROM {table}")[0]["n"], table
    assert str(pq.read_schema(out.with_name("bulk.documents.parquet")).field("pages").type) == "int64"


def test_cli_refuses_bad_arguments(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["score", str(tmp_path / "nowhere"), "--store", str(tmp_path / "s.sqlite")])
    assert missing.exit_code == 1 and "no such file or folder" in missing.output
    engine = runner.invoke(app, ["score", str(tmp_path), "--engine", "spark"])
    assert engine.exit_code == 2 and "--engine" in engine.output
    export = runner.invoke(app, ["score", str(tmp_path), "--export", str(tmp_path / "out.xlsx")])
    assert export.exit_code == 2 and "--export" in export.output
    bad_meta = tmp_path / "meta.csv"
    bad_meta.write_text("file,year\na.pdf,twenty\n")
    meta = runner.invoke(app, ["score", str(tmp_path), "--metadata", str(bad_meta)])
    assert meta.exit_code == 1 and "line 2" in meta.output
    report = runner.invoke(app, ["report", "--store", str(tmp_path / "none.sqlite")])
    assert report.exit_code == 1 and "no store" in report.output


def test_metadata_of_every_scored_document_is_present(scored_store: ScoredStore) -> None:
    rows = _rows(
        scored_store.path,
        "SELECT d.name, d.area FROM documents d JOIN scores s USING (doc_hash) WHERE s.status = 'ok'",
    )
    areas = {Path(rel).name: area for rel, (_year, area, _kind) in METADATA.items()}
    assert {r["name"]: r["area"] for r in rows} == {name: areas[name] for name in (r["name"] for r in rows)}
    assert all(r["area"] for r in rows)
