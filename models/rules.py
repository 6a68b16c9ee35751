"""The rules reviewlens reports, as an editor sees them: one per sentence label and one per document flag.

Each rule has a stable id (what `disabledRules` names in a LanguageTool client), a category (its theme), a
plain-words title, an explanation and examples taken from the annotation guideline (annotations/GUIDELINE.md),
so the page a rule's `urls` points to says what the rule means without the reader opening the guideline.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewlens.models.findings import FLAG_TEXT
from reviewlens.models.labels import PLAIN_LABELS, STRENGTH_LABELS, THEME_BY_NAME, THEME_OF_LABEL

RULE_PREFIX = "REVIEWLENS_"


@dataclass(frozen=True)
class Example:
    """A sentence from the guideline and what reviewlens makes of it."""

    sentence: str
    verdict: str


@dataclass(frozen=True)
class Rule:
    """One rule: a sentence label or a document flag."""

    id: str
    name: str
    theme: str
    title: str
    kind: str  # "sentence" or "document"
    strength: bool
    explanation: str
    examples: tuple[Example, ...]

    @property
    def category_id(self) -> str:
        """The rule's LanguageTool category: its theme."""
        return category_id(self.theme)


def category_id(theme: str) -> str:
    """LanguageTool category id of a theme."""
    return f"{RULE_PREFIX}{theme.upper()}"


def rule_id(name: str) -> str:
    """LanguageTool rule id of a label or flag."""
    return f"{RULE_PREFIX}{name}"


