"""Inter-annotator agreement between two annotation files of the same excerpts.

Per theme, each sentence is one decision with three outcomes (either label, or none) and Cohen's kappa
measures agreement beyond chance; the sentences are annotator A's units, with B's spans mapped onto them by
overlap, because the classifier learns sentence decisions and that is what the annotators must agree on.
Span-level exact match (start, end, label) of B against A shows boundary disagreements kappa hides.

Kappa over all sentences is flattered by the many sentences neither annotator labels in a theme (boilerplate,
chronology in the cultural theme), so it is also reported on the theme-positive sentences alone: those where
either annotator gave a label of the theme.
"""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.metrics import cohen_kappa_score

from reviewlens.models.labels import LABELS, THEME_OF_LABEL, THEMES
from reviewlens.training.corpus.records import Record, Span
from reviewlens.training.corpus.units import record_units

NONE = "none"


@dataclass(frozen=True)
class ThemeAgreement:
    """Sentence-decision agreement in one theme; kappa is None when undefined (one outcome throughout)."""

    theme: str
    sentences: int
    raw_agreement: float
    kappa: float | None
    positive_sentences: int = 0
    positive_agreement: float | None = None
    positive_kappa: float | None = None


@dataclass(frozen=True)
class SpanAgreement:
    """Exact-match span scores of B against A for one label (or `all`); None where a ratio is 0/0."""

    label: str
    a_spans: int
    b_spans: int
    matched: int
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass(frozen=True)
class AgreementReport:
    """Everything `render_agreement` prints."""

    records: int
    only_a: list[str]
    only_b: list[str]
    themes: list[ThemeAgreement]
    spans: list[SpanAgreement]


def _b_label(spans: list[Span], theme: str, start: int, end: int) -> str:
    # B may draw a boundary differently from A; the label of B's span overlapping the sentence most wins.
    best: tuple[int, int, str] | None = None
    for span in spans:
        overlap = min(end, span.end) - max(start, span.start)
        if overlap > 0 and THEME_OF_LABEL[span.label] == theme:
            cand = (overlap, -span.start, span.label)
            best = cand if best is None or cand > best else best
    return best[2] if best else NONE


def _theme_agreement(pairs: list[tuple[Record, Record]], theme: str) -> ThemeAgreement:
    a_dec: list[str] = []
    b_dec: list[str] = []
    for rec_a, rec_b in pairs:
        for unit in record_units(rec_a):
            a_dec.append(unit.label_for(theme) or NONE)
            b_dec.append(_b_label(rec_b.spans, theme, unit.start, unit.end))
    n = len(a_dec)
    raw, kappa = _kappa(a_dec, b_dec)
    pos = [(x, y) for x, y in zip(a_dec, b_dec, strict=True) if NONE not in (x, y) or x != y]
    pos_raw, pos_kappa = _kappa([x for x, _ in pos], [y for _, y in pos])
    return ThemeAgreement(theme, n, raw if raw is not None else 0.0, kappa, len(pos), pos_raw, pos_kappa)


def _kappa(a_dec: list[str], b_dec: list[str]) -> tuple[float | None, float | None]:
    if not a_dec:
        return None, None
    raw = sum(x == y for x, y in zip(a_dec, b_dec, strict=True)) / len(a_dec)
    # With one outcome throughout, chance agreement is 1 and kappa is 0/0: report it as undefined.
    kappa = float(cohen_kappa_score(a_dec, b_dec)) if len(set(a_dec) | set(b_dec)) > 1 else None
    return raw, kappa


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


_SpanKey = tuple[str, int, int, str]  # (record id, start, end, label)


def _span_agreement(label: str, a: set[_SpanKey], b: set[_SpanKey]) -> SpanAgreement:
    matched = len(a & b)
    p, r = _ratio(matched, len(b)), _ratio(matched, len(a))
    f1 = None if p is None or r is None else (2 * p * r / (p + r) if p + r else 0.0)
    return SpanAgreement(label, len(a), len(b), matched, p, r, f1)


def agreement(records_a: list[Record], records_b: list[Record]) -> AgreementReport:
    """Compare two annotators' records matched by id (ValueError if none match or a shared text differs)."""
    by_id_b = {r.id: r for r in records_b}
    ids_a = {r.id for r in records_a}
    pairs = [(r, by_id_b[r.id]) for r in records_a if r.id in by_id_b]
    if not pairs:
        raise ValueError("the two files share no record ids: nothing to compare")
    for rec_a, rec_b in pairs:
        if rec_a.text != rec_b.text:
            raise ValueError(f"[{rec_a.id}]: text differs between the files; spans cannot be compared")
    themes = [_theme_agreement(pairs, t.name) for t in THEMES]
    a_spans = {(ra.id, s.start, s.end, s.label) for ra, _ in pairs for s in ra.spans}
    b_spans = {(rb.id, s.start, s.end, s.label) for _, rb in pairs for s in rb.spans}
    spans = [_span_agreement("all", a_spans, b_spans)]
    for label in LABELS:
        of_label_a = {x for x in a_spans if x[3] == label}
        spans.append(_span_agreement(label, of_label_a, {x for x in b_spans if x[3] == label}))
    return AgreementReport(
        records=len(pairs),
        only_a=sorted(ids_a - by_id_b.keys()),
        only_b=sorted(by_id_b.keys() - ids_a),
        themes=themes,
        spans=spans,
    )


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def render_agreement(report: AgreementReport) -> str:
    """Plain-text tables: kappa per theme, then span precision/recall/F1 overall and per label."""
    lines = [f"records compared: {report.records}"]
    for name, ids in (("only in A", report.only_a), ("only in B", report.only_b)):
        if ids:
            shown = ", ".join(ids[:10]) + (f", ... ({len(ids)} in all)" if len(ids) > 10 else "")
            lines.append(f"{name}: {shown}")
    lines += ["", f"{'theme':<22}{'sentences':>10}{'agreement':>11}{'kappa':>8}"]
    for t in report.themes:
        lines.append(f"{t.theme:<22}{t.sentences:>10}{t.raw_agreement:>11.3f}{_fmt(t.kappa):>8}")
    lines += ["", "theme-positive sentences only (either annotator gave a label of the theme)",
              f"{'theme':<22}{'sentences':>10}{'agreement':>11}{'kappa':>8}"]
    for t in report.themes:
        lines.append(
            f"{t.theme:<22}{t.positive_sentences:>10}{_fmt(t.positive_agreement):>11}{_fmt(t.positive_kappa):>8}"
        )
    header = f"{'spans (exact match)':<22}{'A':>6}{'B':>6}{'both':>6}{'precision':>11}{'recall':>8}{'F1':>8}"
    lines += ["", header]
    for s in report.spans:
        lines.append(
            f"{s.label:<22}{s.a_spans:>6}{s.b_spans:>6}{s.matched:>6}"
            f"{_fmt(s.precision):>11}{_fmt(s.recall):>8}{_fmt(s.f1):>8}"
        )
    return "\n".join(lines)
