"""The bulk store: one SQLite file (WAL) holding documents, their scores per model, findings, flags and runs.

A document is keyed by the SHA-256 of its bytes, so a copy under another name is scored once (every path it was
seen under goes in `sources`). A score is keyed by (document, model), so a new model version scores beside the
old results and a rerun skips what the current model already has. Each document is written in its own
transaction, together with its run's counters, so a killed run loses only the documents still in flight and
never counts one twice.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from reviewlens.models.schema import AnalysisResult

STORE_SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT,
    size INTEGER NOT NULL,
    pages INTEGER,
    characters INTEGER,
    words INTEGER,
    notes TEXT,
    year INTEGER,
    area TEXT,
    doc_kind TEXT,
    metadata TEXT,
    first_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    doc_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    model TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    engine TEXT NOT NULL,
    workers INTEGER,
    threads INTEGER,
    inputs TEXT,
    host TEXT,
    pid INTEGER,
    scored INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS scores (
    doc_hash TEXT NOT NULL REFERENCES documents (doc_hash),
    model TEXT NOT NULL,
    run_id INTEGER REFERENCES runs (run_id),
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,
    sentences INTEGER,
    classified_sentences INTEGER,
    headings_found INTEGER,
    flags_raised TEXT,
    seconds REAL,
    scored_at TEXT NOT NULL,
    result TEXT,
    PRIMARY KEY (doc_hash, model)
);
CREATE TABLE IF NOT EXISTS themes (
    doc_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    theme TEXT NOT NULL,
    share REAL,
    counts TEXT NOT NULL,
    PRIMARY KEY (doc_hash, model, theme)
);
CREATE TABLE IF NOT EXISTS flags (
    doc_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    flag_id TEXT NOT NULL,
    theme TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    value REAL,
    threshold REAL,
    confidence TEXT,
    PRIMARY KEY (doc_hash, model, flag_id)
);
CREATE TABLE IF NOT EXISTS findings (
    doc_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    seq INTEGER NOT NULL,
    scope TEXT NOT NULL,
    theme TEXT NOT NULL,
    label TEXT NOT NULL,
    severity TEXT NOT NULL,
    score REAL NOT NULL,
    page INTEGER,
    "offset" INTEGER NOT NULL,
    length INTEGER NOT NULL,
    section TEXT,
    text TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (doc_hash, model, seq)
);
CREATE INDEX IF NOT EXISTS scores_model_status ON scores (model, status);
CREATE INDEX IF NOT EXISTS findings_model_theme ON findings (model, theme, severity);
CREATE INDEX IF NOT EXISTS flags_model ON flags (model, flag_id, status);
CREATE INDEX IF NOT EXISTS themes_model ON themes (model, theme);
CREATE INDEX IF NOT EXISTS sources_hash ON sources (doc_hash);
CREATE INDEX IF NOT EXISTS documents_year ON documents (year);
CREATE INDEX IF NOT EXISTS documents_kind ON documents (doc_kind);
"""

TABLES = ("documents", "sources", "runs", "scores", "themes", "flags", "findings")
EXPORT_FORMATS = (".parquet", ".csv", ".jsonl")
# Columns that metadata fills directly; every other metadata column lands in the `metadata` JSON.
METADATA_COLUMNS = ("year", "area", "doc_kind")
_EXPORT_CHUNK = 20_000


class StoreError(RuntimeError):
    """The store file is unusable: another schema version, or not a reviewlens store."""


def now() -> str:
    """UTC timestamp to the second, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RunCounts:
    """A run's counters as stored."""

    run_id: int
    status: str
    model: str
    scored: int
    failed: int
    skipped: int
    duplicates: int
    pages: int


