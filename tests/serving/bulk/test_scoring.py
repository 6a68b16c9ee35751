"""The one scoring function: bytes or paths in, one row per file out, failures recorded instead of raised."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.documents import Document
from reviewlens.models.schema import AnalysisResult
from reviewlens.serving.bulk.scoring import ROW_COLUMNS, DocInput, content_hash, failed_row, score_documents

TEXT = (
    "Analysis\n\nThe school did not escalate the concern because staff assumed that children's social care already "
    "knew. This mattered because nobody then asked Child K about the marks on his arm. The health visitor recorded "
    "that the family were Somali and spoke Somali at home, but no interpreter was used at the visits.\n"
)


class _Poisoned:
    """An analyser that fails on any batch holding the word POISON, like a model choking on one document."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.info = inner.info

    def analyze_many(
        self, texts: Sequence[Document], doc_kinds: Sequence[str | None] | None = None, should_stop: Any = None
    ) -> Any:
        if any("POISON" in t.text for t in texts):
            raise RuntimeError("model choked")
        return self.inner.analyze_many(texts, doc_kinds=doc_kinds, should_stop=should_stop)


def test_rows_come_back_in_order_with_failures_recorded(analyzer: Analyzer, tmp_path: Path) -> None:
    path = tmp_path / "on-disk.txt"
    path.write_text(TEXT, encoding="utf-8")
    batch = [
        DocInput(name="a.txt", data=TEXT.encode(), doc_kind="rapid_review"),
        DocInput(name="broken.pdf", data=b"%PDF-1.4 nonsense"),
        DocInput(name="on-disk.txt", path=str(path)),
        DocInput(name="gone.txt", path=str(tmp_path / "gone.txt")),
    ]
    rows = score_documents(batch, analyzer)
    assert [r["name"] for r in rows] == ["a.txt", "broken.pdf", "on-disk.txt", "gone.txt"]
    assert all(set(r) == set(ROW_COLUMNS) for r in rows)
    a, broken, disk, gone = rows
    assert a["status"] == "ok" and a["doc_hash"] == content_hash(TEXT.encode()) == disk["doc_hash"]
    result = AnalysisResult.model_validate_json(a["result"])
    assert result.document.doc_kind == "rapid_review" and result.findings
    assert a["words"] == len(TEXT.split()) and a["pages"] is None and a["seconds"] > 0
    assert (broken["status"], broken["result"]) == ("failed", None) and "corrupt PDF" in broken["error"]
    assert gone["status"] == "failed" and "cannot read file" in gone["error"]
    assert gone["doc_hash"] != content_hash(b""), "unreadable files must not share the empty file's key"


def test_one_document_breaking_the_model_does_not_fail_its_batch(analyzer: Analyzer) -> None:
    batch = [DocInput(name="good.txt", data=TEXT.encode()), DocInput(name="bad.txt", data=(TEXT + "POISON").encode())]
    good, bad = score_documents(batch, _Poisoned(analyzer))  # type: ignore[arg-type]
    assert good["status"] == "ok"
    assert bad["status"] == "failed" and bad["error"] == "analysis failed: RuntimeError: model choked"


def test_failed_row_is_keyed_like_a_scored_one(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    row = failed_row(DocInput(name="x.pdf", path=str(path)), "m@1", "worker died")
    assert (row["doc_hash"], row["size"], row["error"], row["model"]) == (content_hash(b"%PDF-1.4"), 8, "worker died",
                                                                          "m@1")
