"""Whether a CULTURAL_ANALYSIS sentence answers an earlier IDENTITY_MENTION: same facet, this case, near enough.

An identity fact ("The family were Muslim.") is a concern until the review considers what it meant. Any cultural
analysis anywhere used to count, so one generic learning sentence ("Professionals should understand how culture,
faith and language shape family life") silenced every mention in the review. Here an analysis answers a mention
only when it speaks of the same facet of identity (by a lexicon; the facet attributes of the corpus are not
predicted yet), of this case rather than professionals in general, and stands in the mention's section, the
next one, or an analysis or learning section after it (where reviews analyse what their background recorded).
"""

from __future__ import annotations

import re

_FACET_WORDS: dict[str, str] = {
    "ethnicity_race": r"ethnic\w*|heritage|race|racis\w*|racial\w*|black|white|asian|mixed|caribbean|african|"
    r"somali\w*|pakistani|bangladeshi|indian|polish|roma|gypsy|traveller|colou?r|adultif\w*",
    "nationality_immigration": r"asylum|immigra\w*|refugee|nationality|citizenship|no recourse|visa|deport\w*|"
    r"home office|trafficked|unaccompanied",
    "religion": r"faith|relig\w*|muslim|islam\w*|christian|church|mosque|pastor|imam|hindu|sikh|jewish|catholic|"
    r"prayer|pray\w*|spiritual",
    "language": r"language|interpret\w*|translat\w*|english|urdu|arabic|polish|bsl|signing|first language",
    "culture_community": r"cultur\w*|communit\w*|customs?|tradition\w*|traveller|extended family|clan|honour",
    "gender_sexuality": r"gender|trans\w*|gay|lesbian|bisexual|sexuality|sexual orientation|lgbt\w*|non-binary",
    "disability": r"disab\w*|autis\w*|deaf|blind|learning difficult\w*|adhd|wheelchair|special educational",
}
_FACET_PATTERNS = {facet: re.compile(rf"\b({words})\b", re.IGNORECASE) for facet, words in _FACET_WORDS.items()}
# Words that tie a sentence to this case's people; a sentence without any speaks of professionals in general.
_CASE_PEOPLE = re.compile(
    r"\b(child|baby|mother|father|mum|dad|parents?|the family|family's|carers?|sibling|brother|sister|"
    r"grandmother|grandfather|aunt|uncle|he|she|his|her|him|they|their|them|mr|mrs|ms|miss)\b",
    re.IGNORECASE,
)
_LATER_ANALYSIS = frozenset({"analysis", "learning"})


def facets_of(text: str) -> frozenset[str]:
    """The identity facets a sentence speaks of, by lexicon (empty when it names none)."""
    return frozenset(facet for facet, pattern in _FACET_PATTERNS.items() if pattern.search(text))


def about_this_case(text: str) -> bool:
    """Whether a sentence speaks of this case's child or family rather than of practice in general."""
    return _CASE_PEOPLE.search(text) is not None


def answers(
    mention_text: str, mention_section: int, analysis_text: str, analysis_section: int, analysis_kind: str
) -> bool:
    """Whether an analysis sentence (after the mention) answers an identity mention.

    Sections are indices in text order (-1 for text without headings, where the whole text is one section).
    """
    if not about_this_case(analysis_text):
        return False
    near = analysis_section in (mention_section, mention_section + 1) or analysis_kind in _LATER_ANALYSIS
    if not near:
        return False
    wanted = facets_of(mention_text)
    # A mention whose facet the lexicon cannot name is answered by any analysis of this case.
    return not wanted or bool(wanted & facets_of(analysis_text))

