"""Finding near-duplicate sentences (templated writing teaches a model the template, not the concept)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.units import record_units

DEFAULT_THRESHOLD = 0.8
_BLOCK = 2000


@dataclass(frozen=True)
class NearDuplicate:
    """Two sentences whose token sets overlap more than the threshold."""

    jaccard: float
    a_record: str
    a_text: str
    b_record: str
    b_text: str


def near_duplicates(records: list[Record], threshold: float = DEFAULT_THRESHOLD) -> list[NearDuplicate]:
    """Return sentence pairs (across the whole corpus) with token Jaccard similarity above `threshold`."""
    units = [u for r in records for u in record_units(r) if len(u.text.split()) >= 4]
    if len(units) < 2:
        return []
    vec = CountVectorizer(binary=True, lowercase=True, token_pattern=r"(?u)\b\w+\b")
    x = vec.fit_transform([u.text for u in units]).tocsr().astype(np.float32)
    sizes = np.asarray(x.sum(axis=1)).ravel()
    xt = x.T.tocsc()
    out: list[NearDuplicate] = []
    # Row blocks: common words make the full intersection matrix nearly dense (n² entries, gigabytes for a
    # corpus of ten thousand sentences); a block at a time keeps memory flat.
    for first in range(0, len(units), _BLOCK):
        inter = (x[first : first + _BLOCK] @ xt).tocoo()
        rows, cols, vals = inter.row + first, inter.col, inter.data
        mask = rows < cols
        rows, cols, vals = rows[mask], cols[mask], vals[mask]
        jac = vals / (sizes[rows] + sizes[cols] - vals)
        keep = jac > threshold
        out.extend(
            NearDuplicate(float(j), units[r].record_id, units[r].text, units[c].record_id, units[c].text)
            for r, c, j in zip(rows[keep], cols[keep], jac[keep], strict=True)
        )
    return sorted(out, key=lambda d: -d.jaccard)
