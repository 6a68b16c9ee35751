"""Documents, their scores, findings, flags and theme shares: written one document per transaction, and read."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from reviewlens.models.schema import AnalysisResult
from reviewlens.serving.bulk.store.runs import now
from reviewlens.serving.bulk.store.schema import transaction


class ResultTables:
    """The results half of a store (mixed into `Store`, which owns the connection)."""

    db: sqlite3.Connection

    def result_run(self, doc_hash: str, model: str, retry_failed: bool = False) -> int | None:
        """The run that stored this model's result for a document, or None when it has none yet.

        A recorded failure counts as a result unless `retry_failed`.
        """
        sql = "SELECT status, run_id FROM scores WHERE doc_hash = ? AND model = ?"
        row = self.db.execute(sql, (doc_hash, model)).fetchone()
        if row is None or (retry_failed and row["status"] == "failed"):
            return None
        return int(row["run_id"])

    def add_source(self, path: str, doc_hash: str, name: str, metadata: Mapping[str, str] | None = None) -> None:
        """Remember that `path` held this content (a copy shows up here, not as a new document).

        Its metadata, if any, is merged into the stored document: a rerun with a new CSV updates what is stored.
        """
        with transaction(self.db) as db:
            _upsert_source(db, path, doc_hash, name)
            if metadata:
                db.execute(
                    "UPDATE documents SET year = coalesce(?, year), area = coalesce(?, area), "
                    "doc_kind = coalesce(?, doc_kind), metadata = json_patch(coalesce(metadata, '{}'), ?) "
                    "WHERE doc_hash = ?",
                    (*_metadata_columns(metadata), json.dumps(dict(metadata), ensure_ascii=False), doc_hash),
                )

    def add_row(self, row: Mapping[str, Any], run_id: int, metadata: Mapping[str, str] | None = None) -> None:
        """Write one scored (or failed) document, its findings, flags and theme shares, and count it in its run.

        `row` is what `serving.bulk.scoring.score_documents` returns; everything happens in one transaction.
        """
        meta = dict(metadata or {})
        result = AnalysisResult.model_validate_json(row["result"]) if row.get("result") else None
        key = (row["doc_hash"], row["model"])
        with transaction(self.db) as db:
            db.execute(
                "INSERT INTO documents (doc_hash, name, path, size, pages, characters, words, notes, year, area, "
                "doc_kind, metadata, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (doc_hash) DO UPDATE SET pages = coalesce(excluded.pages, pages), "
                "characters = coalesce(excluded.characters, characters), words = coalesce(excluded.words, words), "
                "notes = coalesce(excluded.notes, notes), year = coalesce(excluded.year, year), "
                "area = coalesce(excluded.area, area), doc_kind = coalesce(excluded.doc_kind, doc_kind), "
                "metadata = CASE WHEN excluded.metadata IS NULL THEN metadata "
                "ELSE json_patch(coalesce(metadata, '{}'), excluded.metadata) END",
                (
                    row["doc_hash"],
                    row["name"],
                    row.get("path"),
                    row["size"],
                    row.get("pages"),
                    row.get("characters"),
                    row.get("words"),
                    row.get("notes") or None,
                    *_metadata_columns({**meta, "doc_kind": row.get("doc_kind") or meta.get("doc_kind", "")}),
                    json.dumps(meta, ensure_ascii=False) if meta else None,
                    now(),
                ),
            )
            if row.get("path"):
                _upsert_source(db, row["path"], row["doc_hash"], row["name"])
            for table in ("themes", "flags", "findings"):
                db.execute(f"DELETE FROM {table} WHERE doc_hash = ? AND model = ?", key)
            db.execute(
                "INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *key,
                    run_id,
                    row["status"],
                    row.get("error"),
                    result.document.sentences if result else None,
                    result.document.classified_sentences if result else None,
                    int(result.document.headings_found) if result else None,
                    " ".join(f.id for f in result.flags if f.status == "raised") if result else None,
                    row.get("seconds"),
                    now(),
                    row.get("result"),
                ),
            )
            if result is not None:
                _write_result(db, key, result)
            ok = row["status"] == "ok"
            db.execute(
                "UPDATE runs SET scored = scored + ?, failed = failed + ?, pages = pages + ? WHERE run_id = ?",
                (int(ok), int(not ok), row.get("pages") or 0, run_id),
            )

    def count_scored(self, model: str | None = None) -> int:
        """Documents with a successful score (for one model, or for any)."""
        if model is None:
            return int(self.db.execute("SELECT count(DISTINCT doc_hash) FROM scores WHERE status = 'ok'").fetchone()[0])
        sql = "SELECT count(*) FROM scores WHERE status = 'ok' AND model = ?"
        return int(self.db.execute(sql, (model,)).fetchone()[0])

    def latest_model(self) -> str | None:
        """The model of the most recent run that stored anything."""
        row = self.db.execute(
            "SELECT model FROM runs WHERE scored + failed > 0 ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def failures(self, model: str, run_id: int | None = None) -> list[sqlite3.Row]:
        """Documents this model could not score (in one run, or ever), with their error and every path seen."""
        sql = (
            "SELECT d.doc_hash, d.name, d.path, d.size, s.error, s.run_id, "
            "(SELECT group_concat(path, ' | ') FROM sources WHERE doc_hash = d.doc_hash) AS paths "
            "FROM scores s JOIN documents d USING (doc_hash) WHERE s.model = ? AND s.status = 'failed'"
        )
        args: list[Any] = [model]
        if run_id is not None:
            sql += " AND s.run_id = ?"
            args.append(run_id)
        return self.db.execute(sql + " ORDER BY d.name", args).fetchall()


def _write_result(db: sqlite3.Connection, key: tuple[str, str], result: AnalysisResult) -> None:
    db.executemany(
        "INSERT INTO themes VALUES (?, ?, ?, ?, ?)",
        [(*key, t.theme, t.share, json.dumps(t.counts)) for t in result.summary.values()],
    )
    db.executemany(
        "INSERT INTO flags VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*key, f.id, f.theme, f.status, f.severity, f.value, f.threshold, f.confidence) for f in result.flags],
    )
    db.executemany(
        "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (*key, i, f.scope, f.theme, f.label, f.severity, f.score, f.page, f.offset, f.length, f.section,
             f.text, f.message)
            for i, f in enumerate(result.findings)
        ],
    )


def _upsert_source(db: sqlite3.Connection, path: str, doc_hash: str, name: str) -> None:
    db.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET doc_hash = excluded.doc_hash, "
        "name = excluded.name, seen = excluded.seen",
        (path, doc_hash, name, now()),
    )


def _metadata_columns(meta: Mapping[str, str]) -> tuple[int | None, str | None, str | None]:
    """year, area and doc_kind for their own columns (None where absent, so coalesce keeps what is stored)."""
    return _int_or_none(meta.get("year")), meta.get("area") or None, meta.get("doc_kind") or None


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


