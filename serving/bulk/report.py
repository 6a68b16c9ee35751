"""`reviewlens report`: one self-contained HTML page about everything a store holds for one model.

Aggregates come from SQL (so the report's memory follows the number of distinct values, not of findings;
only one share per document per theme is loaded, for the histograms). Plots are matplotlib SVG inlined in
the page, so it opens offline and prints crisply.
"""

from __future__ import annotations

import io
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from reviewlens.models.labels import STRENGTH_LABELS, THEMES
from reviewlens.models.schema import AnalysisResult
from reviewlens.serving.bulk.store import Store, now

TEMPLATE = "report.html.j2"
# Metadata columns with more distinct values than this are identifiers, not groupings worth a table.
MAX_GROUPS = 30
LINKS_PER_SENTENCE = 5
_FLAT = "replace(replace(text, char(13), ''), char(10), ' ')"


class ReportError(RuntimeError):
    """Nothing to report: an empty store, or no results for the model asked for."""


@dataclass
class ThemeSection:
    """Everything the report shows for one theme."""

    name: str
    title: str
    strength: str
    share_of: str
    shares: list[float]
    plots: list[Markup] = field(default_factory=list)
    concerns: list[dict[str, Any]] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        """Mean share over documents that have one."""
        return sum(self.shares) / len(self.shares) if self.shares else None

    @property
    def median(self) -> float | None:
        """Median share over documents that have one."""
        if not self.shares:
            return None
        s = sorted(self.shares)
        mid = len(s) // 2
        return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


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
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
    from matplotlib.figure import Figure

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


def _strength(labels: tuple[str, str]) -> str:
    return next(label for label in labels if label in STRENGTH_LABELS)


def _link(path: str | None, page: int | None) -> str | None:
    if not path:
        return None
    uri = Path(path).absolute().as_uri()
    return f"{uri}#page={page}" if page else uri


