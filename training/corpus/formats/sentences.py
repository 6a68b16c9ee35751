"""The project's authoring format: one sentence per line with its labels, compiled into canonical records.

Writing offsets by hand is error-prone, so excerpts are drafted as::

    @document a-d1 kind=lcspr
    @excerpt a-d1-analysis section=analysis ethnicity_withheld   (the last word optional)
    # A heading line
    One sentence. || ANALYTICAL RISK_REASONED
    Another sentence, unsure of its label. || DESCRIPTIVE? // why it is borderline
    A sentence about identity. || DESCRIPTIVE IDENTITY_MENTION(child;ethnicity_race,religion)

A blank line starts a new paragraph. The compiled text joins a paragraph's sentences with single spaces and
separates blocks with a blank line; each label becomes a span over exactly its sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewlens.models.labels import LABELS
from reviewlens.training.corpus.records import Record, Span
from reviewlens.training.corpus.units import record_units

_LABEL = re.compile(r"^(?P<label>[A-Z_]+)(?:\((?P<subject>[a-z_]*)(?:;(?P<facets>[a-z_,]*))?\))?(?P<unc>\?)?$")


class AuthoringFormatError(ValueError):
    """A draft line that cannot be compiled; the message names the file and line."""


@dataclass
class _Excerpt:
    id: str
    document: str
    doc_kind: str
    section: str
    withheld: bool
    blocks: list[list[tuple[str, list[Span]]]] = field(default_factory=list)
    headings: set[int] = field(default_factory=set)


def _parse_labels(spec: str, where: str) -> list[Span]:
    spans: list[Span] = []
    for token in spec.split():
        m = _LABEL.match(token)
        if not m or m["label"] not in LABELS:
            raise AuthoringFormatError(f"{where}: unknown label token {token!r}")
        facets = [f for f in (m["facets"] or "").split(",") if f] or None
        spans.append(
            Span(
                start=0,
                end=0,
                label=m["label"],
                identity_subject=m["subject"] or None,
                identity_facet=facets,
                uncertain=True if m["unc"] else None,
            )
        )
    return spans


def _options(parts: list[str]) -> dict[str, str]:
    return {k: v for k, _, v in (p.partition("=") for p in parts)}


def parse_sentences(text: str, origin: str = "<draft>", source: str = "authored") -> list[Record]:
    """Compile an authoring-format draft into canonical records (raises AuthoringFormatError on bad lines)."""
    excerpts: list[_Excerpt] = []
    doc_id, doc_kind = "", ""
    current: _Excerpt | None = None
    new_block = True
    for lineno, raw in enumerate(text.splitlines(), start=1):
        where = f"{origin}:{lineno}"
        line = raw.strip()
        if not line:
            new_block = True
            continue
        if line.startswith("@document"):
            parts = line.split()
            if len(parts) < 2:
                raise AuthoringFormatError(f"{where}: @document needs an id")
            doc_id, doc_kind = parts[1], _options(parts[2:]).get("kind", "other")
            current = None
            continue
        if line.startswith("@excerpt"):
            parts = line.split()
            if len(parts) < 2 or not doc_id:
                raise AuthoringFormatError(f"{where}: @excerpt needs an id and a preceding @document")
            opts = _options(parts[2:])
            current = _Excerpt(
                parts[1], doc_id, doc_kind, opts.get("section", "unknown"), "ethnicity_withheld" in parts
            )
            excerpts.append(current)
            new_block = True
            continue
        if current is None:
            raise AuthoringFormatError(f"{where}: text before any @excerpt line")
        if line.startswith("# "):
            current.headings.add(len(current.blocks))
            current.blocks.append([(line[2:].strip(), [])])
            new_block = True
            continue
        sentence, sep, rest = line.partition("||")
        if not sep:
            raise AuthoringFormatError(f"{where}: a sentence line needs ' || ' followed by its labels (or nothing)")
        label_spec, _, comment = rest.partition("//")
        line_spans = _parse_labels(label_spec, where)
        if comment.strip():
            for s in line_spans:
                s.comment = comment.strip()
        if new_block or not current.blocks or (len(current.blocks) - 1) in current.headings:
            current.blocks.append([])
            new_block = False
        current.blocks[-1].append((sentence.strip(), line_spans))

    records: list[Record] = []
    for ex in excerpts:
        pieces: list[str] = []
        spans: list[Span] = []
        pos = 0
        for b, block in enumerate(ex.blocks):
            if b:
                pieces.append("\n\n")
                pos += 2
            for i, (sentence, sentence_spans) in enumerate(block):
                if i:
                    pieces.append(" ")
                    pos += 1
                for s in sentence_spans:
                    s.start, s.end = pos, pos + len(sentence)
                    spans.append(s)
                pieces.append(sentence)
                pos += len(sentence)
        meta = {"ethnicity_withheld": True} if ex.withheld else {}
        records.append(
            Record(
                id=ex.id,
                document=ex.document,
                text="".join(pieces),
                source=source,
                doc_kind=ex.doc_kind,
                section=ex.section,
                spans=spans,
                meta=meta,
            )
        )
    return records


def read_sentences(path: Path) -> list[Record]:
    """Read an authoring-format draft file."""
    return parse_sentences(path.read_text(encoding="utf-8"), origin=str(path))


def _label_token(span: Span) -> str:
    token = span.label
    if span.identity_subject or span.identity_facet:
        token += f"({span.identity_subject or ''};{','.join(span.identity_facet or [])})"
    return token + ("?" if span.uncertain else "")


def format_sentences(records: list[Record], blind: bool = False) -> str:
    """Write records in the authoring format, one sentence unit per line; `blind` leaves every label out.

    This is how a second annotator gets the same sentences to label, and compiling the draft back gives both
    annotators' files identical text, so `annotations agree` can compare them. Paragraph breaks are kept;
    text that is no sentence unit (headings, page numbers) is left out.
    """
    lines: list[str] = []
    document = None
    for rec in records:
        if rec.document_id != document:
            document = rec.document_id
            lines += ["", f"@document {document} kind={rec.doc_kind}"]
        withheld = " ethnicity_withheld" if not blind and rec.meta.get("ethnicity_withheld") else ""
        lines.append(f"@excerpt {rec.id} section={rec.section or 'unknown'}{withheld}")
        previous_end = None
        for unit in record_units(rec):
            if previous_end is not None and "\n\n" in rec.text[previous_end : unit.start]:
                lines.append("")
            spans = [] if blind else [s for s in rec.spans if (s.start, s.end) == (unit.start, unit.end)]
            labels = " ".join(_label_token(s) for s in sorted(spans, key=lambda s: LABELS.index(s.label)))
            text = " ".join(unit.text.split())
            lines.append(f"{text} || {labels}".rstrip())
            previous_end = unit.end
    return "\n".join(lines).lstrip("\n") + "\n"


def write_sentences(records: list[Record], output: Path, blind: bool = False) -> int:
    """Write records as an authoring-format draft; return how many records were written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(format_sentences(records, blind), encoding="utf-8")
    return len(records)
