"""A run killed with SIGKILL mid-way and started again: every document stored exactly once, counts exact."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.reviews import corpus_excerpts, make_review, write_pdf

DOCS = 30
KILL_AFTER = 4  # documents stored before the kill


def _count(store: Path, sql: str) -> int:
    if not store.exists():
        return 0
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
    try:
        return int(db.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        db.close()


def _score_cmd(folder: Path, store: Path, model: Path) -> list[str]:
    return [sys.executable, "-m", "reviewlens.cli", "score", str(folder), "--store", str(store),
            "--model", str(model), "--workers", "1", "--no-progress"]


@pytest.mark.slow
def test_kill_9_then_rerun_stores_every_document_exactly_once(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    excerpts = corpus_excerpts()
    rng = random.Random(3)
    for i in range(DOCS):
        write_pdf(make_review(excerpts, rng, words=1200, title=f"Child {i}"), folder / f"review-{i:02d}.pdf")
    store = tmp_path / "bulk.sqlite"
    scored = "SELECT count(*) FROM scores"

    # A new session, so that the orphaned worker can be cleaned up by its group without touching pytest.
    proc = subprocess.Popen(_score_cmd(folder, store, tiny_model_dir), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while _count(store, scored) < KILL_AFTER:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "exited early"
            assert time.monotonic() < deadline, "the first run stored nothing in time"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the spawned worker, orphaned by the kill
    stored_before = _count(store, scored)
    assert KILL_AFTER <= stored_before < DOCS, "the kill must land mid-run for this test to mean anything"
    assert _count(store, "SELECT scored FROM runs WHERE run_id = 1") == stored_before

    rerun = subprocess.run(_score_cmd(folder, store, tiny_model_dir), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{DOCS - stored_before} scored, 0 failed, {stored_before} already in the store" in rerun.stdout

    assert _count(store, scored) == DOCS
    assert _count(store, "SELECT count(DISTINCT doc_hash) FROM scores") == DOCS
    assert _count(store, "SELECT count(*) FROM documents") == DOCS
    assert _count(store, "SELECT count(*) FROM sources") == DOCS
    assert _count(store, "SELECT sum(scored) FROM runs") == DOCS, "no document counted twice across runs"
    assert _count(store, "SELECT count(*) FROM runs WHERE status = 'interrupted'") == 1
    assert _count(store, "SELECT count(*) FROM runs WHERE status = 'finished'") == 1
    # Findings belong to stored scores only, never to a half-written document.
    assert _count(store, "SELECT count(*) FROM findings WHERE doc_hash NOT IN (SELECT doc_hash FROM scores)") == 0
    assert _count(store, "SELECT count(DISTINCT doc_hash) FROM themes") == DOCS
