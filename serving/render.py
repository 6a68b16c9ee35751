"""Renderings of an AnalysisResult for people: highlighted HTML (API and CLI) and a terminal listing."""

from __future__ import annotations

import html

from reviewlens.models.schema import AnalysisResult, Finding

_COLOURS = {"concern": "#ffd7d7", "strength": "#d9f2d9", "info": "#eeeeee"}
_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>reviewlens</title>
<style>
body{{font-family:Georgia,serif;max-width:52rem;margin:2rem auto;line-height:1.6;color:#222}}
.doc{{white-space:pre-wrap}} mark{{border-radius:3px;padding:0 1px;cursor:help}}
mark .lbl{{font:600 0.6em/1 sans-serif;margin-left:3px;padding:1px 3px;border-radius:2px;background:#fff8}}
.concern{{background:{concern}}} .strength{{background:{strength}}} .info{{background:{info}}}
.flags li{{margin-bottom:.4rem}} .q{{font-style:italic}}
</style></head><body>
<h1>reviewlens</h1>
<p>Model {model}. Hover over a highlight for the message and a question to reflect on.</p>
<h2>Document flags</h2><ul class="flags">{flags}</ul>
<h2>Text</h2><div class="doc">{body}</div>
</body></html>"""


def _primary(findings: list[Finding]) -> dict[int, list[Finding]]:
    by_offset: dict[int, list[Finding]] = {}
    for f in findings:
        if f.scope == "span":
            by_offset.setdefault(f.offset, []).append(f)
    return by_offset


def _rank(f: Finding) -> int:
    return {"concern": 0, "strength": 1, "info": 2}[f.severity]


def render_html(text: str, result: AnalysisResult) -> str:
    """The text with each labelled sentence highlighted (colour by its most serious finding), displaCy-style."""
    spans = _primary(result.findings)
    parts: list[str] = []
    pos = 0
    for offset in sorted(spans):
        group = sorted(spans[offset], key=_rank)
        end = offset + group[0].length
        if offset < pos:
            continue
        parts.append(html.escape(text[pos:offset]))
        tip = "\n\n".join(f"{f.label}: {f.message}\nQuestion: {f.question}" for f in group)
        labels = "".join(f'<span class="lbl">{html.escape(f.label)}</span>' for f in group)
        parts.append(
            f'<mark class="{group[0].severity}" title="{html.escape(tip, quote=True)}">'
            f"{html.escape(text[offset:end])}{labels}</mark>"
        )
        pos = end
    parts.append(html.escape(text[pos:]))
    flags = "".join(
        f"<li><b>{html.escape(f.short_message)}</b>: {html.escape(f.message)} "
        f'<span class="q">{html.escape(f.question)}</span></li>'
        for f in result.findings
        if f.scope == "document"
    ) or "<li>No document flag raised.</li>"
    return _PAGE.format(
        model=html.escape(f"{result.model.name} {result.model.version}"), flags=flags, body="".join(parts), **_COLOURS
    )


def render_text(result: AnalysisResult) -> str:
    """A terminal listing: flags first, then concerns with their questions, then a count of strengths."""
    lines = [f"reviewlens ({result.model.name} {result.model.version}): {result.document.sentences} sentences, "
             f"{len(result.document.sections)} sections"]
    for theme in result.summary.values():
        share = "n/a" if theme.share is None else f"{theme.share:.0%}"
        lines.append(f"  {theme.title}: {theme.counts} share {share}")
    for flag in result.flags:
        lines.append(f"[{flag.status.upper()}] {flag.id}: {flag.rationale}")
    concerns = [f for f in result.findings if f.scope == "span" and f.severity == "concern"]
    lines.append(f"\n{len(concerns)} concern(s):")
    for f in concerns:
        where = f" p.{f.page}" if f.page else ""
        lines.append(f"- {f.label} ({f.score:.2f}, {f.section}{where}) @{f.offset}: {f.text}\n    ? {f.question}")
    strengths = sum(1 for f in result.findings if f.severity == "strength")
    lines.append(f"\n{strengths} strength(s).")
    return "\n".join(lines)
