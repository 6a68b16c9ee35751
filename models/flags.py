"""Document-level flags: the Panel's three recurring weaknesses, judged over a whole review.

Each flag states its measured value, its threshold, the evidence it rests on and a rationale, and declines to
judge ("insufficient_text") when the text is too short to say. Rules follow the project's guideline (section c).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ConfigDict

from reviewlens.models.labels import ANALYSIS_SECTIONS
from reviewlens.models.predictions import LabelledSentence
from reviewlens.models.schema import DocumentFlag, Evidence
from reviewlens.models.strict import StrictModel, load_strict

# Sections whose descriptive writing is expected; excluded from the analytical share.

ETHNICITY_LEXICON = re.compile(
    r"\b(white british|white other|white irish|black african|black caribbean|black british|mixed heritage|"
    r"dual heritage|mixed race|mixed white|asian british|british asian|pakistani|bangladeshi|indian|chinese|arab|"
    r"gypsy|roma|traveller|eastern european|heritage|ethnicity|ethnic|black|white|asian|somali|nigerian|"
    r"ghanaian|kurdish|syrian|romanian|polish|lithuanian|caribbean|african|sikh|jewish)\b",
    re.IGNORECASE,
)
WITHHELD_PATTERN = re.compile(
    r"(ethnicity|heritage|background)[^.]{0,80}\b(not (been )?(stated|given|included|disclosed|recorded)|withheld|"
    r"anonymi[sz]|protect)|reflective of the (local|majority)|majority (local )?community",
    re.IGNORECASE,
)


class FlagConfig(StrictModel):
    """Thresholds and minimum evidence for the document flags (stored in each model directory)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    analytical_share_min: float = 0.40
    analytical_share_min_rapid_review: float = 0.30
    analytical_share_severe: float = 0.25
    min_depth_sentences: int = 20
    min_cultural_sentences: int = 40
    min_risk_sentences: int = 4
    identity_score_min: float = 0.3
    cultural_analysis_score_min: float = 0.5
    cultural_analysis_min_count: int = 2
    cultural_analysis_confident: float = 0.75

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> FlagConfig:
        """Build from a model directory's or config's `flags` block; unknown keys and bad types raise ValueError."""
        return load_strict(cls, dict(data or {}), "unknown flag settings or values: flags")


def _sentence_evidence(s: LabelledSentence, label: str, description: str) -> Evidence:
    return Evidence(
        kind="sentence",
        description=description,
        offset=s.start,
        length=s.end - s.start,
        score=round(s.probs.get(label, 0.0), 4),
    )


def _count(value: float, description: str) -> Evidence:
    return Evidence(kind="count", description=description, value=value)


def analysis_flag(sents: list[LabelledSentence], cfg: FlagConfig, doc_kind: str | None) -> DocumentFlag:
    """ANALYSIS_MOSTLY_DESCRIPTIVE: the analytical share outside background and chronology is too low."""
    counted = [s for s in sents if s.section in ANALYSIS_SECTIONS and s.label("analysis_depth")]
    n_an = sum(1 for s in counted if s.label("analysis_depth") == "ANALYTICAL")
    n_de = len(counted) - n_an
    threshold = cfg.analytical_share_min_rapid_review if doc_kind == "rapid_review" else cfg.analytical_share_min
    evidence = [
        _count(n_an, "ANALYTICAL sentences outside background and chronology"),
        _count(n_de, "DESCRIPTIVE sentences outside background and chronology"),
    ]
    if len(counted) < cfg.min_depth_sentences:
        return DocumentFlag(
            id="ANALYSIS_MOSTLY_DESCRIPTIVE",
            theme="analysis_depth",
            status="insufficient_text",
            severity="info",
            value=None,
            threshold=threshold,
            evidence=evidence,
            rationale=f"Only {len(counted)} labelled sentences outside background and chronology; at least "
            f"{cfg.min_depth_sentences} are needed to judge the balance of description and analysis.",
        )
    share = n_an / len(counted)
    raised = share < threshold
    worst = sorted(
        (s for s in counted if s.label("analysis_depth") == "DESCRIPTIVE"),
        key=lambda s: -s.probs["DESCRIPTIVE"],
    )[:5]
    severe = share < cfg.analytical_share_severe
    rationale = (
        f"{share:.0%} of the labelled sentences outside background and chronology explain why "
        f"({n_an} of {len(counted)}); the threshold is {threshold:.0%}."
    )
    if raised:
        rationale += " Most of the non-chronology text describes what happened; little explains why."
        if severe:
            rationale += " The share is below the severe level."
    return DocumentFlag(
        id="ANALYSIS_MOSTLY_DESCRIPTIVE",
        theme="analysis_depth",
        status="raised" if raised else "not_raised",
        severity="concern" if raised else "info",
        value=round(share, 4),
        threshold=threshold,
        evidence=evidence + [_sentence_evidence(s, "DESCRIPTIVE", "descriptive sentence") for s in worst if raised],
        rationale=rationale,
    )


