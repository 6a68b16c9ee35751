"""Bulk process hygiene: workers die with a killed driver; a second `score` on the same store refuses clearly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from reviewlens.cli.main import app
from reviewlens.serving.bulk.run import ScoreOptions, run_lock, score_inputs
from reviewlens.serving.bulk.store import StoreError

ROOT = Path(__file__).resolve().parents[3]
SENTENCE = "The worker visited the family on {i} May and the risk was judged to be low without checking. "


def test_second_score_on_the_same_store_refuses(tmp_path: Path, tiny_model_dir: Path) -> None:
    """Issue 12 defect 4: two runs on one store scored 31 documents 59 times."""
    (tmp_path / "a.txt").write_text("Analysis\n\n" + SENTENCE.format(i=1) * 20, encoding="utf-8")
    store = tmp_path / "s.sqlite"
    options = ScoreOptions(model=str(tiny_model_dir), workers=1, threads=1, progress=False)
    with run_lock(store), pytest.raises(StoreError, match="being scored by another"):
        score_inputs([tmp_path / "a.txt"], store, options)
    # Once the first run has finished (its lock released), the next one goes ahead.
    assert score_inputs([tmp_path / "a.txt"], store, options).counts.scored == 1


@pytest.mark.skipif(sys.platform != "linux", reason="process tree checks use Linux semantics")
def test_kill_9_of_score_leaves_no_worker_behind(tmp_path: Path, tiny_model_dir: Path) -> None:
    """Issue 12 defect 4: kill -9 of `score` left its workers orphaned and blocked, ~650 MB each."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(40):
        (folder / f"r{n}.txt").write_text(
            "Analysis\n\n" + "".join(SENTENCE.format(i=n * 1000 + k) for k in range(4000)), encoding="utf-8"
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "reviewlens.cli", "score", str(folder), "--store", str(tmp_path / "s.sqlite"),
         "--model", str(tiny_model_dir), "--workers", "2", "--threads", "1", "--no-progress"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 120
        children: list[psutil.Process] = []
        while len(children) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "score ended before it could be killed"
            children = parent.children(recursive=True)
            time.sleep(0.2)
        time.sleep(3)  # let the workers load the model and start scoring
        children = parent.children(recursive=True)
        assert proc.poll() is None, "score ended before it could be killed"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    _gone, alive = psutil.wait_procs(children, timeout=90)
    for p in alive:
        p.kill()
    assert not alive, f"{len(alive)} worker process(es) outlived the killed driver"


def test_corrupt_store_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    """Issue 12 defect 7: a corrupt store gave a 39-line traceback."""
    store = tmp_path / "broken.sqlite"
    store.write_bytes(b"this is not an SQLite database, just some bytes " * 100)
    runner = CliRunner()
    for args in (["score", "--store", str(store), "--export", str(tmp_path / "o.csv")],
                 ["report", "--store", str(store), "--out", str(tmp_path / "r.html")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "not a readable reviewlens store" in result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
