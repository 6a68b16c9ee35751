"""A fixed train/dev/test split by document, stratified so every label appears in every split.

A fourth split, `challenge`, holds documents written and annotated independently of the training corpus. It is
never used for training, threshold tuning or model selection; `make_splits` never assigns it and keeps
documents already in it where they are.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from reviewlens.models.labels import LABELS
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.units import record_units

FIT_SPLITS = ("train", "dev", "test")
SPLIT_NAMES = (*FIT_SPLITS, "challenge")
DEFAULT_FRACTIONS = (0.6, 0.2, 0.2)


def _label_counts_by_document(records: list[Record]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for rec in records:
        c = counts[rec.document_id]
        for unit in record_units(rec):
            c.update(unit.labels)
            c["__sentences__"] += 1
    return counts


def make_splits(
    records: list[Record],
    seed: int = 13,
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
    tries: int = 2000,
    challenge: set[str] | None = None,
) -> dict[str, str]:
    """Assign each document to a split; among random assignments keep the one whose label mix best matches.

    Whole documents move together, so no sentence of a test review was seen in training. Documents named in
    `challenge` stay in the challenge split and take no part in the search.
    """
    held = set(challenge or ())
    by_doc = _label_counts_by_document([r for r in records if r.document_id not in held])
    docs = sorted(by_doc)
    if len(docs) < 3:
        raise ValueError(f"need at least 3 documents to split, found {len(docs)}")
    kinds = {r.document_id: r.doc_kind for r in records}
    total = sum(by_doc.values(), Counter())
    rng = random.Random(seed)
    best: tuple[float, dict[str, str]] | None = None
    for _ in range(tries):
        order = docs[:]
        rng.shuffle(order)
        # Stratify doc kinds first: deal each kind's documents round the splits in proportion.
        order.sort(key=lambda d: kinds[d])
        assignment: dict[str, str] = {}
        for kind in sorted(set(kinds.values())):
            group = [d for d in order if kinds[d] == kind]
            rng.shuffle(group)
            for i, d in enumerate(group):
                pos = (i + rng.random()) / len(group)
                assignment[d] = (
                    "train" if pos < fractions[0] else "dev" if pos < fractions[0] + fractions[1] else "test"
                )
        per_split = {s: sum((by_doc[d] for d in docs if assignment[d] == s), Counter()) for s in FIT_SPLITS}
        if any(per_split[s][label] == 0 for s in FIT_SPLITS for label in LABELS):
            continue
        cost = 0.0
        for s, frac in zip(FIT_SPLITS, fractions, strict=True):
            for label in (*LABELS, "__sentences__"):
                share = per_split[s][label] / max(total[label], 1)
                cost += (share - frac) ** 2
        if best is None or cost < best[0]:
            best = (cost, assignment)
    if best is None:
        raise ValueError("no split found with every label in every split; the corpus has too few documents")
    return dict(sorted({**best[1], **dict.fromkeys(held & {r.document_id for r in records}, "challenge")}.items()))


def write_splits(mapping: dict[str, str], path: Path) -> None:
    """Write the document → split mapping as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(mapping, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_splits(path: Path) -> dict[str, str]:
    """Read a document → split mapping, checking every value is a known split."""
    mapping = json.loads(path.read_text(encoding="utf-8"))
    bad = {k: v for k, v in mapping.items() if v not in SPLIT_NAMES}
    if bad:
        raise ValueError(f"{path}: unknown split names {bad}")
    return dict(mapping)
