"""Corpus counts: per label, theme, source, doc_kind and split."""

from __future__ import annotations

from collections import Counter

from reviewlens.models.labels import LABELS, THEMES
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.units import record_units


def corpus_stats(records: list[Record], splits: dict[str, str] | None = None) -> dict[str, Counter[str]]:
    """Return named counters: excerpts, documents, sentences, labels (overall and per split), sources, kinds."""
    splits = splits or {}
    out: dict[str, Counter[str]] = {
        "totals": Counter(),
        "labels": Counter(),
        "themes": Counter(),
        "sources": Counter(),
        "doc_kinds": Counter(),
        "sections": Counter(),
    }
    documents: set[str] = set()
    for rec in records:
        split = splits.get(rec.document_id, "unsplit")
        documents.add(rec.document_id)
        out["totals"]["excerpts"] += 1
        out["sources"][rec.source] += 1
        out["doc_kinds"][rec.doc_kind] += 1
        out["sections"][rec.section or "unknown"] += 1
        out.setdefault(f"split:{split}", Counter())["excerpts"] += 1
        for unit in record_units(rec):
            out["totals"]["sentences"] += 1
            if unit.labels:
                out["totals"]["labelled sentences"] += 1
            for label in unit.labels:
                out["labels"][label] += 1
                out[f"split:{split}"][label] += 1
            for theme in THEMES:
                if unit.label_for(theme.name):
                    out["themes"][theme.name] += 1
    out["totals"]["documents"] = len(documents)
    for label in LABELS:
        out["labels"].setdefault(label, 0)
    return out


def render_stats(stats: dict[str, Counter[str]]) -> str:
    """Render the counters as plain-text tables (readable in a terminal and pasteable into a note)."""
    lines: list[str] = []
    for name, counter in stats.items():
        lines.append(f"{name}")
        width = max((len(k) for k in counter), default=8)
        keys = list(LABELS) if name == "labels" else sorted(counter, key=lambda k: (-counter[k], k))
        for key in keys:
            lines.append(f"  {key:<{width}}  {counter[key]:>6}")
    return "\n".join(lines)