class Store:
    """A bulk store on one SQLite file; use as a context manager (closes the connection)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every write below opens its own explicit transaction.
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a killed process (WAL keeps commits); only a power cut can lose the last few.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        with self.transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            row = self.db.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO store_meta VALUES ('schema_version', ?)", (STORE_SCHEMA_VERSION,))
            elif row[0] != STORE_SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has store schema {row[0]}; this reviewlens writes {STORE_SCHEMA_VERSION}"
                )

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- runs -------------------------------------------------------------------------------------------------

    def begin_run(
        self,
        model: str,
        model_name: str,
        model_version: str,
        engine: str,
        workers: int,
        threads: int,
        inputs: list[str],
    ) -> int:
        """Record a new run as `running`; runs left `running` by a dead process on this host become `interrupted`."""
        host = socket.gethostname()
        with self.transaction() as db:
            for row in db.execute("SELECT run_id, pid FROM runs WHERE status = 'running' AND host = ?", (host,)):
                if not _alive(row["pid"]):
                    db.execute("UPDATE runs SET status = 'interrupted' WHERE run_id = ?", (row["run_id"],))
            cur = db.execute(
                "INSERT INTO runs (started_at, status, model, model_name, model_version, engine, workers, threads, "
                "inputs, host, pid) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now(), model, model_name, model_version, engine, workers, threads, json.dumps(inputs), host,
                 os.getpid()),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def count_run(self, run_id: int, skipped: int = 0, duplicates: int = 0) -> None:
        """Add to a run's skipped/duplicate counters (scored and failed are counted with each document)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET skipped = skipped + ?, duplicates = duplicates + ? WHERE run_id = ?",
                (skipped, duplicates, run_id),
            )

    def finish_run(self, run_id: int, status: str = "finished") -> RunCounts:
        """Close a run with its final status and return its counters."""
        with self.transaction() as db:
            db.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", (status, now(), run_id))
        return self.run(run_id)

    def run(self, run_id: int) -> RunCounts:
        """A run's counters."""
        row = self.db.execute(
            "SELECT run_id, status, model, scored, failed, skipped, duplicates, pages FROM runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no run {run_id} in {self.path}")
        return RunCounts(**dict(row))

    # -- documents and scores ---------------------------------------------------------------------------------

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
        with self.transaction() as db:
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
        with self.transaction() as db:
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

    # -- queries ----------------------------------------------------------------------------------------------

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

    def export(self, out: Path) -> list[Path]:
        """Write every table to `<stem>.<table><suffix>` beside `out` (Parquet, CSV or JSONL), chunk by chunk."""
        suffix = out.suffix.lower()
        if suffix not in EXPORT_FORMATS:
            raise ValueError(f"cannot export to {out.name}: use one of {', '.join(EXPORT_FORMATS)}")
        out.parent.mkdir(parents=True, exist_ok=True)
        written = []
        for table in TABLES:
            target = out.with_name(f"{out.stem}.{table}{suffix}")
            _export_table(self.db, table, target, suffix)
            written.append(target)
        return written


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


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _export_table(db: sqlite3.Connection, table: str, target: Path, suffix: str) -> None:
    columns = [(r["name"], r["type"].upper()) for r in db.execute(f"PRAGMA table_info({table})")]
    names = [c for c, _ in columns]
    quoted = ", ".join(f'"{c}"' for c in names)
    cursor = db.execute(f"SELECT {quoted} FROM {table}")
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        # Types from the declared schema, so an all-null first chunk cannot pin a column to the null type.
        kinds = {"INTEGER": pa.int64(), "REAL": pa.float64()}
        schema = pa.schema([(c, kinds.get(t, pa.string())) for c, t in columns])
        with pq.ParquetWriter(target, schema) as writer:
            while chunk := cursor.fetchmany(_EXPORT_CHUNK):
                data = {c: [r[i] for r in chunk] for i, c in enumerate(names)}
                writer.write_table(pa.Table.from_pydict(data, schema=schema))
        return
    with target.open("w", encoding="utf-8", newline="") as handle:
        if suffix == ".csv":
            writer_csv = csv.writer(handle)
            writer_csv.writerow(names)
            while chunk := cursor.fetchmany(_EXPORT_CHUNK):
                writer_csv.writerows(tuple(r) for r in chunk)
        else:
            while chunk := cursor.fetchmany(_EXPORT_CHUNK):
                handle.writelines(
                    json.dumps(dict(zip(names, r, strict=True)), ensure_ascii=False) + "\n" for r in chunk
                )
