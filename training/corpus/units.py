"""Sentence units of a record: the unit the classifier learns from and the validator reasons about."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from reviewlens.models.labels import THEME_OF_LABEL, THEMES
from reviewlens.models.segmentation import is_classifiable, segment
from reviewlens.training.corpus.records import Record


@dataclass(frozen=True)
class Unit:
    """One sentence of a record with its gold labels (at most one per theme)."""

    record_id: str
    document_id: str
    start: int
    end: int
    text: str
    labels: tuple[str, ...]
    section: str
    paragraph: int = -1  # the paragraph of the record it stands in, as serving's segmentation numbers them

    def label_for(self, theme: str) -> str | None:
        """Return this unit's label in a theme, or None."""
        for label in self.labels:
            if THEME_OF_LABEL[label] == theme:
                return label
        return None


def record_units(record: Record) -> list[Unit]:
    """Return the sentence units of a record in text order.

    Annotated spans define their own sentences (annotators' boundaries win); text no span covers is segmented
    with the production segmenter and contributes unlabelled sentences, the negatives the models need.
    """
    grouped: dict[tuple[int, int], list[str]] = {}
    for span in record.spans:
        grouped.setdefault((span.start, span.end), []).append(span.label)
    covered = sorted(grouped)
    section = record.section or "unknown"
    sentences = segment(record.text).sentences
    starts = [s.start for s in sentences]

    def paragraph_at(offset: int) -> int:
        # An annotated span starts inside (or, with its own boundaries, just before) a segmented sentence.
        k = bisect_right(starts, offset) - 1
        return sentences[max(k, 0)].paragraph if sentences else -1

    units = [
        Unit(record.id, record.document_id, s, e, record.text[s:e], tuple(sorted(labels)), section, paragraph_at(s))
        for (s, e), labels in grouped.items()
    ]
    for sent in sentences:
        if not is_classifiable(sent):
            continue
        if any(s < sent.end and sent.start < e for s, e in covered):
            continue
        units.append(
            Unit(record.id, record.document_id, sent.start, sent.end, sent.text, (), section, sent.paragraph)
        )
    units.sort(key=lambda u: u.start)
    return units


def theme_names() -> list[str]:
    """Names of the themes in schema order."""
    return [t.name for t in THEMES]