_EXPLANATIONS: dict[str, tuple[str, tuple[Example, ...]]] = {
    "DESCRIPTIVE": (
        "The sentence narrates events, facts, contacts, decisions, records or statements without explaining them: "
        "what happened, not why. Narration is expected in a chronology or background; in the analysis it is a "
        "concern, because a review exists to understand why things happened as they did.",
        (
            Example("Communication between the two schools was poor.", "Narrates without explaining why: a bare "
                    "verdict, with no reason or consequence."),
            Example("Child I missed nine of fourteen dental and eye appointments.", "Narrates without explaining "
                    "why: a count without its significance."),
            Example("The family support worker told the review she called twice that week.", "Narrates without "
                    "explaining why: what she did, not what shaped her thinking."),
        ),
    ),
    "ANALYTICAL": (
        "The sentence explains or evaluates with a reason: a cause or contributory factor, a system condition, what "
        "a practitioner knew or was constrained by, the impact on the child, what should have happened and why, "
        "or a link to a pattern or research.",
        (
            Example("Communication between the two schools was poor, so the receiving school never learned that "
                    "Child O had been on a plan.", "Explains why."),
            Example("Because the referral went to a shared inbox nobody was assigned to over half-term, it sat "
                    "unread for nine days.", "Explains why: the reviewer supplies the cause."),
        ),
    ),
    "IDENTITY_MENTION": (
        "Identity (race, ethnicity and heritage, nationality or immigration status, religion, language and "
        "interpreting, culture and community, sexuality and gender, disability as identity) is stated as a fact, "
        "without reflecting on what it meant for the family, the child or the professional response.",
        (
            Example("A Tigrinya interpreter joined the strategy meeting by phone.", "Identity mentioned, not "
                    "analysed."),
            Example("The family's Irish Traveller heritage was considered and found to have no bearing on events.",
                    "Identity mentioned, not analysed: \"considered\" with nothing to weigh."),
        ),
    ),
    "CULTURAL_ANALYSIS": (
        "The sentence reflects on how identity shaped parenting or family life, the child's lived experience, or "
        "the professional response: assumptions, bias, adultification, fear of seeming racist, poor interpreting, "
        "access barriers, structural racism.",
        (
            Example("Because the only interpreter available spoke Arabic rather than Tigrinya, Mother signed the "
                    "safety plan without understanding that it barred Mr O from the flat.",
                    "Considers identity and culture."),
            Example("Staff described Child I, a 13-year-old Black girl, as 'mature' and 'able to look after "
                    "herself', and that framing led the out-of-hours team to treat her going missing as a choice.",
                    "Considers identity and culture (adultification)."),
        ),
    ),
    "RISK_UNSUPPORTED": (
        "A risk judgement or safeguarding decision is stated without evidence, or with a reason that is not "
        "evidence about the child's safety, and is not examined: self-report accepted, one incident judged alone, "
        "a plan unchanged after a change in the household, comfort drawn from attendance or cooperation, a bare "
        "verdict such as \"appropriate\".",
        (
            Example("The plan was ended because Father had attended all his anger-management sessions.",
                    "Risk judgement without grounds: attendance is not evidence about safety."),
            Example("The review considers that discharging Child I from the ward was appropriate.",
                    "Risk judgement without grounds: the reviewer's unexplained verdict."),
            Example("The child protection plan was ended at the review conference in November.",
                    "Risk judgement without grounds: a decision reported without its grounds."),
        ),
    ),
    "RISK_REASONED": (
        "The grounds of a risk judgement are given or examined: history and earlier incidents, cumulative harm, "
        "independent sources, the child's own account, challenge or escalation, reassessment after a change.",
        (
            Example("The strategy meeting agreed to section 47 enquiries because of Child O's account and the marks "
                    "on her upper arm.", "Risk judgement with its grounds."),
            Example("Seen together, five referrals about bruising over eighteen months showed a pattern that no "
                    "single referral revealed.", "Risk judgement with its grounds: a cumulative view."),
        ),
    ),
    "ANALYSIS_MOSTLY_DESCRIPTIVE": (
        "Among the labelled sentences of the analysis, learning and unheaded text, fewer than 40% explain why (30% "
        "for rapid reviews). Needs at least 20 such sentences before it judges.",
        (),
    ),
    "ETHNICITY_NOT_RECORDED": (
        "No identity sentence states the child's or family's ethnicity or heritage. If the review says ethnicity is "
        "withheld for anonymity, \"Ethnicity withheld\" is raised instead.",
        (Example("Child I and her brother are of Kurdish heritage and speak Sorani at home.",
                 "Ethnicity recorded: this flag is not raised."),),
    ),
    "ETHNICITY_WITHHELD": (
        "The review says the family's ethnicity is left out or blurred on purpose; the reader cannot judge whether "
        "it shaped what happened, so the review should say why, and whether it was considered.",
        (Example("The family's ethnicity is omitted from this report at their request.", "Ethnicity withheld."),),
    ),
    "CULTURAL_ANALYSIS_MISSING": (
        "No sentence considers how identity and culture shaped parenting, the child's experience or the "
        "professional response. Needs at least 40 sentences before it judges.",
        (),
    ),
    "RISK_REASONING_WEAK": (
        "Unsupported risk judgements outnumber reasoned ones outside the chronology (the whole document, with low "
        "confidence, when there are fewer than four outside it).",
        (),
    ),
}


def _build() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for name, title in PLAIN_LABELS.items():
        explanation, examples = _EXPLANATIONS[name]
        rules[rule_id(name)] = Rule(rule_id(name), name, THEME_OF_LABEL[name], title, "sentence",
                                    name in STRENGTH_LABELS, explanation, examples)
    flag_themes = {"ANALYSIS_MOSTLY_DESCRIPTIVE": "analysis_depth", "RISK_REASONING_WEAK": "risk_reasoning"}
    for name, (short, _question) in FLAG_TEXT.items():
        explanation, examples = _EXPLANATIONS[name]
        theme = flag_themes.get(name, "cultural_competence")
        rules[rule_id(name)] = Rule(rule_id(name), name, theme, short, "document", False, explanation, examples)
    return rules


RULES: dict[str, Rule] = _build()


def theme_title(theme: str) -> str:
    """The reader-facing title of a theme (a LanguageTool category's name)."""
    return THEME_BY_NAME[theme].title
