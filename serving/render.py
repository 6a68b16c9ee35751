"""Renderings of an AnalysisResult for people: the reviewer's workspace page (HTML, shared by `GET /`, the API's
`?format=html` and `reviewlens analyze --format html`) and a terminal listing.

The HTML comes from one Jinja2 template folder, `serving/templates/`. The page's stylesheet and script are
inlined, so a saved result works offline and with no server; nothing is fetched from anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from reviewlens.models.findings import FLAG_TEXT
from reviewlens.models.labels import DOC_KINDS, PLAIN_LABELS, STRENGTH_LABELS, THEMES, Theme
from reviewlens.models.schema import SEVERITIES, AnalysisResult, Finding

TEMPLATES = Path(__file__).parent / "templates"
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
# What the page shows before the reader touches a filter: concerns and strengths. Narration in a chronology and
# identity that is analysed later (`info`) is one tick away, rather than most of the highlights on the page.
SHOWN_SEVERITIES = ("concern", "strength")
SEVERITY_WORDS = {"concern": "Concern", "strength": "Strength", "info": "For information"}
# Colour-blind-safe theme colours (Okabe-Ito), each also named in the legend and on every finding.
THEME_COLOURS = {"analysis_depth": "#0072b2", "cultural_competence": "#cc79a7", "risk_reasoning": "#d55e00"}
FLAG_TITLES = {flag_id: short for flag_id, (short, _question) in FLAG_TEXT.items()}


@cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment over `serving/templates/` (autoescaped; undefined names are errors)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{v:.0%}"
    return env


@dataclass
class Highlight:
    """One highlighted sentence and every finding on it (two themes on one sentence share one highlight)."""

    offset: int
    length: int
    findings: list[tuple[str, Finding]] = field(default_factory=list)
    text: str = ""

    @property
    def severity(self) -> str:
        """The most serious severity among its findings (it decides the highlight's background)."""
        return min((f.severity for _, f in self.findings), key=SEVERITY_ORDER.__getitem__)


def _segments(text: str, findings: list[tuple[str, Finding]]) -> list[str | Highlight]:
    """The text cut into plain strings and highlights, in order; overlapping sentences are never marked twice."""
    by_offset: dict[int, Highlight] = {}
    for fid, f in findings:
        h = by_offset.setdefault(f.offset, Highlight(f.offset, f.length))
        h.length = max(h.length, f.length)
        h.findings.append((fid, f))
    out: list[str | Highlight] = []
    pos = 0
    for offset in sorted(by_offset):
        h = by_offset[offset]
        if offset < pos:
            continue
        out.append(text[pos:offset])
        h.text = text[offset : offset + h.length]
        out.append(h)
        pos = offset + h.length
    out.append(text[pos:])
    return out


@dataclass
class ThemeGroup:
    """The side panel's findings of one theme."""

    theme: Theme
    findings: list[tuple[str, Finding]]
    concerns: int

    @property
    def shown(self) -> bool:
        """Whether any of its findings is shown before the reader changes a filter."""
        return any(f.severity in SHOWN_SEVERITIES for _, f in self.findings)


def _groups(findings: list[tuple[str, Finding]]) -> list[ThemeGroup]:
    """Span findings grouped by theme: themes with most concerns first, concerns first within each theme."""
    groups = []
    for theme in THEMES:
        items = [(fid, f) for fid, f in findings if f.theme == theme.name]
        if not items:
            continue
        items.sort(key=lambda p: (SEVERITY_ORDER[p[1].severity], p[1].offset))
        concerns = sum(1 for _, f in items if f.severity == "concern")
        groups.append(ThemeGroup(theme, items, concerns))
    groups.sort(key=lambda g: -g.concerns)
    return groups


def _evidence(text: str, f: Finding) -> list[dict[str, Any]]:
    out = []
    for e in f.evidence:
        if e.kind == "sentence" and e.offset is not None and e.length is not None:
            out.append({"kind": "sentence", "description": e.description, "offset": e.offset,
                        "text": text[e.offset : e.offset + e.length]})
        else:
            value = "" if e.value is None else f"{e.value:g}"
            out.append({"kind": "count", "description": e.description, "value": value})
    return out


def page_context(
    text: str | None = None, result: AnalysisResult | None = None, *, api_key_required: bool = False, root: str = "",
    tiers: Sequence[str] = ("fast",),
) -> dict[str, Any]:
    """Everything the workspace template needs; `result` is None for the empty page, `root` the app's mount path,
    `tiers` the tiers the service answers with (the page offers a choice only where there are two)."""
    context: dict[str, Any] = {
        "root": root.rstrip("/"),
        "themes": THEMES,
        "theme_colours": THEME_COLOURS,
        "severities": SEVERITIES,
        "severity_words": SEVERITY_WORDS,
        "shown_severities": SHOWN_SEVERITIES,
        "plain_labels": PLAIN_LABELS,
        "strength_labels": STRENGTH_LABELS,
        "flag_titles": FLAG_TITLES,
        "doc_kinds": DOC_KINDS,
        "api_key_required": api_key_required,
        "tiers": list(tiers),
        "result": None,
    }
    if result is None or text is None:
        return context
    spans = [(f"f{i}", f) for i, f in enumerate(result.findings) if f.scope == "span"]
    flags = [f for f in result.findings if f.scope == "document"]
    counts = {s: sum(1 for _, f in spans if f.severity == s) for s in SEVERITIES}
    # The data the page's script exports (Markdown, CSV, JSON): the findings as shown, no more of the draft.
    export = [
        {"id": fid, "theme": f.theme, "label": f.label, "title": PLAIN_LABELS.get(f.label, f.label),
         "severity": f.severity, "section": f.section, "page": f.page, "offset": f.offset, "length": f.length,
         "text": f.text, "message": f.message, "question": f.question, "score": f.score}
        for fid, f in spans
    ]
    context |= {
        "result": result,
        "segments": _segments(text, spans),
        "groups": _groups(spans),
        "flags": [{"finding": f, "title": FLAG_TITLES.get(f.label, f.short_message), "evidence": _evidence(text, f)}
                  for f in flags],
        "counts": counts,
        "total": len(spans),
        "shown": sum(1 for _, f in spans if f.severity in SHOWN_SEVERITIES),
        # Every `<` is a JSON escape, so no sentence can close (or open) a script element around the data.
        "export_json": json.dumps({"model": result.model.model_dump(), "overview": result.overview,
                                   "findings": export}, ensure_ascii=False).replace("<", "\\u003c"),
    }
    return context


def render_page(
    text: str | None = None, result: AnalysisResult | None = None, *, api_key_required: bool = False, root: str = "",
    tiers: Sequence[str] = ("fast",),
) -> str:
    """The workspace page: the paste form, and the highlighted draft with its findings when a result is given."""
    template = environment().get_template("workspace.html.j2")
    return template.render(**page_context(text, result, api_key_required=api_key_required, root=root, tiers=tiers))


def render_html(text: str, result: AnalysisResult, *, api_key_required: bool = False, root: str = "") -> str:
    """The text with its findings: highlights by theme and severity, a side panel, flags, legend and filters."""
    return render_page(text, result, api_key_required=api_key_required, root=root)


def render_text(result: AnalysisResult) -> str:
    """A terminal listing: the overview, flags first, then concerns with their questions, then a count of strengths."""
    lines = [f"reviewlens ({result.model.name} {result.model.version}, {result.model.tier} tier): "
             f"{result.document.sentences} sentences, "
             f"{len(result.document.sections)} sections"]
    if result.overview:
        lines.append(result.overview)
    for theme in result.summary.values():
        share = "n/a" if theme.share is None else f"{theme.share:.0%}"
        lines.append(f"  {theme.title}: {theme.counts} share {share}")
    for flag in result.flags:
        lines.append(f"[{flag.status.upper()}] {flag.id}: {flag.rationale}")
    concerns = [f for f in result.findings if f.scope == "span" and f.severity == "concern"]
    lines.append(f"\n{len(concerns)} concern(s):")
    for f in concerns:
        where = f" p.{f.page}" if f.page else ""
        lines.append(f"- {PLAIN_LABELS.get(f.label, f.label)} ({f.score:.2f}, {f.section}{where}) @{f.offset}: "
                     f"{f.text}\n    ? {f.question}")
    strengths = sum(1 for f in result.findings if f.severity == "strength")
    lines.append(f"\n{strengths} strength(s).")
    return "\n".join(lines)
