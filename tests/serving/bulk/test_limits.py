"""Bulk bounds: non-regular files are skipped and recorded; over-long or slow documents fail alone, with a reason."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from reviewlens.serving.bulk.run import FileWalk
from reviewlens.serving.bulk.scoring import DocInput, DocLimits, score_documents

TEXT = "Analysis\n\n" + "The worker visited the family and the risk was judged to be low. " * 200


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_link_loop_are_skipped_and_recorded(tmp_path: Path) -> None:
    """Issue 12 defect 4: a FIFO in the input folder blocked `score` for ever."""
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    walk = FileWalk([tmp_path])
    assert [p.name for p in walk] == ["good.txt"]
    reasons = {Path(f.path or "").name: f.error for f in walk.skipped}
    assert "FIFO" in reasons["pipe.txt"]
    assert "loop.txt" in reasons


def test_over_long_document_is_a_recorded_failure(analyzer: Any, tmp_path: Path) -> None:
    """Issue 12 defect 4: a 50 MB text file ran a worker out of memory on every rerun."""
    path = tmp_path / "huge.txt"
    path.write_text(TEXT, encoding="utf-8")
    [row] = score_documents([DocInput(name=path.name, path=str(path))], analyzer, DocLimits(max_words=500))
    assert row["status"] == "failed"
    assert "limit is 500" in row["error"] and row["words"] > 500


def test_slow_document_is_a_recorded_failure(analyzer: Any, tmp_path: Path) -> None:
    path = tmp_path / "slow.txt"
    path.write_text(TEXT, encoding="utf-8")
    [row] = score_documents([DocInput(name=path.name, path=str(path))], analyzer, DocLimits(max_seconds=1e-9))
    assert row["status"] == "failed"
    assert "took longer than" in row["error"]
    [ok] = score_documents([DocInput(name=path.name, path=str(path))], analyzer)
    assert ok["status"] == "ok"