def _is_identity(s: LabelledSentence, cfg: FlagConfig) -> bool:
    return s.probs.get("IDENTITY_MENTION", 0.0) + s.probs.get("CULTURAL_ANALYSIS", 0.0) >= cfg.identity_score_min


def _too_short_for_identity(
    flag_id: str, n: int, cfg: FlagConfig, absent: str, evidence: list[Evidence]
) -> DocumentFlag:
    """An identity flag not judged: too few sentences for the absence of `absent` to mean anything."""
    return DocumentFlag(
        id=flag_id,
        theme="cultural_competence",
        status="insufficient_text",
        severity="info",
        value=0,
        evidence=evidence,
        rationale=f"Only {n} sentences; at least {cfg.min_cultural_sentences} are needed before the absence of "
        f"{absent} means anything.",
    )


def ethnicity_flag(sents: list[LabelledSentence], cfg: FlagConfig) -> DocumentFlag:
    """ETHNICITY_NOT_RECORDED (or ETHNICITY_WITHHELD): no sentence states the child's or family's ethnicity."""
    withheld = [s for s in sents if WITHHELD_PATTERN.search(s.text)]
    recorded = [s for s in sents if _is_identity(s, cfg) and ETHNICITY_LEXICON.search(s.text)]
    if recorded:
        return DocumentFlag(
            id="ETHNICITY_NOT_RECORDED",
            theme="cultural_competence",
            status="not_raised",
            severity="info",
            value=len(recorded),
            rationale=f"Ethnicity or heritage is stated in {len(recorded)} sentence(s).",
            evidence=[_sentence_evidence(s, "IDENTITY_MENTION", "ethnicity stated") for s in recorded[:3]],
        )
    if withheld:
        return DocumentFlag(
            id="ETHNICITY_WITHHELD",
            theme="cultural_competence",
            status="raised",
            severity="info",
            value=0,
            rationale="The review says the family's ethnicity is withheld or blurred, so the reader cannot judge "
            "whether ethnicity shaped what happened; say why, and whether it was considered.",
            evidence=[_sentence_evidence(s, "IDENTITY_MENTION", "ethnicity withheld") for s in withheld[:3]],
        )
    if len(sents) < cfg.min_cultural_sentences:
        # A paragraph checked in an editor, or an empty line of a batch, has no reason to state ethnicity.
        read = [_count(len(sents), "sentences read")]
        return _too_short_for_identity("ETHNICITY_NOT_RECORDED", len(sents), cfg, "a statement of ethnicity", read)
    return DocumentFlag(
        id="ETHNICITY_NOT_RECORDED",
        theme="cultural_competence",
        status="raised",
        severity="concern",
        value=0,
        rationale="No sentence states the child's or family's ethnicity or heritage.",
        evidence=[_count(len(sents), "sentences read")],
    )


def cultural_flag(sents: list[LabelledSentence], cfg: FlagConfig) -> DocumentFlag:
    """CULTURAL_ANALYSIS_MISSING: nothing considers how identity shaped parenting, the child or professionals."""
    analysis = [s for s in sents if s.probs.get("CULTURAL_ANALYSIS", 0.0) >= cfg.cultural_analysis_score_min]
    confident = [s for s in analysis if s.probs.get("CULTURAL_ANALYSIS", 0.0) >= cfg.cultural_analysis_confident]
    mentions = [s for s in sents if s.label("cultural_competence") == "IDENTITY_MENTION"]
    evidence = [_count(len(mentions), "identity mentions"), _count(len(analysis), "cultural analysis sentences")]
    # One borderline sentence (a false positive at 0.53 was enough) must not clear the flag: it takes two, or one
    # the model is sure of.
    if len(analysis) >= cfg.cultural_analysis_min_count or confident:
        return DocumentFlag(
            id="CULTURAL_ANALYSIS_MISSING",
            theme="cultural_competence",
            status="not_raised",
            severity="info",
            value=len(analysis),
            rationale=f"{len(analysis)} sentence(s) consider the impact of identity or culture.",
            evidence=evidence + [_sentence_evidence(s, "CULTURAL_ANALYSIS", "cultural analysis") for s in analysis[:3]],
        )
    if len(sents) < cfg.min_cultural_sentences:
        return _too_short_for_identity("CULTURAL_ANALYSIS_MISSING", len(sents), cfg, "cultural analysis", evidence)
    rationale = (
        "The review does not consider how ethnicity, culture, faith, language or identity affected parenting, the "
        "child's experience or professional responses."
    )
    if mentions:
        rationale += f" Identity is noted ({len(mentions)} sentence(s)) but never analysed."
    if analysis:
        rationale += (
            f" One sentence comes close (score {analysis[0].probs['CULTURAL_ANALYSIS']:.2f}), but one borderline "
            "sentence is not enough to call the question considered."
        )
    return DocumentFlag(
        id="CULTURAL_ANALYSIS_MISSING",
        theme="cultural_competence",
        status="raised",
        severity="concern",
        value=0,
        rationale=rationale,
        evidence=evidence + [_sentence_evidence(s, "IDENTITY_MENTION", "identity noted") for s in mentions[:3]],
    )


