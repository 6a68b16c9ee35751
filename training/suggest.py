"""Pre-annotation and active learning: the model's labels as suggestions an annotator corrects.

`suggest` scores every sentence of unlabelled documents; `select_uncertain` ranks sentences by how unsure the
model is (the smallest margin between its two likeliest classes in any theme) and spreads the choice over
paragraphs, documents and sections, so an annotation hour goes where the model is least sure rather than to ten
near-identical sentences of one chronology. The writers turn either into tasks for Label Studio (with
`predictions`), Prodigy or doccano.
"""

from __future__ import annotations

import bisect
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewlens.models.analyzer import Analyzer, sentence_context
from reviewlens.models.labels import THEMES
from reviewlens.models.offsets import Utf16Offsets
from reviewlens.models.predictions import decide
from reviewlens.models.segmentation import is_classifiable, segment

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class SuggestedSentence:
    """One sentence with the model's probabilities and decided labels, located in its document."""

    start: int
    end: int
    text: str
    section: str
    paragraph: int
    paragraph_start: int
    paragraph_end: int
    probs: np.ndarray  # (themes, 3): [none, label A, label B] per theme
    labels: dict[str, tuple[str, float]]

    @property
    def margin(self) -> float:
        """The smallest gap, over themes, between the two likeliest classes: small means unsure."""
        top2 = np.sort(self.probs, axis=1)[:, -2:]
        return float((top2[:, 1] - top2[:, 0]).min())


@dataclass(frozen=True)
class SuggestedDocument:
    """A document's text and its scored sentences."""

    document: str
    text: str
    doc_kind: str
    sentences: list[SuggestedSentence]


def suggest(analyzer: Analyzer, documents: list[tuple[str, str]], doc_kind: str = "other") -> list[SuggestedDocument]:
    """Score the sentences of (document id, text) pairs with the analyzer's model and its thresholds."""
    out = []
    for document, text in documents:
        seg = segment(text)
        sents = [s for s in seg.sentences if is_classifiable(s)]
        probs = analyzer.score([s.text for s in sents], sentence_context(seg, sents))
        decided = decide(probs, analyzer.model.thresholds)
        breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
        bounds = [0, *[m.end() for m in _PARAGRAPH_BREAK.finditer(text)]]
        scored = []
        for s, p, labels in zip(sents, probs, decided, strict=True):
            para = bisect.bisect_right(breaks, s.start)
            p_end = breaks[para] if para < len(breaks) else len(text)
            scored.append(
                SuggestedSentence(
                    s.start, s.end, s.text, seg.section_kind(s), para, bounds[para], p_end, np.asarray(p), labels
                )
            )
        out.append(SuggestedDocument(document, text, doc_kind, scored))
    return out


Selection = tuple[SuggestedDocument, SuggestedSentence]


def select_uncertain(documents: list[SuggestedDocument], n: int) -> list[Selection]:
    """The `n` sentences the model is least sure of, no two from one paragraph, spread over documents and sections.

    A document gives at most its fair share (n / documents, rounded up) and a section of it at most half that,
    until those caps would leave the selection short; then the caps are lifted, never the one-per-paragraph rule.
    """
    ranked = sorted(((d, s) for d in documents for s in d.sentences), key=lambda ds: ds[1].margin)
    per_doc = max(1, math.ceil(n / max(1, len(documents))))
    per_section = max(1, math.ceil(per_doc / 2))
    chosen: list[Selection] = []
    used: set[tuple[str, int]] = set()
    for capped in (True, False):
        docs: Counter[str] = Counter(d.document for d, _ in chosen)
        sections: Counter[tuple[str, str]] = Counter((d.document, s.section) for d, s in chosen)
        for d, s in ranked:
            if len(chosen) >= n:
                return chosen
            if (d.document, s.paragraph) in used:
                continue
            if capped and (docs[d.document] >= per_doc or sections[(d.document, s.section)] >= per_section):
                continue
            chosen.append((d, s))
            used.add((d.document, s.paragraph))
            docs[d.document] += 1
            sections[(d.document, s.section)] += 1
    return chosen


