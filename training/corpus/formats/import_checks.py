"""Checks every foreign-format importer applies: known labels, offsets inside the text, token alignment, ids.

Annotation tools know nothing of the schema, so each problem becomes a warning naming the record and the span,
plus a count at the end of the import; nothing is dropped or moved silently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from spacy.tokens import Doc

from reviewlens.models.labels import DOC_KINDS, IDENTITY_FACETS, IDENTITY_SUBJECTS, LABELS, SECTION_KINDS
from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.corpus.formats.result import ImportResult
from reviewlens.training.corpus.records import Record, Span

_BAD_ID_CHARS = re.compile(r"[^A-Za-z0-9_.:-]+")
_IDENTITY_LABELS = ("IDENTITY_MENTION", "CULTURAL_ANALYSIS")
SPAN_ATTRS = ("identity_subject", "identity_facet", "uncertain", "comment")


def require_text(value: object, where: str) -> str:
    """Return a record's text, or raise ValueError naming where it is missing."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: missing or empty `text`")
    return value


def utf16_to_code_points(text: str, offset: int) -> int | None:
    """Convert a UTF-16 code-unit offset (what JavaScript tools count) to a code-point offset, if any."""
    units = 0
    for i, ch in enumerate(text):
        if units == offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text) if units == offset else None


