"""The paragraph at the top of a result: what the review does well and the three things to look at first.

Built from the counts, the raised flags and the concerns alone, so it says nothing the findings do not show.
"""

from __future__ import annotations

from collections import Counter

from reviewlens.models.findings import FLAG_TEXT
from reviewlens.models.labels import PLAIN_LABELS, STRENGTH_LABELS, THEME_OF_LABEL
from reviewlens.models.schema import DocumentFlag, Finding, ThemeSummary

_STRENGTH_PHRASES = {
    "ANALYTICAL": "{n} sentence{s} explain{v} why",
    "CULTURAL_ANALYSIS": "{n} consider{v} how identity and culture shaped events",
    "RISK_REASONED": "{n} give{v} the grounds of a risk judgement",
}
QUOTE_CHARS = 70


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= QUOTE_CHARS else f"“{text[: QUOTE_CHARS - 1].rstrip()}…”"


def _does_well(summary: dict[str, ThemeSummary]) -> str:
    parts = []
    for theme in summary.values():
        for label, n in theme.counts.items():
            if label in STRENGTH_LABELS and n:
                one = n == 1
                parts.append(_STRENGTH_PHRASES[label].format(n=n, s="" if one else "s", v="s" if one else ""))
    if not parts:
        return "No sentence yet explains why, considers identity and culture, or gives the grounds of a risk judgement."
    text = "; ".join(parts)
    depth = summary.get("analysis_depth")
    if depth is not None and depth.share is not None:
        text += f" ({depth.share:.0%} of the analysis explains rather than narrates)"
    return f"What the review does well: {text}."


def _priorities(flags: list[DocumentFlag], findings: list[Finding], limit: int = 3) -> list[str]:
    out: list[str] = []
    flagged_themes: set[str] = set()
    for flag in flags:
        if flag.status == "raised" and flag.severity == "concern":
            out.append(f"{FLAG_TEXT[flag.id][0].lower()}: {flag.rationale.split('. ')[0].rstrip('.')}")
            flagged_themes.add(flag.theme)
    concerns = [f for f in findings if f.scope == "span" and f.severity == "concern"]
    counts = Counter(f.label for f in concerns)
    # The most frequent kind of concern first. A theme a raised flag already names comes after the others, and
    # then as the sentence to start with, so three different things are named whenever there are three.
    ranked = sorted(counts.items(), key=lambda kv: (THEME_OF_LABEL[kv[0]] in flagged_themes, -kv[1], kv[0]))
    for label, n in ranked:
        worst = max((f for f in concerns if f.label == label), key=lambda f: f.score)
        if THEME_OF_LABEL[label] in flagged_themes:
            out.append(f"start with {_quote(worst.text)} ({n} × {PLAIN_LABELS[label].lower()} in all)")
        else:
            out.append(f"{n} × {PLAIN_LABELS[label].lower()}, most clearly {_quote(worst.text)}")
    return out[:limit]


def overview(summary: dict[str, ThemeSummary], flags: list[DocumentFlag], findings: list[Finding]) -> str:
    """One paragraph: the strengths found, then up to three things to look at first."""
    priorities = _priorities(flags, findings)
    if priorities:
        numbered = "; ".join(f"({i}) {p}" for i, p in enumerate(priorities, 1))
        first = f"Look first at: {numbered}."
    else:
        first = "Nothing stands out as a concern."
    return f"{_does_well(summary)} {first}"
