"""The one result schema, shared by the API, the CLI, the bulk store and the report.

Offsets are Unicode code points into the exact text that was analysed (Python string indices), so a client in
any language can slice its own copy of the draft. Bump RESULT_SCHEMA_VERSION on any incompatible change.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from reviewlens.models.tiers import Tier

# 1.1 adds `overview`; 1.2 adds `model.tier` (both fields with defaults, so results stored earlier still parse).
RESULT_SCHEMA_VERSION = "1.2"


Severity = Literal["concern", "strength", "info"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
FlagStatus = Literal["raised", "not_raised", "insufficient_text"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModelInfo(_Frozen):
    """Which model produced a result."""

    name: str
    version: str
    label_schema: str
    backend: str
    # Results stored before the tiers existed came from MiniLM models, the fast tier.
    tier: Tier = Field(default="fast", description="The tier whose model produced the result: fast or thorough.")


class SectionInfo(_Frozen):
    """A detected section: its heading, mapped kind and extent."""

    title: str
    kind: str
    offset: int
    length: int


class DocumentInfo(_Frozen):
    """Size and structure of the analysed text."""

    characters: int
    sentences: int
    classified_sentences: int
    pages: int | None = None
    doc_kind: str | None = None
    sections: list[SectionInfo]
    headings_found: bool = Field(
        description="False when no headings were found: each paragraph of dated narration then counts as "
        "`chronology`, every other sentence as `unknown` (read as analysis)."
    )


class Evidence(_Frozen):
    """A sentence or a count a document-level finding rests on."""

    kind: Literal["sentence", "count"]
    description: str
    offset: int | None = None
    length: int | None = None
    score: float | None = None
    value: float | None = None


class DocumentFlag(_Frozen):
    """A document-level judgement with the evidence and numbers behind it."""

    id: str
    theme: str
    status: FlagStatus
    severity: Severity
    value: float | None = Field(default=None, description="The measured quantity (a share or a count).")
    threshold: float | None = None
    confidence: Literal["normal", "low"] = "normal"
    rationale: str
    evidence: list[Evidence] = Field(default_factory=list)


class ThemeSummary(_Frozen):
    """Counts and shares for one theme."""

    theme: str
    title: str
    counts: dict[str, int]
    counts_by_section: dict[str, dict[str, int]]
    share: float | None = Field(description="Strength label's share of the theme's labelled sentences (see share_of).")
    share_of: str
    flags: list[str] = Field(description="Ids of this theme's raised document flags.")


class Finding(_Frozen):
    """A labelled sentence (scope `span`) or a raised document flag (scope `document`)."""

    scope: Literal["span", "document"]
    theme: str
    label: str
    offset: int
    length: int
    text: str
    score: float
    severity: Severity
    message: str
    short_message: str
    question: str
    section: str | None = None
    page: int | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class AnalysisResult(_Frozen):
    """Everything reviewlens says about one text."""

    schema_version: str = RESULT_SCHEMA_VERSION
    model: ModelInfo
    offset_unit: Literal["codepoint"] = "codepoint"
    document: DocumentInfo
    summary: dict[str, ThemeSummary]
    overview: str = Field(
        default="", description="One paragraph: what the review does well and the three things to look at first."
    )
    flags: list[DocumentFlag]
    findings: list[Finding]
