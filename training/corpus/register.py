"""How close the corpus is to the register of real reviews, measured rather than asserted.

A model learns whatever separates its labels. If sentence length alone separates them, or every document is
either all-analytical or all-descriptive, or identity is mentioned in every fourth sentence, it learns that and
fails on real reviews. These measures make those shortcuts visible; `tests/test_corpus.py` keeps them inside
the ranges written in `annotations/README.md`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from reviewlens.models.labels import ANALYSIS_SECTIONS, STRENGTH_LABELS, THEMES
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.units import Unit, record_units

# Sections whose analysis_depth labels make up a document's analytical share (as the flag counts them).
SHARE_SECTIONS = ANALYSIS_SECTIONS


def length_auc(stronger: list[int], weaker: list[int]) -> float:
    """P(a stronger-label sentence is longer than a weaker-label one), ties counted half (Mann-Whitney U / n·m).

    0.5 means length says nothing about the label; real reviews sit near 0.72 in every theme.
    """
    if not stronger or not weaker:
        return float("nan")
    ranked = sorted([(v, 1) for v in stronger] + [(v, 0) for v in weaker])
    # Average ranks over ties, then U from the stronger group's rank sum.
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mean_rank = (i + 1 + j) / 2
        rank_sum += mean_rank * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    n, m = len(stronger), len(weaker)
    return (rank_sum - n * (n + 1) / 2) / (n * m)


@dataclass(frozen=True)
class RegisterReport:
    """The corpus's surface statistics per theme and per document."""

    sentences: int
    length_auc: dict[str, float]
    density: dict[str, float]
    label_share: dict[str, float]
    document_shares: dict[str, float]


def _units(records: list[Record]) -> list[Unit]:
    return [u for r in records for u in record_units(r)]


def register_report(records: list[Record]) -> RegisterReport:
    """Length AUC and label density per theme, label shares, and each document's analytical share."""
    units = _units(records)
    n = len(units) or 1
    lengths: dict[str, list[int]] = defaultdict(list)
    for u in units:
        for label in u.labels:
            lengths[label].append(len(u.text.split()))
    auc = {}
    density = {}
    for theme in THEMES:
        strong = next(label for label in theme.labels if label in STRENGTH_LABELS)
        weak = next(label for label in theme.labels if label != strong)
        auc[theme.name] = round(length_auc(lengths[strong], lengths[weak]), 3)
        density[theme.name] = round(sum(1 for u in units if u.label_for(theme.name)) / n, 3)
    label_share = {label: round(len(v) / n, 3) for label, v in sorted(lengths.items())}
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for u in units:
        depth = u.label_for("analysis_depth")
        if u.section in SHARE_SECTIONS and depth:
            counted[u.document_id][0] += depth == "ANALYTICAL"
            counted[u.document_id][1] += 1
    shares = {doc: round(a / t, 3) for doc, (a, t) in sorted(counted.items()) if t >= 10}
    return RegisterReport(len(units), auc, density, label_share, shares)


def widest_gap(values: list[float], low: float = 0.1, high: float = 0.9) -> float:
    """The widest band of [low, high] that no value falls in (the values spread the band when this is small)."""
    points = sorted([low, *[v for v in values if low <= v <= high], high])
    return max(b - a for a, b in pairwise(points))


def render_register(report: RegisterReport) -> str:
    """Plain-text summary for `reviewlens annotations stats`."""
    lines = ["register (see annotations/README.md for the ranges the tests keep)"]
    lines.append(f"  {'theme':<22}{'length AUC':>11}{'density':>9}")
    for theme in THEMES:
        lines.append(f"  {theme.name:<22}{report.length_auc[theme.name]:>11.3f}{report.density[theme.name]:>9.3f}")
    lines.append("  label share of all sentences: " + ", ".join(f"{k} {v:.3f}" for k, v in report.label_share.items()))
    shares = sorted(report.document_shares.values())
    if shares:
        lines.append(
            f"  analytical share in analysis+learning over {len(shares)} documents: min {shares[0]:.2f}, "
            f"median {shares[len(shares) // 2]:.2f}, max {shares[-1]:.2f}, widest empty band in 0.1-0.9 "
            f"{widest_gap(shares):.2f}"
        )
    return "\n".join(lines)
