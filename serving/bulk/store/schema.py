"""The store's tables, and opening a store file: WAL, foreign keys, the schema created or its version checked."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
# Columns that metadata fills directly; every other metadata column lands in the `metadata` JSON.
METADATA_COLUMNS = ("year", "area", "doc_kind")


class StoreError(RuntimeError):
    """The store file is unusable: another schema version, or not a reviewlens store."""


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def open_db(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a store file and check its schema version; raise StoreError if it is not ours."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode: every write opens its own explicit transaction.
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.row_factory = sqlite3.Row
    try:
        db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a killed process (WAL keeps commits); only a power cut can lose the last few.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        _create_or_check(db, path)
    except sqlite3.DatabaseError as exc:
        # A corrupt or foreign file: one clear line for the CLI, not a traceback.
        db.close()
        raise StoreError(f"{path} is not a readable reviewlens store ({exc}); restore it or choose another") from None
    except BaseException:
        db.close()
        raise
    return db


def _create_or_check(db: sqlite3.Connection, path: Path) -> None:
    with transaction(db):
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        row = db.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            db.execute("INSERT INTO store_meta VALUES ('schema_version', ?)", (STORE_SCHEMA_VERSION,))
        elif row[0] != STORE_SCHEMA_VERSION:
            raise StoreError(f"{path} has store schema {row[0]}; this reviewlens writes {STORE_SCHEMA_VERSION}")
