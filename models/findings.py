"""From labelled sentences and document flags to the findings a reviewer sees."""

from __future__ import annotations

from collections.abc import Callable

from reviewlens.models.identity_match import answers
from reviewlens.models.labels import NARRATIVE_SECTIONS, STRENGTH_LABELS
from reviewlens.models.messages import TEXT, Phrasing, phrasing_for
from reviewlens.models.predictions import LabelledSentence
from reviewlens.models.schema import DocumentFlag, Finding, Severity

FLAG_TEXT: dict[str, tuple[str, str]] = {
    "ANALYSIS_MOSTLY_DESCRIPTIVE": (
        "Analysis mostly descriptive",
        "Why did things happen as they did, and is it specific to this case or a pattern that could recur?",
    ),
    "ETHNICITY_NOT_RECORDED": (
        "Ethnicity not recorded",
        "Is the child's ethnicity, faith, language and identity stated? If not, does the review explain why?",
    ),
    "ETHNICITY_WITHHELD": (
        "Ethnicity withheld",
        "Does the review explain why ethnicity is withheld, and whether it was considered in the analysis?",
    ),
    "CULTURAL_ANALYSIS_MISSING": (
        "Culture and identity not considered",
        "How might the family's heritage, beliefs or experiences have shaped their parenting, the child's "
        "experience and professionals' responses?",
    ),
    "RISK_REASONING_WEAK": (
        "Risk reasoning weak",
        "What evidence were the risk judgements based on, and was any of it independent of the carers' accounts?",
    ),
}


def _identity_fact(s: LabelledSentence) -> bool:
    """A sentence the identity theme also labels: its DESCRIPTIVE finding would ask "why did this happen?" of a
    fact such as "The family were Muslim.", so the identity finding speaks for it."""
    return s.label("cultural_competence") is not None


def _severity(label: str, sentence: LabelledSentence, answered: bool) -> Severity:
    if label in STRENGTH_LABELS:
        return "strength"
    if label == "DESCRIPTIVE":
        # Narration is expected in these sections, and an identity fact is asked about as identity instead.
        if sentence.section in NARRATIVE_SECTIONS or _identity_fact(sentence):
            return "info"
        return "concern"
    if label == "IDENTITY_MENTION":
        return "info" if answered else "concern"
    return "concern"


def _phrasing(label: str, s: LabelledSentence) -> Phrasing:
    if label == "DESCRIPTIVE" and _identity_fact(s) and s.section not in NARRATIVE_SECTIONS:
        return next(p for p in TEXT[label].phrasings if p.key == "identity_fact")
    return phrasing_for(label, s.text, s.section)


def span_findings(
    sentences: list[LabelledSentence],
    page_of: Callable[[int], int | None],
    themes: set[str] | None = None,
    min_score: float = 0.0,
) -> list[Finding]:
    """One finding per sentence per theme (its decided label), in text order."""
    analyses = [s for s in sentences if s.label("cultural_competence") == "CULTURAL_ANALYSIS"]

    def answered(mention: LabelledSentence) -> bool:
        return any(
            a.start > mention.start
            and answers(mention.text, mention.section_index, a.text, a.section_index, a.section)
            for a in analyses
        )

    findings: list[Finding] = []
    for s in sentences:
        for theme, (label, score) in s.labels.items():
            if (themes and theme not in themes) or score < min_score:
                continue
            severity = _severity(label, s, answered=label == "IDENTITY_MENTION" and answered(s))
            phrasing = _phrasing(label, s)
            message = phrasing.message
            if label == "IDENTITY_MENTION" and severity == "info":
                message = "Identity is stated here and the review goes on to consider what it meant for this family."
            findings.append(
                Finding(
                    scope="span",
                    theme=theme,
                    label=label,
                    offset=s.start,
                    length=s.end - s.start,
                    text=s.text,
                    score=round(score, 4),
                    severity=severity,
                    message=message,
                    short_message=TEXT[label].short,
                    question=phrasing.question,
                    section=s.section,
                    page=page_of(s.start),
                )
            )
    return findings


def flag_findings(flags: list[DocumentFlag], text_length: int, themes: set[str] | None = None) -> list[Finding]:
    """A document-scope finding for each raised flag, covering the whole text."""
    out = []
    for flag in flags:
        if flag.status != "raised" or (themes and flag.theme not in themes):
            continue
        short, question = FLAG_TEXT[flag.id]
        out.append(
            Finding(
                scope="document",
                theme=flag.theme,
                label=flag.id,
                offset=0,
                length=text_length,
                text="",
                score=1.0 if flag.value is None else round(float(flag.value), 4),
                severity=flag.severity,
                message=flag.rationale,
                short_message=short,
                question=question,
                evidence=flag.evidence,
            )
        )
    return out
