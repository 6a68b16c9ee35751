"""The one scoring function both engines call: bytes or paths in, one flat row per document out.

Rows are flat (the AnalysisResult travels as JSON) so that the local engine can hand them straight to the
store and the Ray engine can write them to Parquet; the store derives findings, flags and theme shares from
the JSON, so both engines produce identical tables.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewlens.models.analyzer import Analyzer, Cancelled
from reviewlens.models.documents import Document
from reviewlens.models.extract import MAX_XML_BYTES, ExtractionError, extract_bytes

# The columns of a row, in order (the Ray engine's Parquet schema follows it).
ROW_COLUMNS = (
    "doc_hash", "name", "path", "size", "doc_kind", "model", "status", "error",
    "pages", "characters", "words", "notes", "seconds", "result",
)  # fmt: skip


@dataclass(frozen=True)
class DocLimits:
    """Bounds on one document, so a single huge or pathological file fails alone instead of stalling the run.

    A document over a limit is recorded as failed with the reason, and is not retried unless asked.
    """

    max_words: int = 500_000  # ~1,000 pages; a 50 MB text file once drove a worker past 5.8 GB
    max_seconds: float = 600.0  # analysis time per document
    max_xml_bytes: int = MAX_XML_BYTES  # decompressed DOCX size, as in the API


@dataclass(frozen=True)
class DocInput:
    """One file to score: its bytes, or a path to read them from, and its doc_kind from the metadata."""

    name: str
    path: str | None = None
    data: bytes | None = None
    doc_kind: str | None = None

    def read(self) -> bytes:
        """The file's bytes (OSError when the path cannot be read)."""
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError(f"{self.name}: neither bytes nor a path to read them from")
        return Path(self.path).read_bytes()


def model_key(name: str, version: str) -> str:
    """How the store tells models apart: a new version scores beside the old one."""
    return f"{name}@{version}"


def content_hash(data: bytes) -> str:
    """SHA-256 of a file's bytes: the document key, so a renamed copy is the same document."""
    return hashlib.sha256(data).hexdigest()


def _blank_row(item: DocInput, key: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(ROW_COLUMNS)
    row.update(name=item.name, path=item.path, doc_kind=item.doc_kind, model=key, status="failed")
    return row


def _read_into(item: DocInput, row: dict[str, Any]) -> bytes | None:
    """The file's bytes, with the row's hash and size set; None (and the row's error set) when unreadable."""
    try:
        data = item.read()
    except OSError as exc:
        # Keyed by path: unreadable files have no content to tell them apart by.
        row.update(doc_hash=content_hash(f"unreadable:{item.path}".encode()), size=0)
        row["error"] = f"cannot read file: {exc.strerror or exc}"
        return None
    row.update(doc_hash=content_hash(data), size=len(data))
    return data


def failed_row(item: DocInput, key: str, error: str) -> dict[str, Any]:
    """A failure row for a document the engine lost (its worker died), keyed like `score_documents` keys it."""
    row = _blank_row(item, key)
    _read_into(item, row)
    row["error"] = error
    return row


def score_documents(
    batch: Sequence[DocInput], analyzer: Analyzer, limits: DocLimits | None = None
) -> list[dict[str, Any]]:
    """Extract and analyse a batch of files; one row per input, in order, failures recorded rather than raised.

    A file that cannot be read (or analysed), or that exceeds `limits`, yields a row with status `failed` and its
    error, so a run carries on.
    """
    limits = limits or DocLimits()
    key = model_key(analyzer.info.name, analyzer.info.version)
    rows: list[dict[str, Any]] = []
    docs: list[tuple[int, Document, str | None]] = []
    for item in batch:
        start = time.perf_counter()
        row = _blank_row(item, key)
        data = _read_into(item, row)
        if data is not None:
            try:
                extracted = extract_bytes(data, item.name, limits.max_xml_bytes)
            except ExtractionError as exc:
                row["error"] = str(exc)
            else:
                doc = extracted.document
                words = len(doc.text.split())
                row.update(
                    pages=doc.pages,
                    characters=len(doc.text),
                    words=words,
                    notes="; ".join(extracted.notes) or None,
                )
                if words > limits.max_words:
                    row["error"] = f"too long: {words} words; the limit is {limits.max_words} (--max-words)"
                else:
                    docs.append((len(rows), doc, item.doc_kind))
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
    if docs:
        _analyse(rows, docs, analyzer, limits.max_seconds)
    return rows


def _analyse(
    rows: list[dict[str, Any]], docs: list[tuple[int, Document, str | None]], analyzer: Analyzer, max_seconds: float
) -> None:
    start = time.perf_counter()
    deadline = start + max_seconds * len(docs)
    try:
        results = analyzer.analyze_many(
            [d for _, d, _ in docs], doc_kinds=[k for _, _, k in docs],
            should_stop=lambda: time.perf_counter() > deadline,
        )
    except Exception as exc:  # whatever a document triggers in the model, the run must carry on
        if len(docs) == 1:
            rows[docs[0][0]]["error"] = (
                f"took longer than {max_seconds:g} s to analyse (--max-seconds)" if isinstance(exc, Cancelled)
                else f"analysis failed: {type(exc).__name__}: {exc}"
            )
            return
        # One bad (or slow) document must not fail its batch: find it by analysing each alone.
        for doc in docs:
            _analyse(rows, [doc], analyzer, max_seconds)
        return
    share = (time.perf_counter() - start) / len(docs)
    for (i, _, _), result in zip(docs, results, strict=True):
        rows[i].update(status="ok", result=result.model_dump_json(), seconds=rows[i]["seconds"] + share)