class _Collector:
    """The report's numbers for one model, straight from SQL."""

    def __init__(self, db: sqlite3.Connection, model: str, top: int) -> None:
        self.db = db
        self.model = model
        self.top = top

    def q(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return self.db.execute(sql, (self.model, *args)).fetchall()

    def counts(self) -> dict[str, Any]:
        status = {r["status"]: r["n"] for r in self.q(
            "SELECT status, count(*) AS n FROM scores WHERE model = ? GROUP BY status")}
        size = self.q(
            "SELECT coalesce(sum(d.pages), 0) AS pages, coalesce(sum(d.words), 0) AS words FROM scores s "
            "JOIN documents d USING (doc_hash) WHERE s.model = ? AND s.status = 'ok'")[0]
        runs = self.q("SELECT count(*) AS n, min(started_at) AS first, max(coalesce(finished_at, started_at)) "
                      "AS last FROM runs WHERE model = ?")[0]
        return {"ok": status.get("ok", 0), "failed": status.get("failed", 0), "pages": size["pages"],
                "words": size["words"], "runs": runs["n"], "first": runs["first"], "last": runs["last"]}

    def share_of(self) -> dict[str, str]:
        """What each theme's share counts, as the results themselves say."""
        row = self.q("SELECT result FROM scores WHERE model = ? AND status = 'ok' LIMIT 1")
        if not row:
            return {}
        result = AnalysisResult.model_validate_json(row[0]["result"])
        return {name: summary.share_of for name, summary in result.summary.items()}

    def shares(self, theme: str) -> list[float]:
        return [r[0] for r in self.q(
            "SELECT share FROM themes WHERE model = ? AND theme = ? AND share IS NOT NULL", theme)]

    def flags(self, scored: int) -> list[dict[str, Any]]:
        rows = self.q(
            "SELECT flag_id, theme, sum(status = 'raised') AS raised, sum(status = 'insufficient_text') AS unsure "
            "FROM flags WHERE model = ? GROUP BY flag_id, theme ORDER BY theme, flag_id")
        return [{**dict(r), "share": r["raised"] / scored if scored else 0.0} for r in rows]

    def by_group(self, column: str) -> tuple[dict[str, dict[Any, float]], dict[str, dict[Any, float]]]:
        """Mean share per theme, and share of documents with each flag raised, per value of a document column."""
        themes: dict[str, dict[Any, float]] = defaultdict(dict)
        for r in self.q(
            f"SELECT d.{column} AS g, t.theme, avg(t.share) AS v FROM themes t JOIN documents d USING (doc_hash) "
            f"WHERE t.model = ? AND d.{column} IS NOT NULL AND t.share IS NOT NULL GROUP BY g, t.theme"
        ):
            themes[r["theme"]][r["g"]] = r["v"]
        flags: dict[str, dict[Any, float]] = defaultdict(dict)
        for r in self.q(
            f"SELECT d.{column} AS g, f.flag_id, avg(f.status = 'raised') AS v FROM flags f "
            f"JOIN documents d USING (doc_hash) WHERE f.model = ? AND d.{column} IS NOT NULL GROUP BY g, f.flag_id"
        ):
            flags[r["flag_id"]][r["g"]] = r["v"]
        return dict(themes), dict(flags)

    def metadata_tables(self) -> list[dict[str, Any]]:
        """For each metadata column with a handful of values: documents and mean shares per value."""
        keys = [r[0] for r in self.q(
            "SELECT DISTINCT j.key FROM scores s JOIN documents d USING (doc_hash), json_each(d.metadata) j "
            "WHERE s.model = ? AND s.status = 'ok' ORDER BY j.key")]
        tables = []
        for key in keys:
            if key in ("year", "doc_kind"):
                continue  # plotted as trends instead
            path = f'$."{key}"'
            rows = self.q(
                "SELECT json_extract(d.metadata, ?2) AS value, count(DISTINCT s.doc_hash) AS documents, "
                + ", ".join(
                    f"avg(CASE WHEN t.theme = '{t.name}' THEN t.share END) AS {t.name}" for t in THEMES
                )
                + " FROM scores s JOIN documents d USING (doc_hash) LEFT JOIN themes t "
                "ON t.doc_hash = s.doc_hash AND t.model = s.model WHERE s.model = ?1 AND s.status = 'ok' "
                "AND json_extract(d.metadata, ?2) IS NOT NULL GROUP BY value ORDER BY value",
                path,
            )
            if 1 < len(rows) <= MAX_GROUPS:
                tables.append({"column": key, "rows": [dict(r) for r in rows]})
        return tables

    def concerns(self, theme: str) -> list[dict[str, Any]]:
        """The most frequent concern sentences of a theme, each with links to where it occurs."""
        out = []
        # A sentence wraps differently in each PDF: compare it with its line breaks as spaces.
        for r in self.q(
            f"SELECT label, {_FLAT} AS flat, min(message) AS message, count(*) AS n, "
            "count(DISTINCT doc_hash) AS documents FROM findings "
            "WHERE model = ? AND theme = ? AND severity = 'concern' AND scope = 'span' "
            "GROUP BY label, flat ORDER BY n DESC, documents DESC, flat LIMIT ?",
            theme, self.top,
        ):
            places = self.q(
                "SELECT f.page, d.name, d.path FROM findings f JOIN documents d USING (doc_hash) WHERE f.model = ? "
                f"AND f.theme = ? AND f.label = ? AND f.severity = 'concern' AND {_FLAT.replace('text', 'f.text')} = ? "
                "ORDER BY d.name, f.page LIMIT ?",
                theme, r["label"], r["flat"], LINKS_PER_SENTENCE,
            )
            out.append({"label": r["label"], "text": r["flat"], "message": r["message"], "n": r["n"],
                        "documents": r["documents"], "places": [
                            {"name": p["name"], "page": p["page"], "href": _link(p["path"], p["page"])}
                            for p in places
                        ]})
        return out


def collect(store: Store, model: str | None = None, top: int = 10) -> dict[str, Any]:
    """The template's context: counts, per-theme sections with plots, flags, trends, groups and failures."""
    model = model or store.latest_model()
    if model is None:
        raise ReportError(f"{store.path} holds no scored documents yet")
    c = _Collector(store.db, model, top)
    counts = c.counts()
    if counts["ok"] + counts["failed"] == 0:
        known = [r[0] for r in store.db.execute("SELECT DISTINCT model FROM scores")]
        raise ReportError(f"no results for model {model} in {store.path}; it has {', '.join(known) or 'none'}")
    years_themes, years_flags = c.by_group("year")
    kinds_themes, kinds_flags = c.by_group("doc_kind")
    share_of = c.share_of()
    sections = []
    for theme in THEMES:
        section = ThemeSection(
            theme.name, theme.title, _strength(theme.labels), share_of.get(theme.name, ""), c.shares(theme.name)
        )
        section.plots.append(histogram(section.shares, f"{theme.title}: {section.strength} share", f"h-{theme.name}"))
        if theme.name in years_themes:
            section.plots.append(trend({theme.title: years_themes[theme.name]}, "Mean share by year", "mean share",
                                       f"y-{theme.name}"))
        if theme.name in kinds_themes:
            section.plots.append(trend({theme.title: kinds_themes[theme.name]}, "Mean share by doc_kind",
                                       "mean share", f"k-{theme.name}", bars=True))
        section.concerns = c.concerns(theme.name)
        sections.append(section)
    flags = c.flags(counts["ok"])
    flag_plots = [flag_bars(flags, "flags")] if flags else []
    if years_flags:
        flag_plots.append(trend(years_flags, "Documents with each flag raised, by year", "share", "flags-year"))
    if kinds_flags:
        flag_plots.append(trend(kinds_flags, "Documents with each flag raised, by doc_kind", "share", "flags-kind",
                                bars=True))
    failures = [dict(r) for r in store.failures(model)]
    for f in failures:
        f["href"] = _link(f["path"], None)
    return {
        "model": model,
        "store": str(store.path),
        "generated": now(),
        "counts": counts,
        "themes": sections,
        "flags": flags,
        "flag_plots": flag_plots,
        "has_years": bool(years_themes or years_flags),
        "has_kinds": bool(kinds_themes or kinds_flags),
        "groups": c.metadata_tables(),
        "failures": failures,
        "theme_names": [t.name for t in THEMES],
    }


def render(context: dict[str, Any]) -> str:
    """The HTML page for a context from `collect`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.0%}"
    env.filters["num"] = lambda v: f"{v:,}"
    return env.get_template(TEMPLATE).render(**context)


def write_report(store_path: Path, out: Path, model: str | None = None, top: int = 10) -> Path:
    """Write the HTML report for one model's results in a store; returns the path written."""
    with Store(store_path) as store:
        html = render(collect(store, model, top))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
