"""The committed corpus itself: valid, big enough, varied, honestly sourced, and split by document."""

from collections import Counter
from pathlib import Path

import pytest

from reviewlens.models.labels import LABELS
from reviewlens.training.corpus.near_duplicates import near_duplicates
from reviewlens.training.corpus.register import register_report, widest_gap
from reviewlens.training.corpus.splits import SPLIT_NAMES, read_splits
from reviewlens.training.corpus.stats import corpus_stats
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus, validate_files

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "annotations" / "corpus"
SPLITS = ROOT / "annotations" / "splits.json"


@pytest.fixture(scope="module")
def records():
    return load_corpus([CORPUS])


def test_corpus_validates() -> None:
    _, problems = validate_files([CORPUS])
    assert not problems, "\n".join(map(str, problems[:10]))


def test_corpus_meets_the_size_minimums(records) -> None:
    stats = corpus_stats(records)
    assert stats["totals"]["excerpts"] >= 80
    assert stats["totals"]["labelled sentences"] >= 2500
    for label in LABELS:
        assert stats["labels"][label] >= (120 if label == "CULTURAL_ANALYSIS" else 150), label


def test_every_source_is_declared_and_allowed(records) -> None:
    # The schema's pattern is the policy (annotations/README.md, "Source policy"): authored here, or a named
    # published or licensed origin; validate_files above enforces it record by record, this names the kinds.
    kinds = {r.source.split(":")[0] for r in records}
    assert kinds <= {"authored", "published", "licensed"}
    assert all(r.source for r in records)


def test_case_variety(records) -> None:
    kinds = Counter(r.doc_kind for r in records)
    sections = Counter(r.section for r in records)
    assert {"lcspr", "rapid_review", "scr"} <= set(kinds)
    assert {"background", "chronology", "analysis", "learning", "methodology", "recommendations"} <= set(sections)


def test_no_near_duplicate_sentences(records) -> None:
    pairs = near_duplicates(records, threshold=0.8)
    assert not pairs, "\n".join(f"{p.jaccard:.2f} {p.a_text!r} ~ {p.b_text!r}" for p in pairs[:5])


def test_split_is_by_document_and_every_label_is_in_every_split(records) -> None:
    splits = read_splits(SPLITS)
    assert {r.document_id for r in records} == set(splits)
    per_split: dict[str, Counter] = {s: Counter() for s in SPLIT_NAMES}
    for r in records:
        for u in record_units(r):
            per_split[splits[r.document_id]].update(u.labels)
    for split in SPLIT_NAMES:
        for label in LABELS:
            assert per_split[split][label] > 0, (split, label)


# The register checks: ranges documented in annotations/README.md ("The register of real reviews").
MAX_LENGTH_AUC = 0.78
DENSITY = {"analysis_depth": (0.65, 0.90), "cultural_competence": (0.03, 0.12), "risk_reasoning": (0.15, 0.40)}


@pytest.fixture(scope="module")
def register(records):
    return register_report(records)


def test_sentence_length_does_not_give_the_label_away(register) -> None:
    for theme, auc in register.length_auc.items():
        assert auc <= MAX_LENGTH_AUC, (theme, auc)


def test_documents_spread_over_the_analytical_share(register) -> None:
    shares = list(register.document_shares.values())
    assert len(shares) >= 30
    assert min(shares) <= 0.2 and max(shares) >= 0.8
    assert widest_gap(shares) <= 0.2, sorted(shares)


def test_label_density_per_theme_is_in_the_documented_range(register) -> None:
    for theme, (low, high) in DENSITY.items():
        assert low <= register.density[theme] <= high, (theme, register.density[theme])