class ImportChecks:
    """Accumulates the warnings of one import and turns raw spans and fields into canonical ones."""

    def __init__(self, source: str, doc_kind: str) -> None:
        self.source = source
        self.doc_kind = doc_kind
        self.warnings: list[str] = []
        self.counts: Counter[str] = Counter()
        self._first_seen: dict[str, str] = {}
        self._doc: Doc | None = None

    def warn(self, where: str, message: str, tally: str | None = None) -> None:
        """Record one warning; `tally` names the count it adds to in the closing summary."""
        self.warnings.append(f"{where}: {message}")
        if tally:
            self.counts[tally] += 1

    def tally(self, what: str, n: int = 1) -> None:
        """Count something reported only in the summary (e.g. ignored lines)."""
        self.counts[what] += n

    def _tokens(self, text: str) -> Doc:
        # Importers check a record's spans one after another; tokenise each text once.
        if self._doc is None or self._doc.text != text:
            self._doc = tokenizer_nlp()(text)
        return self._doc

    def span(
        self,
        where: str,
        text: str,
        start: Any,
        end: Any,
        label: Any,
        quoted: str | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> Span | None:
        """Check one span and return it snapped to token boundaries, or None (with a warning) if unusable.

        `quoted` is the span text the tool stored, when it stores one: a mismatch means the tool counted
        offsets differently (JavaScript tools count UTF-16 units), which is repaired when it can be.
        """
        desc = f"span {label} {start}-{end}"
        if label not in LABELS:
            self.warn(
                where,
                f"{desc}: unknown label {label!r} (known: {', '.join(LABELS)}); span skipped",
                "span(s) with unknown labels skipped",
            )
            return None
        ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end))
        in_text = ints and 0 <= start < end <= len(text)
        if ints and quoted is not None and (not in_text or text[start:end] != quoted):
            s16, e16 = utf16_to_code_points(text, start), utf16_to_code_points(text, end)
            if s16 is not None and e16 is not None and s16 < e16 and text[s16:e16] == quoted:
                # Expected from JavaScript tools (Label Studio counts UTF-16 units): one line in the summary,
                # not one warning per span after the first astral character.
                self.tally("span(s) converted from UTF-16 offsets")
                start, end, in_text = s16, e16, True
            elif in_text:
                self.warn(
                    where,
                    f"{desc}: stored text {quoted!r} differs from the text at these offsets "
                    f"{text[start:end]!r}; span skipped",
                    "span(s) whose text does not match skipped",
                )
                return None
        if not in_text:
            self.warn(
                where,
                f"{desc}: offsets not integers, outside the text (length {len(text)}) or empty; span skipped",
                "span(s) with bad offsets skipped",
            )
            return None
        original = (start, end)
        core = text[start:end]
        start += len(core) - len(core.lstrip())
        end -= len(core) - len(core.rstrip())
        snapped = self._tokens(text).char_span(start, end, alignment_mode="expand") if start < end else None
        if not snapped:
            self.warn(
                where, f"{desc}: covers only whitespace {core!r}; span skipped", "whitespace-only span(s) skipped"
            )
            return None
        if (snapped.start_char, snapped.end_char) != original:
            self.warn(
                where,
                f"{desc} {core!r} does not align to token boundaries; snapped to "
                f"{snapped.start_char}-{snapped.end_char} {snapped.text!r}",
                "span(s) snapped to token boundaries",
            )
        extra = self._attrs(where, desc, label, attrs or {})
        return Span(snapped.start_char, snapped.end_char, label, **extra)

    def _attrs(self, where: str, desc: str, label: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        subject, facets = attrs.get("identity_subject"), attrs.get("identity_facet")
        if (subject is not None or facets) and label not in _IDENTITY_LABELS:
            self.warn(
                where,
                f"{desc}: identity attributes only apply to {' and '.join(_IDENTITY_LABELS)}; dropped",
                "invalid span attribute(s) dropped",
            )
            subject, facets = None, None
        if subject is not None:
            if subject in IDENTITY_SUBJECTS:
                out["identity_subject"] = subject
            else:
                self.warn(
                    where, f"{desc}: unknown identity_subject {subject!r}; dropped", "invalid span attribute(s) dropped"
                )
        if facets:
            facet_list = [facets] if isinstance(facets, str) else list(facets)
            good = [f for f in dict.fromkeys(facet_list) if f in IDENTITY_FACETS]
            if len(good) != len(facet_list):
                self.warn(
                    where,
                    f"{desc}: unknown identity_facet values in {facet_list!r}; dropped",
                    "invalid span attribute(s) dropped",
                )
            out["identity_facet"] = good or None
        if isinstance(attrs.get("uncertain"), bool):
            out["uncertain"] = attrs["uncertain"]
        if isinstance(attrs.get("comment"), str) and attrs["comment"]:
            out["comment"] = attrs["comment"]
        return out

    def record_id(self, raw: object, where: str, prefix: str, fallback: object) -> str:
        """Turn a tool's id into a schema-valid one: numbers get `prefix`, missing ids `prefix-fallback`.

        Tools allow spaces and slashes in ids; the schema does not, so those characters become `_` (warned).
        """
        if isinstance(raw, int) and not isinstance(raw, bool):
            return f"{prefix}-{raw}"
        if not isinstance(raw, str) or not raw:
            return _BAD_ID_CHARS.sub("_", f"{prefix}-{fallback}")
        clean = _BAD_ID_CHARS.sub("_", raw).strip("_") or f"{prefix}-{fallback}"
        if clean != raw:
            self.warn(where, f"id {raw!r} has characters the schema forbids; renamed {clean!r}", "id(s) renamed")
        return clean

    def record(
        self,
        where: str,
        rid: str,
        text: str,
        spans: list[Span | None],
        fields: Mapping[str, Any],
        annotator: object = None,
    ) -> Record | None:
        """Assemble a record from checked spans and a tool's per-task fields; None for a repeated id."""
        if rid in self._first_seen:
            self.warn(
                where,
                f"duplicate id {rid!r} (first at {self._first_seen[rid]}); record skipped",
                "record(s) with duplicate ids skipped",
            )
            return None
        self._first_seen[rid] = where
        kept: dict[tuple[int, int, str], Span] = {}
        for span in spans:
            if span is None:
                continue
            key = (span.start, span.end, span.label)
            if key in kept:
                self.warn(
                    where,
                    f"span {span.label} {span.start}-{span.end} given twice; kept once",
                    "duplicate span(s) merged",
                )
                continue
            kept[key] = span
        doc_kind = fields.get("doc_kind") or self.doc_kind
        if doc_kind not in DOC_KINDS:
            self.warn(
                where,
                f"doc_kind {doc_kind!r} is not one of {', '.join(DOC_KINDS)}; using 'other'",
                "invalid doc_kind/section value(s) replaced",
            )
            doc_kind = "other"
        section = fields.get("section")
        if section is not None and section not in SECTION_KINDS:
            self.warn(
                where,
                f"section {section!r} is not one of {', '.join(SECTION_KINDS)}; using 'unknown'",
                "invalid doc_kind/section value(s) replaced",
            )
            section = "unknown"
        document = fields.get("document")
        if isinstance(document, str) and document:
            document = self.record_id(document, where, rid, "")
        meta = fields.get("meta")
        return Record(
            id=rid,
            text=text,
            source=str(fields.get("source") or self.source),
            doc_kind=doc_kind,
            spans=list(kept.values()),
            section=section,
            document=document if isinstance(document, str) and document else None,
            annotator=str(annotator) if annotator not in (None, "") else None,
            meta=dict(meta) if isinstance(meta, Mapping) else {},
        )

    def result(self, records: list[Record | None]) -> ImportResult:
        """Close the import: the records kept, every warning, and one summary line per count."""
        summary = [f"{n} {what}" for what, n in sorted(self.counts.items())]
        return ImportResult([r for r in records if r is not None], self.warnings + summary)