def risk_flag(sents: list[LabelledSentence], cfg: FlagConfig) -> DocumentFlag:
    """RISK_REASONING_WEAK: unsupported risk judgements outnumber reasoned ones outside the chronology."""
    outside = [s for s in sents if s.section != "chronology" and s.label("risk_reasoning")]
    confidence: str = "normal"
    pool = outside
    if len(outside) < cfg.min_risk_sentences:
        pool = [s for s in sents if s.label("risk_reasoning")]
        confidence = "low"
    n_ru = sum(1 for s in pool if s.label("risk_reasoning") == "RISK_UNSUPPORTED")
    n_rr = len(pool) - n_ru
    chron_ru = sum(1 for s in sents if s.section == "chronology" and s.label("risk_reasoning") == "RISK_UNSUPPORTED")
    evidence = [
        _count(n_ru, "unsupported risk judgements" + (" (whole document)" if confidence == "low" else "")),
        _count(n_rr, "reasoned risk judgements" + (" (whole document)" if confidence == "low" else "")),
        _count(chron_ru, "unsupported risk judgements reported in the chronology"),
    ]
    if len(pool) < cfg.min_risk_sentences:
        return DocumentFlag(
            id="RISK_REASONING_WEAK",
            theme="risk_reasoning",
            status="insufficient_text",
            severity="info",
            value=None,
            confidence="low",
            evidence=evidence,
            rationale=f"Only {len(pool)} risk judgements found; at least {cfg.min_risk_sentences} are needed.",
        )
    raised = n_ru > n_rr
    scope = "outside the chronology" if confidence == "normal" else "in the whole document (too few outside it)"
    rationale = f"{n_ru} unsupported and {n_rr} reasoned risk judgements {scope}."
    if raised:
        rationale += " Risk judgements are stated without their grounds, or decisions are endorsed without saying why."
    n_rr_analysis = sum(1 for s in sents if s.section == "analysis" and s.label("risk_reasoning") == "RISK_REASONED")
    if chron_ru >= 5 and n_rr_analysis < chron_ru:
        rationale += (
            f" The chronology reports {chron_ru} unsupported judgements but the analysis examines only "
            f"{n_rr_analysis}: weak judgements are reported but not examined."
        )
    worst = sorted(
        (s for s in pool if s.label("risk_reasoning") == "RISK_UNSUPPORTED"), key=lambda s: -s.probs["RISK_UNSUPPORTED"]
    )[:5]
    return DocumentFlag(
        id="RISK_REASONING_WEAK",
        theme="risk_reasoning",
        status="raised" if raised else "not_raised",
        severity="concern" if raised else "info",
        value=n_ru - n_rr,
        threshold=0,
        confidence=confidence,  # type: ignore[arg-type]
        rationale=rationale,
        evidence=evidence
        + [_sentence_evidence(s, "RISK_UNSUPPORTED", "unsupported judgement") for s in worst if raised],
    )


def document_flags(sents: list[LabelledSentence], cfg: FlagConfig, doc_kind: str | None = None) -> list[DocumentFlag]:
    """Compute all document flags for one text's labelled sentences."""
    return [
        analysis_flag(sents, cfg, doc_kind),
        ethnicity_flag(sents, cfg),
        cultural_flag(sents, cfg),
        risk_flag(sents, cfg),
    ]


def flag_minimums(cfg: FlagConfig) -> dict[str, int]:
    """The fewest classified sentences a text needs before each flag's verdict means anything.

    A flag whose rule has no minimum of its own (ethnicity) takes the cultural flags' one: in a few sentences,
    not naming an ethnicity says nothing about a review. Used where short texts are checked (an editor's paragraph).
    """
    return {
        "ANALYSIS_MOSTLY_DESCRIPTIVE": cfg.min_depth_sentences,
        "ETHNICITY_NOT_RECORDED": cfg.min_cultural_sentences,
        "ETHNICITY_WITHHELD": cfg.min_cultural_sentences,
        "CULTURAL_ANALYSIS_MISSING": cfg.min_cultural_sentences,
        "RISK_REASONING_WEAK": cfg.min_risk_sentences,
    }
