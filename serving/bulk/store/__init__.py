"""The bulk store: one SQLite file (WAL) holding documents, their scores per model, findings, flags and runs.

A document is keyed by the SHA-256 of its bytes, so a copy under another name is scored once (every path it was
seen under goes in `sources`). A score is keyed by (document, model), so a new model version scores beside the
old results and a rerun skips what the current model already has. Each document is written in its own
transaction, together with its run's counters, so a killed run loses only the documents still in flight and
never counts one twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from reviewlens.serving.bulk.store.export import EXPORT_FORMATS, export_tables
from reviewlens.serving.bulk.store.results import ResultTables
from reviewlens.serving.bulk.store.runs import RunCounts, RunLog, now
from reviewlens.serving.bulk.store.schema import STORE_SCHEMA_VERSION, TABLES, StoreError, open_db, transaction

__all__ = ["EXPORT_FORMATS", "STORE_SCHEMA_VERSION", "TABLES", "RunCounts", "Store", "StoreError", "now"]


class Store(RunLog, ResultTables):
    """A bulk store on one SQLite file; use as a context manager (closes the connection)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = open_db(self.path)

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
        """BEGIN IMMEDIATE … COMMIT on this store, rolled back on any exception."""
        with transaction(self.db) as db:
            yield db

    def read(self, sql: str, *args: object) -> list[sqlite3.Row]:
        """Rows of a read-only query (the report's aggregates); writes go through the methods above."""
        return self.db.execute(sql, args).fetchall()

    def export(self, out: Path) -> list[Path]:
        """Write every table to `<stem>.<table><suffix>` beside `out` (Parquet, CSV or JSONL)."""
        return export_tables(self.db, out)
