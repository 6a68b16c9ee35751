"""The report's plots: matplotlib figures (no pyplot state) written as SVG and inlined in the page."""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib
from markupsafe import Markup
from matplotlib.figure import Figure


def _svg(fig: Any, name: str) -> Markup:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    # Inline SVG needs no XML prolog or doctype; both precede the <svg> element.
    text = text[text.index("<svg") :]
    # matplotlib numbers its elements per figure (figure_1, patch_1...): prefix every id and every reference
    # to one, so that the page's ids stay unique and each figure's clip paths point at its own.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', text)
    return Markup(text)


def _figure(width: float = 6.0, height: float = 2.8) -> Any:
    # Figure, not pyplot: no global state and no GUI backend, so it works headless and in any thread.
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
    return Figure(figsize=(width, height), layout="constrained")


def histogram(values: list[float], title: str, name: str) -> Markup:
    """Distribution of per-document shares (0-1) as an SVG histogram."""
    fig = _figure()
    ax = fig.add_subplot()
    ax.hist(values, bins=[i / 20 for i in range(21)], color="#3b6ea5", edgecolor="white")
    ax.set_xlim(0, 1)
    ax.set_xlabel("share per document")
    ax.set_ylabel("documents")
    ax.set_title(title, fontsize=10)
    return _svg(fig, name)


def trend(series: dict[str, dict[Any, float]], title: str, ylabel: str, name: str, bars: bool = False) -> Markup:
    """Lines (or grouped bars) of a value per group, one series per key, as SVG."""
    fig = _figure()
    ax = fig.add_subplot()
    groups = sorted({g for values in series.values() for g in values}, key=str)
    if bars:
        width = 0.8 / max(1, len(series))
        for i, (label, values) in enumerate(series.items()):
            xs = [j + i * width for j in range(len(groups))]
            ax.bar(xs, [values.get(g, 0.0) for g in groups], width=width, label=label)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(groups))], [str(g) for g in groups])
    else:
        for label, values in series.items():
            xs = [g for g in groups if g in values]
            ax.plot([str(x) for x in xs], [values[x] for x in xs], marker="o", label=label)
    ax.set_ylim(0, 1)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if len(series) > 1:
        ax.legend(fontsize=7)
    return _svg(fig, name)


def flag_bars(rows: list[dict[str, Any]], name: str) -> Markup:
    """Share of documents with each flag raised, as horizontal SVG bars."""
    fig = _figure(height=0.45 * max(2, len(rows)) + 0.8)
    ax = fig.add_subplot()
    ax.barh([r["flag_id"] for r in rows], [r["share"] for r in rows], color="#b5523b")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("share of scored documents with the flag raised")
    return _svg(fig, name)


