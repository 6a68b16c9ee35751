"""Prodigy JSONL in both directions.

Exports carry the record fields in `meta` (Prodigy shows meta in its UI and keeps it through `db-out`), our
tokenisation in `tokens` with `token_start`/`token_end` on each span (so `ner_manual`/`spans_manual` render
the spans without re-tokenising), and the span attributes as extra span keys, which Prodigy passes through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.corpus.formats.import_checks import SPAN_ATTRS, ImportChecks, require_text
from reviewlens.training.corpus.formats.result import ImportResult
from reviewlens.training.corpus.records import Record, Span, read_jsonl

_FIELDS = ("id", "document", "doc_kind", "section", "source")


def _spans(obj: dict[str, Any], text: str, where: str, checks: ImportChecks) -> list[Span | None]:
    raw = obj.get("spans") or []
    if not isinstance(raw, list):
        raise ValueError(f"{where}: `spans` must be a list")
    spans: list[Span | None] = []
    for i, sp in enumerate(raw):
        if not isinstance(sp, dict) or not {"start", "end", "label"} <= sp.keys():
            raise ValueError(f"{where}: spans/{i} needs start, end and label")
        quoted = sp.get("text") if isinstance(sp.get("text"), str) else None
        attrs = {k: sp[k] for k in SPAN_ATTRS if k in sp}
        spans.append(checks.span(where, text, sp["start"], sp["end"], sp["label"], quoted, attrs))
    return spans


def import_prodigy(path: Path, source: str, doc_kind: str) -> ImportResult:
    """Read Prodigy JSONL; only accepted answers are kept (rejected and ignored tasks are counted)."""
    checks = ImportChecks(source, doc_kind)
    records: list[Record | None] = []
    for lineno, obj, err in read_jsonl(path):
        where = f"{path}:{lineno}"
        if obj is None:
            raise ValueError(f"{where}: {err}")
        answer = obj.get("answer", "accept")  # a stream not yet annotated has no answer
        if answer != "accept":
            checks.tally(f"task(s) answered {answer!r} skipped")
            continue
        text = require_text(obj.get("text"), where)
        meta: dict[str, Any] = obj["meta"] if isinstance(obj.get("meta"), dict) else {}
        # The input hash identifies the text across re-exports, unlike a line number.
        fallback = obj["_input_hash"] if isinstance(obj.get("_input_hash"), int) else f"line{lineno}"
        rid = checks.record_id(meta.get("id"), where, "prodigy", fallback)
        where = f"{where} [{rid}]"
        fields = {k: meta.get(k) for k in _FIELDS}
        fields["meta"] = meta.get("record_meta")
        annotator = meta.get("annotator") or obj.get("_annotator_id")
        records.append(checks.record(where, rid, text, _spans(obj, text, where, checks), fields, annotator))
    return checks.result(records)


def prodigy_task(record: Record) -> dict[str, Any]:
    """Return one record as a Prodigy task (raises ValueError for a span that does not align to tokens)."""
    doc = tokenizer_nlp()(record.text)
    tokens = [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)} for t in doc
    ]
    spans = []
    for span in sorted(record.spans, key=lambda s: (s.start, s.end, s.label)):
        tok = doc.char_span(span.start, span.end)
        if tok is None:
            where = f"[{record.id}] span {span.label} {span.start}-{span.end}"
            raise ValueError(f"{where} does not align to tokens; validate the corpus first")
        spans.append({**span.to_json(), "token_start": tok.start, "token_end": tok.end - 1})
    meta: dict[str, Any] = {"id": record.id}
    fields = {
        "document": record.document,
        "doc_kind": record.doc_kind,
        "section": record.section,
        "source": record.source,
        "annotator": record.annotator,
    }
    meta.update({k: v for k, v in fields.items() if v})
    if record.meta:
        meta["record_meta"] = record.meta
    return {"text": record.text, "tokens": tokens, "spans": spans, "meta": meta, "answer": "accept"}


def export_prodigy(records: list[Record], output: Path) -> int:
    """Write records as Prodigy JSONL (atomically); return how many were written."""
    lines = [json.dumps(prodigy_task(r), ensure_ascii=False) + "\n" for r in records]
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(output.suffix + ".tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(output)
    return len(lines)
