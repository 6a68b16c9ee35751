"""The label schema: themes, their labels, and what each label means for a reviewer.

Everything that names a label (training, scoring, flags, the API) reads it from here, so a schema change is one
edit plus a version bump.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Theme:
    """A theme groups mutually exclusive sentence labels (a sentence gets at most one per theme)."""

    name: str
    labels: tuple[str, str]
    title: str


THEMES: tuple[Theme, ...] = (
    Theme("analysis_depth", ("DESCRIPTIVE", "ANALYTICAL"), "What happened vs why"),
    Theme("cultural_competence", ("IDENTITY_MENTION", "CULTURAL_ANALYSIS"), "Culture, ethnicity and identity"),
    Theme("risk_reasoning", ("RISK_UNSUPPORTED", "RISK_REASONED"), "Risk-assessment reasoning"),
)

THEME_BY_NAME: dict[str, Theme] = {t.name: t for t in THEMES}
LABELS: tuple[str, ...] = tuple(label for t in THEMES for label in t.labels)
THEME_OF_LABEL: dict[str, str] = {label: t.name for t in THEMES for label in t.labels}

# What a reviewer reads instead of a label name: the page, the rule pages and the LanguageTool door use these.
PLAIN_LABELS: dict[str, str] = {
    "DESCRIPTIVE": "Narrates without explaining why",
    "ANALYTICAL": "Explains why",
    "IDENTITY_MENTION": "Identity mentioned, not analysed",
    "CULTURAL_ANALYSIS": "Considers identity and culture",
    "RISK_UNSUPPORTED": "Risk judgement without grounds",
    "RISK_REASONED": "Risk judgement with its grounds",
}

# Strengths are what the Panel asks reviews to do more of; the rest are the weaknesses reviewlens exists to flag.
STRENGTH_LABELS = frozenset({"ANALYTICAL", "CULTURAL_ANALYSIS", "RISK_REASONED"})

IDENTITY_SUBJECTS = ("child", "sibling", "parent_carer", "household", "professional", "community", "unspecified")
IDENTITY_FACETS = (
    "ethnicity_race",
    "nationality_immigration",
    "religion",
    "language",
    "culture_community",
    "gender_sexuality",
    "disability",
    "other",
)

SECTION_KINDS = (
    "front_matter",
    "methodology",
    "background",
    "chronology",
    "analysis",
    "learning",
    "recommendations",
    "appendix",
    "unknown",
)

# Where descriptive writing is expected (its DESCRIPTIVE findings are `info`, and it is left out of the
# analytical share) and where the analytical share is counted; `unknown` (no headings) counts as analysis.
NARRATIVE_SECTIONS = frozenset({"front_matter", "background", "chronology", "appendix", "methodology"})
ANALYSIS_SECTIONS = frozenset({"analysis", "learning", "unknown"})

DOC_KINDS = ("lcspr", "rapid_review", "scr", "cpr", "briefing", "other")


def theme_of(label: str) -> str:
    """Return the theme a label belongs to, or raise KeyError naming the unknown label."""
    try:
        return THEME_OF_LABEL[label]
    except KeyError:
        raise KeyError(f"unknown label {label!r}; known labels: {', '.join(LABELS)}") from None


def class_id(theme: Theme, label: str | None) -> int:
    """The class a label takes in its theme's three-way decision: 0 none, 1 the first label, 2 the second."""
    return 0 if label is None else 1 + theme.labels.index(label)

