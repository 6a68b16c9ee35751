"""A scoring run's life in the store: begun as `running`, counted document by document, closed with a status."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from reviewlens.serving.bulk.store.schema import transaction


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


class RunLog:
    """The run-lifecycle half of a store (mixed into `Store`, which owns the connection)."""

    db: sqlite3.Connection

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
        with transaction(self.db) as db:
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
        with transaction(self.db) as db:
            db.execute(
                "UPDATE runs SET skipped = skipped + ?, duplicates = duplicates + ? WHERE run_id = ?",
                (skipped, duplicates, run_id),
            )

    def finish_run(self, run_id: int, status: str = "finished") -> RunCounts:
        """Close a run with its final status and return its counters."""
        with transaction(self.db) as db:
            db.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", (status, now(), run_id))
        return self.run(run_id)

    def run(self, run_id: int) -> RunCounts:
        """A run's counters."""
        row = self.db.execute(
            "SELECT run_id, status, model, scored, failed, skipped, duplicates, pages FROM runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no run {run_id} in this store")
        return RunCounts(**dict(row))


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


