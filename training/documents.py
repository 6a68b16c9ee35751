"""Whole review documents rebuilt from their annotated excerpts, to measure document flags end to end."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reviewlens.models.flags import FlagConfig, document_flags
from reviewlens.models.labels import SECTION_KINDS, THEME_OF_LABEL
from reviewlens.models.predictions import LabelledSentence
from reviewlens.models.schema import DocumentFlag
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.units import record_units

SECTION_TITLES = {
    "front_matter": "Introduction",
    "methodology": "Methodology",
    "background": "Background",
    "chronology": "Chronology",
    "analysis": "Analysis",
    "learning": "Learning",
    "recommendations": "Recommendations",
    "appendix": "Appendix",
    "unknown": "Other matters",
}


@dataclass
class AssembledDocument:
    """A document's text (excerpts under section headings) with its gold sentences re-offset into it."""

    document_id: str
    doc_kind: str
    text: str
    gold: list[LabelledSentence]


def assemble_documents(records: list[Record]) -> list[AssembledDocument]:
    """Group excerpts by document, order them as a review is ordered, and join them under headings."""
    by_doc: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        by_doc[rec.document_id].append(rec)
    out = []
    for doc_id in sorted(by_doc):
        recs = sorted(by_doc[doc_id], key=lambda r: (SECTION_KINDS.index(r.section or "unknown"), r.id))
        parts: list[str] = []
        gold: list[LabelledSentence] = []
        pos = 0
        for rec in recs:
            heading = SECTION_TITLES[rec.section or "unknown"] + "\n\n"
            if parts:
                parts.append("\n\n")
                pos += 2
            parts.append(heading)
            pos += len(heading)
            for u in record_units(rec):
                labels = {THEME_OF_LABEL[label]: (label, 1.0) for label in u.labels}
                probs = {label: 1.0 for label in u.labels}
                gold.append(LabelledSentence(pos + u.start, pos + u.end, u.text, u.section, labels, probs))
            parts.append(rec.text)
            pos += len(rec.text)
        out.append(AssembledDocument(doc_id, recs[0].doc_kind, "".join(parts), gold))
    return out


def gold_flags(doc: AssembledDocument, cfg: FlagConfig) -> list[DocumentFlag]:
    """Flags computed from the gold labels of a document (the reference for flag accuracy)."""
    return document_flags(doc.gold, cfg, doc.doc_kind)
