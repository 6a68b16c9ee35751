"""What a reviewer is told beside each highlighted sentence: a message, a short message and a reflective question.

Questions follow the project's annotation guideline (section E). Where several fit, cues in the sentence pick
the most pertinent one, so the question speaks to what the sentence actually does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelText:
    """The fixed wording for one label."""

    short: str
    message: str
    questions: tuple[tuple[str, str], ...]  # (cue regex, question); the last has an empty cue as fallback


TEXT: dict[str, LabelText] = {
    "DESCRIPTIVE": LabelText(
        short="Describes what happened, not why",
        message="This sentence narrates events or records without explaining why they happened or what they "
        "meant for the child.",
        questions=(
            (
                r"\b(child|baby|infant|girl|boy)\b.*\b(lived|daily|experience|felt|told)\b",
                "What did this mean for the child's daily life, and how do we know?",
            ),
            (
                r"\b(should|missed|opportunity|poor|good|appropriate)\b",
                "If something different should have happened, what was it, and what in the system made it harder "
                "to do?",
            ),
            (
                r"\b(social worker|health visitor|police|gp|school|nurse|practitioner|manager|midwife|officer)\b",
                "What was shaping the practitioners' thinking at this point: what did they know, what did they not "
                "know, and what pressures were they working under?",
            ),
            (
                "",
                "Why did this happen, and is it specific to this case or a pattern that could happen again with "
                "another child and another team?",
            ),
        ),
    ),
    "ANALYTICAL": LabelText(
        short="Explains why",
        message="This sentence explains practice or its impact: reasons, contributory factors, system conditions "
        "or professional thinking.",
        questions=(("", "After reading this passage, could a partner agency say what needs to change?"),),
    ),
    "IDENTITY_MENTION": LabelText(
        short="Identity noted, not analysed",
        message="Identity (ethnicity, faith, language, culture or status) is stated here, but the review does not "
        "go on to consider what it meant for the family, the child or the professional response.",
        questions=(
            (
                r"\binterpret",
                "Could the family fully understand and take part? Was an independent interpreter "
                "used, rather than a relative or the child?",
            ),
            (
                r"\b(not (felt|considered|found) to be relevant|not relevant|considered)\b",
                "What evidence supports this conclusion about identity, and did anyone ask the family or the child?",
            ),
            (
                r"\b(faith|church|mosque|muslim|christian|belief|religio|migrat|asylum|refugee|heritage|racis)",
                "How might the family's heritage, beliefs or experiences (of migration, racism or discrimination) "
                "have shaped their parenting and their trust in services?",
            ),
            (
                "",
                "What was it like for this child to grow up with this identity at home, at school and in the "
                "community, and did anyone ask them?",
            ),
        ),
    ),
    "CULTURAL_ANALYSIS": LabelText(
        short="Considers identity and culture",
        message="This sentence considers how identity, culture, race, faith or language shaped parenting, the "
        "child's experience or the professional response.",
        questions=(("", "Is this reflected in the learning, so that practice changes for the next child?"),),
    ),
    "RISK_UNSUPPORTED": LabelText(
        short="Risk judgement without grounds",
        message="A risk judgement or safeguarding decision is stated without the evidence it rests on, or rests on "
        "a parent's account, attendance or presentation rather than on evidence about the child's safety.",
        questions=(
            (
                r"\b(said|reported|told|assured|explanation|account|denied|stated)\b",
                "What evidence was this judgement based on, and was any of it independent of the parent's or "
                "carer's own account?",
            ),
            (
                r"\b(new (partner|baby|pregnancy)|moved|released|relapse|continued|unchanged|remained)\b",
                "What had changed (a new adult in the household, a new baby, a move, a release from custody), and "
                "was the risk reassessed when it did?",
            ),
            (
                r"\b(attend|engag|course|cooperat|compli|turned a corner)\w*",
                "Is cooperation with the process (attending meetings, completing a course) being treated as "
                "evidence that the child is safer?",
            ),
            (
                r"\b(incident|call-?outs?|episode|injur|bruis|standard risk|dash|checklist)\w*",
                "Were earlier incidents, including those involving other children or previous partners, weighed "
                "together, or was this incident looked at on its own?",
            ),
            (
                r"\b(agreed|decision|decided|satisfied|appropriate|reasonable)\b",
                "Did anyone question or challenge this decision, and was disagreement escalated?",
            ),
            (
                "",
                "What evidence was this judgement based on, and was any of it independent of the parent's or "
                "carer's own account?",
            ),
        ),
    ),
    "RISK_REASONED": LabelText(
        short="Risk reasoning with grounds",
        message="The grounds of this risk judgement are given or examined.",
        questions=(("", "Does the learning say how this kind of reasoning can be made routine?"),),
    ),
}

_COMPILED = {
    label: tuple((re.compile(cue, re.IGNORECASE) if cue else None, q) for cue, q in t.questions)
    for label, t in TEXT.items()
}

CHRONOLOGY_DESCRIPTIVE_MESSAGE = (
    "Narration is expected in a chronology or background section; make sure the analysis explains it."
)


def question_for(label: str, sentence: str) -> str:
    """Pick the reflective question whose cue the sentence matches (the last question is the fallback)."""
    for pattern, question in _COMPILED[label]:
        if pattern is None or pattern.search(sentence):
            return question
    return _COMPILED[label][-1][1]
