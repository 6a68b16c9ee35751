"""doccano sequence-labelling JSONL into canonical records.

doccano has exported two shapes over its versions: `"label": [[start, end, "LABEL"], ...]` and
`"entities": [{"start_offset", "end_offset", "label"}, ...]`; both are read. Extra columns uploaded with the
text (document, doc_kind, section, source) come back at the top level or under `meta`, and are used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewlens.training.corpus.formats.import_checks import ImportChecks, require_text
from reviewlens.training.corpus.formats.result import ImportResult
from reviewlens.training.corpus.records import Record, read_jsonl

_FIELDS = ("document", "doc_kind", "section", "source")


def _raw_spans(obj: dict[str, Any], where: str, checks: ImportChecks) -> list[tuple[Any, Any, Any]]:
    if "entities" in obj:
        entities = obj["entities"]
        if not isinstance(entities, list) or not all(
            isinstance(e, dict) and {"start_offset", "end_offset", "label"} <= e.keys() for e in entities
        ):
            raise ValueError(f"{where}: `entities` must be a list of {{start_offset, end_offset, label}}")
        return [(e["start_offset"], e["end_offset"], e["label"]) for e in entities]
    if "label" in obj:
        labels = obj["label"]
        # A list of plain strings is a text-classification export: no spans to read, so refuse it loudly.
        if not isinstance(labels, list) or not all(isinstance(it, list) and len(it) == 3 for it in labels):
            raise ValueError(
                f"{where}: `label` must be a list of [start, end, label] (is this a sequence-labelling project?)"
            )
        return [(s, e, label) for s, e, label in labels]
    checks.warn(where, "neither `label` nor `entities`; imported without spans", "record(s) without labels")
    return []


def import_doccano(path: Path, source: str, doc_kind: str) -> ImportResult:
    """Read a doccano JSONL export (either span shape; optional `id`)."""
    checks = ImportChecks(source, doc_kind)
    records: list[Record | None] = []
    for lineno, obj, err in read_jsonl(path):
        where = f"{path}:{lineno}"
        if obj is None:
            raise ValueError(f"{where}: {err}")
        text = require_text(obj.get("text"), where)
        rid = checks.record_id(obj.get("id"), where, "doccano", f"line{lineno}")
        where = f"{where} [{rid}]"
        extra: dict[str, Any] = obj["meta"] if isinstance(obj.get("meta"), dict) else {}
        fields = {k: obj.get(k, extra.get(k)) for k in _FIELDS}
        spans = [checks.span(where, text, s, e, label) for s, e, label in _raw_spans(obj, where, checks)]
        records.append(checks.record(where, rid, text, spans, fields, obj.get("annotator")))
    return checks.result(records)
