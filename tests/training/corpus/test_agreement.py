"""Inter-annotator agreement: sentence-decision kappa per theme and exact-match span F1."""

from __future__ import annotations

import copy

import pytest

from reviewlens.training.corpus.agreement import agreement, render_agreement
from reviewlens.training.corpus.formats.sentences import parse_sentences
from reviewlens.training.corpus.records import Record, Span

SENTENCES = [
    "The social worker visited the home on 3 May.",
    "The health visitor saw the baby twice in June.",
    "Practitioners did not explore why the family avoided services.",
    "The family moved to the area in 2019.",
]
A_LABELS = ["DESCRIPTIVE", "DESCRIPTIVE", "ANALYTICAL", ""]


def annotator_a(rid: str = "e1") -> Record:
    lines = "\n".join(f"{s} || {label}" for s, label in zip(SENTENCES, A_LABELS, strict=True))
    (rec,) = parse_sentences(f"@document d1 kind=lcspr\n@excerpt {rid} section=analysis\n{lines}\n")
    return rec


def bounds(i: int) -> tuple[int, int]:
    start = sum(len(s) + 1 for s in SENTENCES[:i])
    return start, start + len(SENTENCES[i])


def with_spans(rec: Record, spans: list[tuple[int, int, str]]) -> Record:
    other = copy.deepcopy(rec)
    other.spans = [Span(s, e, label) for s, e, label in spans]
    return other


def theme(report, name):
    return next(t for t in report.themes if t.theme == name)


def span_row(report, label):
    return next(s for s in report.spans if s.label == label)


def test_identical_annotators_agree_perfectly():
    a = annotator_a()
    report = agreement([a], [copy.deepcopy(a)])
    depth = theme(report, "analysis_depth")
    assert (depth.sentences, depth.raw_agreement, depth.kappa) == (4, 1.0, 1.0)
    assert span_row(report, "all").f1 == 1.0 and span_row(report, "DESCRIPTIVE").f1 == 1.0
    # No one used the other themes: a single outcome throughout leaves kappa undefined, not 1 or 0.
    assert (
        theme(report, "risk_reasoning").kappa is None and theme(report, "risk_reasoning").raw_agreement == 1.0
    )
    assert span_row(report, "RISK_REASONED").f1 is None


def test_known_disagreement_matches_hand_computed_kappa():
    a = annotator_a()
    b = with_spans(a, [(*bounds(0), "DESCRIPTIVE"), (*bounds(1), "ANALYTICAL"), (*bounds(2), "ANALYTICAL")])
    report = agreement([a], [b])
    depth = theme(report, "analysis_depth")
    # A: D D A n, B: D A A n. p_o = 3/4; marginals A (D2 A1 n1), B (D1 A2 n1): p_e = (2+2+1)/16 = 5/16;
    # kappa = (3/4 - 5/16) / (1 - 5/16) = 7/11.
    assert depth.sentences == 4 and depth.raw_agreement == 0.75
    assert depth.kappa == pytest.approx(7 / 11)
    overall = span_row(report, "all")
    assert (overall.a_spans, overall.b_spans, overall.matched) == (3, 3, 2)
    assert overall.precision == overall.recall == overall.f1 == pytest.approx(2 / 3)
    desc = span_row(report, "DESCRIPTIVE")
    assert (desc.precision, desc.recall, desc.f1) == (1.0, 0.5, pytest.approx(2 / 3))
    anal = span_row(report, "ANALYTICAL")
    assert (anal.precision, anal.recall) == (0.5, 1.0)


def test_b_spans_map_onto_a_sentences_by_overlap():
    a = annotator_a()
    s0, _ = bounds(0)
    s2, _ = bounds(2)
    _, e3 = bounds(3)
    # B labels only the start of sentence 1, and sentences 3 and 4 as one span.
    b = with_spans(a, [(s0, s0 + 25, "DESCRIPTIVE"), (*bounds(1), "DESCRIPTIVE"), (s2, e3, "ANALYTICAL")])
    report = agreement([a], [b])
    depth = theme(report, "analysis_depth")
    assert depth.raw_agreement == 0.75  # only sentence 4 differs (none vs ANALYTICAL)
    assert span_row(report, "all").matched == 1  # only sentence 2 matches exactly


def test_record_matching_by_id():
    a1, a2 = annotator_a("e1"), annotator_a("e2")
    b2, b3 = copy.deepcopy(a2), annotator_a("e3")
    report = agreement([a1, a2], [b2, b3])
    assert (report.records, report.only_a, report.only_b) == (1, ["e1"], ["e3"])
    with pytest.raises(ValueError, match="share no record ids"):
        agreement([a1], [b3])
    changed = copy.deepcopy(a1)
    changed.text = changed.text.replace("May", "Mai")
    with pytest.raises(ValueError, match=r"\[e1\]: text differs"):
        agreement([a1], [changed])


def test_render_agreement_table():
    a = annotator_a()
    b = with_spans(a, [(*bounds(0), "DESCRIPTIVE"), (*bounds(1), "ANALYTICAL"), (*bounds(2), "ANALYTICAL")])
    text = render_agreement(agreement([a, annotator_a("only-a")], [b]))
    lines = text.splitlines()
    assert lines[0] == "records compared: 1" and "only in A: only-a" in lines
    depth = next(line for line in lines if line.startswith("analysis_depth"))
    assert depth.split() == ["analysis_depth", "4", "0.750", "0.636"]
    assert next(line for line in lines if line.startswith("risk_reasoning")).split()[-1] == "n/a"
    assert next(line for line in lines if line.startswith("all")).split() == [
        "all",
        "3",
        "3",
        "2",
        "0.667",
        "0.667",
        "0.667",
    ]


def test_theme_positive_kappa_leaves_out_sentences_neither_annotator_labelled():
    a = annotator_a()
    b = with_spans(a, [(*bounds(0), "DESCRIPTIVE"), (*bounds(1), "ANALYTICAL"), (*bounds(2), "ANALYTICAL")])
    depth = theme(agreement([a], [b]), "analysis_depth")
    # Sentence 4 is unlabelled by both, so 3 sentences remain: A D D A, B D A A. p_o = 2/3;
    # marginals A (D2 A1), B (D1 A2): p_e = (2 + 2)/9 = 4/9; kappa = (2/3 - 4/9) / (5/9) = 2/5.
    assert depth.positive_sentences == 3
    assert depth.positive_agreement == pytest.approx(2 / 3)
    assert depth.positive_kappa == pytest.approx(0.4)
    assert depth.kappa is not None and depth.kappa > depth.positive_kappa
