"""The re-check cache: same results as without it, only changed sentences scored, bounded, no text held."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.backends.context import SentenceContext
from reviewlens.models.score_cache import ScoreCache


class CountingScorer:
    """Wraps a real scorer and counts the sentences it is asked to score."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.scored = 0

    def predict_proba(self, sentences: list[str], context: SentenceContext | None = None) -> np.ndarray:
        self.scored += len(sentences)
        return self.real.predict_proba(sentences, context)


class PassageScorer:
    """Reads context as a tagger does, in miniature: a sentence's scores depend on its passage's length, its
    place in it and its section, so a stale entry from another paragraph would show."""

    reads_context = True

    def __init__(self) -> None:
        self.scored = 0

    def predict_proba(self, sentences: list[str], context: SentenceContext | None = None) -> np.ndarray:
        self.scored += len(sentences)
        ctx = context or SentenceContext.alone(len(sentences))
        out = np.zeros((len(sentences), 3, 3))
        for passage in ctx.passages():
            for k, i in enumerate(passage):
                a = 0.1 + 0.05 * min(len(passage), 8) + 0.01 * k + (0.1 if ctx.section[i] == "analysis" else 0.0)
                out[i, :, :] = [1 - a, a * 0.6, a * 0.4]
        return out


def _cached(analyzer: Analyzer, capacity: int = 10_000) -> tuple[Analyzer, CountingScorer]:
    scorer = CountingScorer(analyzer.scorer)
    fresh = Analyzer(analyzer.model, scorer)  # type: ignore[arg-type]
    fresh.use_cache(ScoreCache(capacity, f"{analyzer.model.name}@{analyzer.model.version}"))
    return fresh, scorer


def test_cached_results_equal_uncached(analyzer: Analyzer, sample_review: str) -> None:
    cached, _ = _cached(analyzer)
    plain = analyzer.analyze(sample_review).model_dump()
    assert cached.analyze(sample_review).model_dump() == plain
    assert cached.analyze(sample_review).model_dump() == plain  # now served from the cache


def test_recheck_scores_only_the_edited_paragraph(analyzer: Analyzer, sample_review: str) -> None:
    cached, scorer = _cached(analyzer)
    cached.analyze(sample_review)
    cold = scorer.scored
    assert cold > 20
    paragraphs = sample_review.split("\n\n")
    i = max(range(len(paragraphs)), key=lambda k: len(paragraphs[k]))
    paragraphs[i] = "The social worker closed the case after one visit. " + paragraphs[i]
    scorer.scored = 0
    edited = "\n\n".join(paragraphs)
    result = cached.analyze(edited)
    assert 1 <= scorer.scored <= paragraphs[i].count(". ") + 2
    assert result.model_dump() == analyzer.analyze(edited).model_dump()
    stats = cached.cache.stats() if cached.cache else None
    assert stats is not None and stats.hits >= cold - 2 and stats.misses == cold + scorer.scored


def test_cache_is_bounded_and_least_recently_used_goes_first() -> None:
    cache = ScoreCache(2, "m@1")
    keys = [cache.key(s) for s in ("a", "b", "c")]
    cache.put_many(keys[:2], np.zeros((2, 3, 3)))
    cache.get_many([keys[0]])  # "a" is now the most recent
    cache.put_many([keys[2]], np.ones((1, 3, 3)))
    found = cache.get_many(keys)
    assert [f is not None for f in found] == [True, False, True]
    assert cache.stats().entries == 2


def test_another_model_version_never_hits() -> None:
    a, b = ScoreCache(10, "m@1"), ScoreCache(10, "m@2")
    assert a.key("The plan was ended.") != b.key("The plan was ended.")


def test_cache_holds_no_text(analyzer: Analyzer) -> None:
    marker = "Zanzibarquokka was seen by the health visitor on Tuesday."
    cached, _ = _cached(analyzer)
    cached.analyze(f"4.1 {marker} 4.2 The case was closed.")
    assert cached.cache is not None
    dump = pickle.dumps(dict(cached.cache._entries))
    assert b"Zanzibarquokka" not in dump and "Zanzibarquokka".encode("utf-16-le") not in dump


def test_served_scores_cannot_be_changed_by_a_caller() -> None:
    cache = ScoreCache(4, "m@1")
    k = cache.key("x")
    cache.put_many([k], np.zeros((1, 3, 3)))
    row = cache.get_many([k])[0]
    assert row is not None
    with pytest.raises(ValueError):
        row[0, 0] = 1.0


def test_context_scores_are_cached_per_passage(analyzer: Analyzer) -> None:
    """With a model that reads context, an edit re-scores its whole paragraph (its neighbours' context changed)
    and nothing else, and a sentence moved to another paragraph is not served its old paragraph's scores."""
    scorer = PassageScorer()
    cached = Analyzer(analyzer.model, scorer)  # type: ignore[arg-type]
    cached.use_cache(ScoreCache(10_000, "context@1"))
    uncached = Analyzer(analyzer.model, PassageScorer())  # type: ignore[arg-type]
    paragraphs = [
        "The school referred the family to early help in March. The referral was accepted. A worker visited twice.",
        "Practitioners did not ask why the mother missed appointments. This mattered because the risk was rising.",
        "The case was closed in June after the mother said things were better. No one checked this with the school.",
    ]
    text = "Analysis\n\n" + "\n\n".join(paragraphs)
    first = cached.analyze(text).model_dump()
    assert first == uncached.analyze(text).model_dump()
    cold = scorer.scored
    assert cold == 7
    paragraphs[1] = paragraphs[1] + " Supervision did not challenge the plan."
    scorer.scored = 0
    edited = "Analysis\n\n" + "\n\n".join(paragraphs)
    assert cached.analyze(edited).model_dump() == uncached.analyze(edited).model_dump()
    assert scorer.scored == 3  # the edited paragraph, whole
    moved = "Analysis\n\n" + paragraphs[0] + " " + paragraphs[1] + "\n\n" + paragraphs[2]
    scorer.scored = 0
    assert cached.analyze(moved).model_dump() == uncached.analyze(moved).model_dump()
    assert scorer.scored == 6
