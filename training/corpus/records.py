"""Canonical annotation records: the in-memory form of one JSONL line, and reading/writing corpus files."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Span:
    """A labelled character range (code points, end exclusive) inside a record's text."""

    start: int
    end: int
    label: str
    identity_subject: str | None = None
    identity_facet: list[str] | None = None
    uncertain: bool | None = None
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the span as a JSON object, leaving unset optional attributes out."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Record:
    """One annotated excerpt of a review."""

    id: str
    text: str
    source: str
    doc_kind: str
    spans: list[Span]
    section: str | None = None
    document: str | None = None
    annotator: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def document_id(self) -> str:
        """The review this excerpt belongs to; splits keep a document's excerpts together."""
        return self.document or self.id

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Record:
        """Build a record from an already schema-validated JSON object."""
        spans = [Span(**s) for s in obj.get("spans", [])]
        return cls(
            id=obj["id"],
            text=obj["text"],
            source=obj["source"],
            doc_kind=obj["doc_kind"],
            spans=spans,
            section=obj.get("section"),
            document=obj.get("document"),
            annotator=obj.get("annotator"),
            meta=dict(obj.get("meta") or {}),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the canonical JSON object (key order fixed so files diff cleanly)."""
        out: dict[str, Any] = {"id": self.id}
        if self.document:
            out["document"] = self.document
        out.update({"source": self.source, "doc_kind": self.doc_kind})
        if self.section:
            out["section"] = self.section
        if self.annotator:
            out["annotator"] = self.annotator
        if self.meta:
            out["meta"] = self.meta
        out["text"] = self.text
        out["spans"] = [s.to_json() for s in sorted(self.spans, key=lambda s: (s.start, s.end, s.label))]
        return out


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into the sorted list of `.jsonl` files they name."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.rglob("*.jsonl")))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return out


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield (line number, object or None, error or None) for each non-blank line of a JSONL file."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield lineno, None, f"not UTF-8 ({exc.reason} at byte {exc.start})"
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})"
                continue
            if not isinstance(obj, dict):
                yield lineno, None, "a record must be a JSON object"
                continue
            yield lineno, obj, None


def write_jsonl(records: Iterable[Record], path: Path) -> int:
    """Write records as canonical JSONL (atomically: a crash never leaves half a corpus file); return the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n
