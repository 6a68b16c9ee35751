"""Training data: the corpus through Hugging Face `datasets`, as sentence units with per-theme class ids."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from reviewlens.models.backends.context import UNKNOWN_SECTION, SentenceContext
from reviewlens.models.labels import THEMES, class_id
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.splits import SPLIT_NAMES, read_splits
from reviewlens.training.corpus.units import Unit
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.metrics import breakdowns

ContextReading = Literal["document", "paragraph", "sentence"]
CONTEXT_READINGS: tuple[ContextReading, ...] = ("document", "paragraph", "sentence")


@dataclass
class SplitData:
    """Sentence units of one split with y[theme] ∈ {0: none, 1: first label, 2: second label}."""

    units: list[Unit]
    y: dict[str, np.ndarray]

    @property
    def texts(self) -> list[str]:
        """The sentences' texts."""
        return [u.text for u in self.units]

    def context(self, reading: ContextReading = "document") -> SentenceContext:
        """Where each unit sits, as a scorer reads it: `document` (its paragraph and section, as serving reads a
        whole review), `paragraph` (its paragraph without a section, as an editor checks one paragraph) or
        `sentence` (alone, as a pasted sentence)."""
        if reading == "sentence":
            return SentenceContext.alone(len(self.units))
        passage = [(u.record_id, u.paragraph) for u in self.units]
        if reading == "paragraph":
            return SentenceContext(passage, [UNKNOWN_SECTION] * len(self.units))
        return SentenceContext(passage, [u.section for u in self.units])

    def subset(self, index: list[int]) -> SplitData:
        """The units at `index`."""
        return SplitData([self.units[i] for i in index], {k: v[index] for k, v in self.y.items()})


def encode_labels(units: list[Unit]) -> dict[str, np.ndarray]:
    """Per-theme class ids for units."""
    y = {}
    for theme in THEMES:
        ids = [
            class_id(theme, u.label_for(theme.name))
            for u in units
        ]
        y[theme.name] = np.array(ids, dtype=np.int64)
    return y


def split_breakdowns(split: SplitData, pred: dict[str, np.ndarray], probs: np.ndarray) -> dict[str, Any]:
    """F1 by sentence length and section kind, and calibration, for one split's predictions."""
    words = [len(u.text.split()) for u in split.units]
    return breakdowns(split.y, pred, probs, words, [u.section for u in split.units])


def make_split(units: list[Unit]) -> SplitData:
    """Wrap units with their encoded labels."""
    return SplitData(units, encode_labels(units))


def data_hash(records: list[Record], splits: dict[str, str]) -> str:
    """A stable hash of the training data and its split, written into every model directory."""
    h = hashlib.sha256()
    for rec in sorted(records, key=lambda r: r.id):
        h.update(json.dumps(rec.to_json(), sort_keys=True, ensure_ascii=False).encode())
    h.update(json.dumps(splits, sort_keys=True).encode())
    return h.hexdigest()


def load_splits(
    corpus: list[str], splits_path: str, train_fraction: float = 1.0, seed: int = 13
) -> tuple[dict[str, SplitData], list[Record], dict[str, str]]:
    """Load, validate and split the corpus by document, going through a `datasets.Dataset` as the issue asks.

    `train_fraction` < 1 keeps that share of training documents (for learning curves), never of sentences.
    """
    # datasets (the training extra) takes seconds to import; only runs that load the corpus pay for it.
    from reviewlens.training.corpus.hf_dataset import to_dataset

    records = load_corpus(list(corpus))
    splits = read_splits(Path(splits_path))
    missing = sorted({r.document_id for r in records} - set(splits))
    if missing:
        raise ValueError(
            f"{splits_path}: documents without a split: {missing[:10]} (run `reviewlens annotations split`)"
        )
    dataset = to_dataset(records, splits)
    units_by_split: dict[str, list[Unit]] = {name: [] for name in SPLIT_NAMES}
    themes = [t.name for t in THEMES]
    for row in dataset:
        labels = tuple(sorted(row[theme] for theme in themes if row[theme]))
        unit = Unit(
            row["record_id"], row["document_id"], row["start"], row["end"], row["text"], labels, row["section"],
            row["paragraph"],
        )
        units_by_split[row["split"]].append(unit)
    if train_fraction < 1.0:
        docs = sorted({u.document_id for u in units_by_split["train"]})
        keep = set(random.Random(seed).sample(docs, max(1, round(len(docs) * train_fraction))))
        units_by_split["train"] = [u for u in units_by_split["train"] if u.document_id in keep]
    return {k: make_split(v) for k, v in units_by_split.items()}, records, splits
