"""`reviewlens report`: one self-contained HTML page about everything a store holds for one model.

Aggregates come from SQL (so the report's memory follows the number of distinct values, not of findings;
only one share per document per theme is loaded, for the histograms). Plots are matplotlib SVG inlined in
the page, so it opens offline and prints crisply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from reviewlens.models.labels import THEMES
from reviewlens.serving.bulk.report.data import Collector, ReportError, ThemeSection, link, strength_label
from reviewlens.serving.bulk.report.plots import flag_bars, histogram, trend
from reviewlens.serving.bulk.store import Store, now

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE = "report.html.j2"


def collect(store: Store, model: str | None = None, top: int = 10) -> dict[str, Any]:
    """The template's context: counts, per-theme sections with plots, flags, trends, groups and failures."""
    model = model or store.latest_model()
    if model is None:
        raise ReportError(f"{store.path} holds no scored documents yet")
    c = Collector(store, model, top)
    counts = c.counts()
    if counts["ok"] + counts["failed"] == 0:
        known = [r[0] for r in store.read("SELECT DISTINCT model FROM scores")]
        raise ReportError(f"no results for model {model} in {store.path}; it has {', '.join(known) or 'none'}")
    years_themes, years_flags = c.by_group("year")
    kinds_themes, kinds_flags = c.by_group("doc_kind")
    share_of = c.share_of()
    sections = []
    for theme in THEMES:
        section = ThemeSection(
            theme.name, theme.title, strength_label(theme.labels), share_of.get(theme.name, ""), c.shares(theme.name)
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
        f["href"] = link(f["path"], None)
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
        loader=jinja2.FileSystemLoader(TEMPLATES),
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
