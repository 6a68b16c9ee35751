"""The Analyzer: built once from a model directory, then reused for many texts, in batches.

text → sections and sentences → per-sentence label probabilities → thresholds → document flags → findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

import numpy as np

from reviewlens.models.backends.base import Scorer
from reviewlens.models.backends.context import SentenceContext, reads_context
from reviewlens.models.backends.loading import load_scorer
from reviewlens.models.documents import Document
from reviewlens.models.findings import flag_findings, span_findings
from reviewlens.models.flags import document_flags
from reviewlens.models.labels import ANALYSIS_SECTIONS, STRENGTH_LABELS, THEMES
from reviewlens.models.model_dir import ModelDirectory, ModelError
from reviewlens.models.overview import overview
from reviewlens.models.predictions import LabelledSentence, decide, label_probs
from reviewlens.models.registry import resolve_model
from reviewlens.models.schema import AnalysisResult, DocumentFlag, DocumentInfo, ModelInfo, SectionInfo, ThemeSummary
from reviewlens.models.score_cache import ScoreCache
from reviewlens.models.segmentation import Segmentation, Sentence, is_classifiable, segment

# Sentences scored between two checks of `should_stop`: small enough that a cancelled analysis stops within a
# fraction of a second on two cores, large enough that the check and batching overhead stay negligible.
SCORE_BATCH = 256


class Cancelled(Exception):
    """The caller asked the analysis to stop (a time limit passed); raised between batches."""


_SHARE_OF = {
    "analysis_depth": "ANALYTICAL among DESCRIPTIVE+ANALYTICAL in analysis, learning and unheaded text",
    "cultural_competence": "CULTURAL_ANALYSIS among identity sentences",
    "risk_reasoning": "RISK_REASONED among risk judgements outside the chronology",
}


class Analyzer:
    """Analyses review texts with one loaded model."""

    def __init__(self, model: ModelDirectory, scorer: Scorer) -> None:
        self.model = model
        self.scorer = scorer
        self.cache: ScoreCache | None = None
        self.info = ModelInfo(
            name=model.name, version=model.version, label_schema=model.label_schema, backend=model.backend["type"],
            tier=model.tier,
        )

    @classmethod
    def load(cls, spec: str | Path | None = None, threads: int | None = None) -> Analyzer:
        """Load a model directory (a path, a registry name, a tier's name for its promoted model, or None for the
        promoted fast-tier model).

        Every failure is a ModelError saying what is wrong, so a server stays up and reports it (/readyz 503).
        """
        model = ModelDirectory.open(resolve_model(spec))
        try:
            return cls(model, load_scorer(model, threads=threads))
        except ModelError:
            raise
        except Exception as exc:  # corrupt artefacts raise whatever their library raises (tokenizers, skops, ...)
            raise ModelError(f"{model.path}: an artefact is corrupt ({type(exc).__name__}: {exc})") from exc

    def score(self, sentences: list[str], context: SentenceContext | None = None) -> np.ndarray:
        """Raw (n, themes, 3) probabilities for sentences, read in `context` by a model that reads context."""
        return self.scorer.predict_proba(sentences, context)

    def use_cache(self, cache: ScoreCache | None) -> None:
        """Serve repeated sentences from `cache` (None turns caching off); its namespace must name this model."""
        self.cache = cache

    def _cache_keys(self, sentences: list[str], context: SentenceContext) -> list[bytes]:
        """One key per sentence: its text, or for a model that reads context, its text in its passage."""
        assert self.cache is not None
        if not reads_context(self.scorer):
            return [self.cache.key(s) for s in sentences]
        keys: list[bytes] = [b""] * len(sentences)
        for passage in context.passages():
            # A sentence's scores depend on its passage's sentences and section, and on nothing else.
            whole = "\x1e".join([context.section[passage[0]], *(sentences[i] for i in passage)])
            for k, i in enumerate(passage):
                keys[i] = self.cache.key(f"{k}\x1e{whole}")
        return keys

    def _score_batched(self, sentences: list[str], context: SentenceContext, check: Callable[[], None]) -> np.ndarray:
        """Score whole passages in batches of about `SCORE_BATCH` sentences, calling `check` before each;
        passages whose sentences are all cached are not re-scored."""
        keys = self._cache_keys(sentences, context) if self.cache is not None else []
        found = self.cache.get_many(keys) if self.cache is not None else [None] * len(sentences)
        out = np.zeros((len(sentences), len(THEMES), 3), dtype=np.float64)
        for i, row in enumerate(found):
            if row is not None:
                out[i] = row
        # Only a model that reads context needs whole passages together; for others, any sentence may start a batch.
        groups = context.passages() if reads_context(self.scorer) else [[i] for i in range(len(sentences))]
        todo = [p for p in groups if any(found[i] is None for i in p)]
        batch: list[int] = []
        for n, passage in enumerate(todo):
            batch.extend(passage)
            if len(batch) < SCORE_BATCH and n + 1 < len(todo):
                continue
            check()
            sub = SentenceContext([context.passage[i] for i in batch], [context.section[i] for i in batch])
            out[batch] = self.score([sentences[i] for i in batch], sub)
            if self.cache is not None:
                self.cache.put_many([keys[i] for i in batch], out[batch])
            batch = []
        return out

    def label_sentences(self, sentences: list[str]) -> list[dict[str, tuple[str, float]]]:
        """Decided labels (theme → (label, score)) for sentences, with the model's tuned thresholds."""
        return decide(self.score(sentences), self.model.thresholds)

    def analyze(
        self,
        text: str | Document,
        themes: Sequence[str] | None = None,
        min_score: float = 0.0,
        doc_kind: str | None = None,
        severities: Sequence[str] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> AnalysisResult:
        """Analyse one text (or Document, whose page numbers then appear on findings).

        `should_stop` is polled between documents and scoring batches; when it returns True, `Cancelled` is raised.
        """
        return self.analyze_many(
            [text], themes=themes, min_score=min_score, doc_kinds=[doc_kind], severities=severities,
            should_stop=should_stop,
        )[0]

    def analyze_many(
        self,
        texts: Sequence[str | Document],
        themes: Sequence[str] | None = None,
        min_score: float = 0.0,
        doc_kinds: Sequence[str | None] | None = None,
        severities: Sequence[str] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[AnalysisResult]:
        """Analyse several texts, scoring all their sentences in batches of `SCORE_BATCH`.

        `themes` and `severities` keep only those findings (the summary, flags and overview still see them all,
        so asking for concerns alone does not change what the overview says the review does well).
        `should_stop` is polled before each document's segmentation and each scoring batch, so a caller whose
        time limit has passed gets its CPU back within one batch (`Cancelled` is raised).
        """
        stop = should_stop or (lambda: False)

        def check() -> None:
            if stop():
                raise Cancelled("analysis cancelled")

        docs = [t if isinstance(t, Document) else Document(text=t) for t in texts]
        kinds = list(doc_kinds) if doc_kinds is not None else [None] * len(docs)
        segs = []
        for d in docs:
            check()
            segs.append(segment(d.text, d.heading_starts))
        chosen = [[s for s in seg.sentences if is_classifiable(s)] for seg in segs]
        flat = [s.text for sents in chosen for s in sents]
        contexts = [sentence_context(seg, sents, d) for d, (seg, sents) in enumerate(zip(segs, chosen, strict=True))]
        context = SentenceContext(
            [key for c in contexts for key in c.passage], [kind for c in contexts for kind in c.section]
        )
        probs = self._score_batched(flat, context, check)
        check()
        decided = decide(probs, self.model.thresholds)
        flat_probs = label_probs(probs)
        theme_set = set(themes) if themes else None
        severity_set = set(severities) if severities else None
        results = []
        i = 0
        for doc, seg, sents, kind in zip(docs, segs, chosen, kinds, strict=True):
            labelled = [
                LabelledSentence(
                    s.start, s.end, s.text, seg.section_kind(s), decided[i + k], flat_probs[i + k], s.section
                )
                for k, s in enumerate(sents)
            ]
            i += len(sents)
            results.append(self._result(doc, seg, labelled, kind, theme_set, min_score, severity_set))
        return results

    def _result(
        self,
        doc: Document,
        seg: Segmentation,
        labelled: list[LabelledSentence],
        doc_kind: str | None,
        themes: set[str] | None,
        min_score: float,
        severities: set[str] | None = None,
    ) -> AnalysisResult:
        flags = document_flags(labelled, self.model.flags, doc_kind)
        findings = flag_findings(flags, len(doc.text), themes) + span_findings(labelled, doc.page_of, themes, min_score)
        summary = summarise(labelled, flags, themes)
        shown_flags = [f for f in flags if not themes or f.theme in themes]
        return AnalysisResult(
            model=self.info,
            document=DocumentInfo(
                characters=len(doc.text),
                sentences=len(seg.sentences),
                classified_sentences=len(labelled),
                pages=doc.pages,
                doc_kind=doc_kind,
                sections=[
                    SectionInfo(title=s.title, kind=s.kind, offset=s.offset, length=s.length) for s in seg.sections
                ],
                headings_found=bool(seg.sections),
            ),
            summary=summary,
            overview=overview(summary, shown_flags, findings),
            flags=shown_flags,
            findings=[f for f in findings if not severities or f.severity in severities],
        )


def sentence_context(seg: Segmentation, sentences: Sequence[Sentence], document: Hashable = 0) -> SentenceContext:
    """Where `sentences` (of one segmented text) sit: their paragraph within `document`, and their section kind."""
    return SentenceContext([(document, s.paragraph) for s in sentences], [seg.section_kind(s) for s in sentences])


def summarise(
    labelled: list[LabelledSentence], flags: list[DocumentFlag], themes: set[str] | None = None
) -> dict[str, ThemeSummary]:
    """Counts per label (overall and per section kind) and each theme's strength share."""
    out: dict[str, ThemeSummary] = {}
    for theme in THEMES:
        if themes and theme.name not in themes:
            continue
        counts: Counter[str] = Counter({label: 0 for label in theme.labels})
        by_section: dict[str, Counter[str]] = {}
        share_pool: Counter[str] = Counter()
        for s in labelled:
            label = s.label(theme.name)
            if not label:
                continue
            counts[label] += 1
            by_section.setdefault(s.section, Counter())[label] += 1
            if theme.name == "analysis_depth" and s.section not in ANALYSIS_SECTIONS:
                continue
            if theme.name == "risk_reasoning" and s.section == "chronology":
                continue
            share_pool[label] += 1
        pool = sum(share_pool.values())
        strength = next(label for label in theme.labels if label in STRENGTH_LABELS)
        out[theme.name] = ThemeSummary(
            theme=theme.name,
            title=theme.title,
            counts=dict(counts),
            counts_by_section={k: dict(v) for k, v in sorted(by_section.items())},
            share=round(share_pool[strength] / pool, 4) if pool else None,
            share_of=_SHARE_OF[theme.name],
            flags=[f.id for f in flags if f.theme == theme.name and f.status == "raised"],
        )
    return out