def select_random(documents: list[SuggestedDocument], n: int, seed: int = 13) -> list[Selection]:
    """`n` sentences drawn at random (the baseline active learning must beat)."""
    pool = [(d, s) for d in documents for s in d.sentences]
    return random.Random(seed).sample(pool, min(n, len(pool)))


def _spans(sentences: list[SuggestedSentence], offset: int) -> list[tuple[int, int, str, float]]:
    return [
        (s.start - offset, s.end - offset, label, score)
        for s in sentences
        for theme in THEMES
        if (hit := s.labels.get(theme.name)) is not None
        for label, score in [hit]
    ]


def _tasks(documents: list[SuggestedDocument], selected: list[Selection] | None) -> list[dict[str, Any]]:
    """Neutral tasks: text, spans (offsets into that text), fields; one per document, or per selected sentence
    (its paragraph as the text, so the annotator reads it in context)."""
    tasks: list[dict[str, Any]] = []
    if selected is None:
        for d in documents:
            tasks.append({"text": d.text, "spans": _spans(d.sentences, 0), "document": d.document,
                          "doc_kind": d.doc_kind, "id": d.document})
        return tasks
    for d, s in selected:
        text = d.text[s.paragraph_start : s.paragraph_end]
        tasks.append({
            "text": text, "spans": _spans([s], s.paragraph_start), "document": d.document, "doc_kind": d.doc_kind,
            "id": f"{d.document}-{s.start}", "section": s.section, "margin": round(s.margin, 4),
        })
    return tasks


def to_labelstudio(tasks: list[dict[str, Any]], model_version: str) -> list[dict[str, Any]]:
    """Label Studio tasks with the model's spans as `predictions` (offsets in UTF-16 units, as Label Studio
    counts; the config in `annotations/labelstudio.xml` names the `label` and `text` controls)."""
    out = []
    for t in tasks:
        u16 = Utf16Offsets(t["text"])
        results = [
            {
                "id": f"p{i}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": u16(start),
                    "end": u16(end),
                    "text": t["text"][start:end],
                    "labels": [label],
                },
                "score": round(float(score), 4),
            }
            for i, (start, end, label, score) in enumerate(t["spans"])
        ]
        mean = float(np.mean([r["score"] for r in results])) if results else 0.0
        data = {k: t[k] for k in ("text", "id", "document", "doc_kind", "section") if k in t}
        out.append({"data": data, "predictions": [{"model_version": model_version, "score": round(mean, 4),
                                                   "result": results}]})
    return out


def to_prodigy(tasks: list[dict[str, Any]], model_version: str) -> list[dict[str, Any]]:
    """Prodigy tasks (`spans` with the model's labels and scores, `meta` shown beside the text)."""
    return [
        {
            "text": t["text"],
            "spans": [{"start": s, "end": e, "label": label, "score": round(float(p), 4)}
                      for s, e, label, p in t["spans"]],
            "meta": {k: t[k] for k in ("id", "document", "section", "margin") if k in t} | {"model": model_version},
        }
        for t in tasks
    ]


def to_doccano(tasks: list[dict[str, Any]], model_version: str) -> list[dict[str, Any]]:
    """doccano sequence-labelling JSONL (`label`: [start, end, label] in code points)."""
    return [
        {"text": t["text"], "label": [[s, e, label] for s, e, label, _ in t["spans"]], "id": t["id"],
         "model": model_version}
        for t in tasks
    ]


WRITERS = {"labelstudio": to_labelstudio, "prodigy": to_prodigy, "doccano": to_doccano}


def suggestion_tasks(
    documents: list[SuggestedDocument], fmt: str, model_version: str, selected: list[Selection] | None = None
) -> list[dict[str, Any]]:
    """Tasks for one annotation tool (`labelstudio`, `prodigy` or `doccano`)."""
    return WRITERS[fmt](_tasks(documents, selected), model_version)
