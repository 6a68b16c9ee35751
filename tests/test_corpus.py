"""The committed corpus itself: valid, big enough, varied, honestly sourced, and split by document."""

from collections import Counter
from pathlib import Path

import pytest

from reviewlens.models.labels import LABELS
from reviewlens.training.corpus.near_duplicates import near_duplicates
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


def test_every_excerpt_is_labelled_as_authored_here(records) -> None:
    assert {r.source for r in records} == {"authored"}


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
