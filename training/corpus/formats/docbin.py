"""Canonical records as a spaCy `DocBin`, ready for `spacy train` with a span categorizer.

Labels go in the span group `doc.spans["sc"]` (the spancat default key): a group, unlike `doc.ents`, may hold
overlapping spans, which every sentence labelled in two themes has. The record fields and the span attributes
spaCy has no slot for travel in `doc.user_data` under the keys in `USER_DATA_KEYS` and `"span_attrs"`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin

from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.corpus.records import Record

SPANS_KEY = "sc"
USER_DATA_KEYS = ("id", "document", "source", "doc_kind", "section", "annotator", "meta")


def record_doc(record: Record) -> Doc:
    """Tokenise a record and attach its spans and fields (ValueError for a span off token boundaries)."""
    doc = tokenizer_nlp()(record.text)
    spans = []
    for span in sorted(record.spans, key=lambda s: (s.start, s.end, s.label)):
        tok = doc.char_span(span.start, span.end, label=span.label)
        if tok is None:
            where = f"[{record.id}] span {span.label} {span.start}-{span.end}"
            raise ValueError(f"{where} does not align to tokens; validate the corpus first")
        spans.append(tok)
    doc.spans[SPANS_KEY] = spans
    fields: dict[str, Any] = {
        "id": record.id,
        "document": record.document,
        "source": record.source,
        "doc_kind": record.doc_kind,
        "section": record.section,
        "annotator": record.annotator,
        "meta": record.meta or None,
    }
    doc.user_data.update({k: v for k, v in fields.items() if v is not None})
    attrs = [s.to_json() for s in record.spans if s.to_json().keys() - {"start", "end", "label"}]
    if attrs:
        doc.user_data["span_attrs"] = attrs
    return doc


def export_docbin(records: list[Record], output: Path) -> int:
    """Write records as a `.spacy` DocBin file (atomically); return how many were written."""
    db = DocBin(store_user_data=True)
    for record in records:
        db.add(record_doc(record))
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(output.suffix + ".tmp")
    tmp.write_bytes(db.to_bytes())
    tmp.replace(output)
    return len(records)
