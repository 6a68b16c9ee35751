"""What a reviewer is told beside each highlighted sentence: a message, a short message and a reflective question.

Each label has several phrasings, each written for one thing a sentence can do (accept a parent's account, grade
practice without a reason, name a risk tool, state a faith, note an interpreter...). The first phrasing whose cue
matches the sentence, in a section where it applies, is used; the last phrasing of every label is its fallback.
So a question always belongs to the sentence's own label, and speaks to what the sentence actually does.
Questions follow the project's annotation guideline (section E); plain label names live in `labels.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewlens.models.labels import NARRATIVE_SECTIONS, PLAIN_LABELS

LEARNING_SECTIONS = frozenset({"learning", "recommendations"})


@dataclass(frozen=True)
class Phrasing:
    """One way of talking about a label, used when its cue matches the sentence (and its section fits)."""

    key: str
    cue: str
    message: str
    question: str
    sections: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once at import; an empty cue is the label's fallback and matches everything.
        object.__setattr__(self, "pattern", re.compile(self.cue, re.IGNORECASE) if self.cue else None)

    def fits(self, sentence: str, section: str | None) -> bool:
        """Whether this phrasing speaks to the sentence: its section is allowed and its cue is present."""
        if self.sections is not None and (section or "unknown") not in self.sections:
            return False
        return self.pattern is None or bool(self.pattern.search(sentence))


@dataclass(frozen=True)
class LabelText:
    """The wording for one label: a short message and phrasings, the last of which is the fallback."""

    short: str
    phrasings: tuple[Phrasing, ...]


_IDENTITY_FACT = (
    r"\b(heritage|ethnicity|muslim|christian|hindu|sikh|jewish|catholic|faith|religio\w*|first language|speaks? "
    r"\w+ at home|traveller|roma|gypsy|asylum|refugee|nationality|black|white british|mixed|pakistani|"
    r"bangladeshi|somali|nigerian|polish|romanian|kurdish|eritrean|british|deaf|bsl)\b"
)

TEXT: dict[str, LabelText] = {
    "DESCRIPTIVE": LabelText(
        short=PLAIN_LABELS["DESCRIPTIVE"],
        phrasings=(
            Phrasing(
                "narration_expected",
                "",
                "Narration is expected in a chronology or background section; make sure the analysis explains it.",
                "Where in the analysis is this episode explained: why it happened, and what it meant for the child?",
                sections=NARRATIVE_SECTIONS,
            ),
            Phrasing(
                "identity_fact",
                _IDENTITY_FACT,
                "This states a fact about who the family are; on its own it does not say what that meant for them.",
                "What does the reader need to understand about this, and how did it shape what happened to the "
                "child?",
            ),
            Phrasing(
                "bare_verdict",
                r"\b(missed opportunit\w*|appropriate(ly)?|timely|robust|good practice|poor|in line with|"
                r"thorough|adequate|inadequate|effective|ineffective)\b",
                "This grades practice (good, poor, appropriate, a missed opportunity) without giving the reason or "
                "what it meant for the child.",
                "What made it so, and what difference did it make to the child?",
            ),
            Phrasing(
                "account_to_review",
                r"\btold the review\b|\b(said|explained|recalled) (to )?(the|this) review\b|\bin interview\b",
                "This reports what a practitioner told the review they did, not what shaped their thinking.",
                "What shaped their thinking at the time: what did they know, assume, or feel constrained by?",
            ),
            Phrasing(
                "reported_reason",
                r"\b(because|as|since)\b[^.]{0,80}\b(said|told|explained|reported|stated|claimed)\b",
                "The reason given here is the one offered at the time; the review does not test it.",
                "Was the reason given at the time the whole story, and what else might have been going on for the "
                "child?",
            ),
            Phrasing(
                "child_voice",
                r"\b(child|baby|girl|boy|son|daughter|young person)\b[^.]{0,60}"
                r"\b(said|told|disclosed|described|asked)\b",
                "This records what the child said without reflecting on what it says about their life.",
                "What does this tell us about the child's daily life, and how did professionals respond to it?",
            ),
            Phrasing(
                "count",
                r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (of|out of)\b|"
                r"\b(\d+|several|many|repeated) (times|occasions|referrals|contacts|appointments|incidents)\b",
                "This counts events without saying what the pattern signified.",
                "Taken together, what did these events signify, and should they have prompted a different "
                "response?",
            ),
            Phrasing(
                "records",
                r"\b(records? (show|state|note)\w*|was (recorded|noted|documented)|were (recorded|noted)|"
                r"case notes?|according to)\b",
                "This reports what the records say, not what they meant.",
                "What did the person who wrote this understand by it at the time, and what does the review make of "
                "it now?",
            ),
            Phrasing(
                "practitioner_action",
                r"\b(social worker|health visitor|police|gp|school|nurse|practitioner|manager|midwife|officer|"
                r"team|conference|strategy (meeting|discussion))\b",
                "This narrates what professionals did without explaining why they acted as they did.",
                "What was shaping the practitioners' thinking at this point: what did they know, what did they not "
                "know, and what pressures were they working under?",
            ),
            Phrasing(
                "dated_event",
                r"^\s*(on|in|by|from|during|between|at)\b[^.]{0,40}\b(\d{4}|january|february|march|april|may|june|"
                r"july|august|september|october|november|december)\b",
                "This dates an event without saying what it meant or how it connects with what came before.",
                "What did this change for the child, and did anyone connect it with what had happened before?",
            ),
            Phrasing(
                "event",
                "",
                "This sentence narrates events or records without explaining why they happened or what they meant "
                "for the child.",
                "Why did this happen, and is it specific to this case or a pattern that could happen again with "
                "another child and another team?",
            ),
        ),
    ),
    "ANALYTICAL": LabelText(
        short=PLAIN_LABELS["ANALYTICAL"],
        phrasings=(
            Phrasing(
                "learning",
                "",
                "This states learning with its reason.",
                "Would a partner agency know from this what to change, and how it would tell that it had?",
                sections=LEARNING_SECTIONS,
            ),
            Phrasing(
                "system",
                r"\b(caseload\w*|vacan\w*|thresholds?|procedures?|supervision|commission\w*|IT system|systems?|"
                r"no mechanism|capacity)\b",
                "This names a system condition that shaped practice.",
                "Does the learning say how this condition will be changed, so the next team is not in the same "
                "position?",
            ),
            Phrasing(
                "impact_on_child",
                r"\b(for (the )?child|this meant|meant that|lived experience|daily life|impact on)\b",
                "This says what practice meant for the child.",
                "Is the child's experience carried through into the findings and the learning?",
            ),
            Phrasing(
                "explains",
                "",
                "This sentence explains practice or its impact: reasons, contributory factors, system conditions "
                "or professional thinking.",
                "After reading this passage, could a partner agency say what needs to change?",
            ),
        ),
    ),
    "IDENTITY_MENTION": LabelText(
        short=PLAIN_LABELS["IDENTITY_MENTION"],
        phrasings=(
            Phrasing(
                "interpreter",
                r"\binterpret\w*|\btranslat\w*",
                "An interpreter or language is noted, but not whether the family could understand and take part.",
                "Could the family fully understand and take part? Was an independent interpreter used, rather than "
                "a relative or the child?",
            ),
            Phrasing(
                "considered_not_relevant",
                r"\b(not (felt|considered|found|thought) to be relevant|not relevant|no bearing|was considered|"
                r"were considered|taken (into )?account)\b",
                "The review says identity was considered or not relevant, but not on what evidence.",
                "What evidence supports this conclusion about identity, and did anyone ask the family or the child?",
            ),
            Phrasing(
                "recording",
                r"\b(recorded as|not stated|not recorded|withheld|omitted|any other)\b",
                "A recording of identity (or a gap in it) is stated without comment.",
                "Did anyone ask the family how they describe themselves, and what did the gap mean for the help "
                "the child received?",
            ),
            Phrasing(
                "faith",
                r"\b(faith|church|mosque|temple|gurdwara|synagogue|muslim|christian|hindu|sikh|jewish|catholic|"
                r"belief|religio\w*|pray\w*)\b",
                "The family's faith is stated, but not what it meant for them or for the professionals.",
                "How might the family's faith and community have shaped their parenting, their support and their "
                "trust in services, and did professionals ask?",
            ),
            Phrasing(
                "migration",
                r"\b(migrat\w*|asylum|refugee|immigration|no recourse|nrpf|arrived in|visa|trafficked|uasc)\b",
                "Migration or immigration status is stated, but not what it meant for the family.",
                "How might experiences of migration, insecure status or fear of the authorities have shaped the "
                "family's contact with services?",
            ),
            Phrasing(
                "professional",
                r"\b(social worker|health visitor|worker|practitioner|teacher|officer|nurse)\b[^.]*\b(speaks?|"
                r"heritage|like (the )?(mother|father|family))\b",
                "A professional's identity is stated without saying what it changed.",
                "Did the shared (or different) identity change what the family said, or what the professional "
                "saw?",
            ),
            Phrasing(
                "disability",
                r"\b(deaf|bsl|learning disabilit\w*|autis\w*|blind|wheelchair)\b",
                "A disability is stated as identity, but not how it shaped communication or access.",
                "What adjustments did the family need to understand and take part, and were they made?",
            ),
            Phrasing(
                "heritage",
                "",
                "Identity (ethnicity, faith, language, culture or status) is stated here, but the review does not "
                "go on to consider what it meant for the family, the child or the professional response.",
                "What was it like for this child to grow up with this identity at home, at school and in the "
                "community, and did anyone ask them?",
            ),
        ),
    ),
    "CULTURAL_ANALYSIS": LabelText(
        short=PLAIN_LABELS["CULTURAL_ANALYSIS"],
        phrasings=(
            Phrasing(
                "racism_bias",
                r"\b(racis\w*|racialis\w*|adultif\w*|bias\w*|stereotyp\w*|assum\w*)\b",
                "This names bias, racism or an assumption that shaped the response.",
                "Does the learning say how practitioners will notice and challenge this next time?",
            ),
            Phrasing(
                "analyses",
                "",
                "This sentence considers how identity, culture, race, faith or language shaped parenting, the "
                "child's experience or the professional response.",
                "Is this reflected in the learning, so that practice changes for the next child?",
            ),
        ),
    ),
    "RISK_UNSUPPORTED": LabelText(
        short=PLAIN_LABELS["RISK_UNSUPPORTED"],
        phrasings=(
            Phrasing(
                "self_report",
                r"\b(said|reported|told|assured|explanation|account|denied|stated|accepted|reassur\w*)\b",
                "A judgement rests on a parent's or carer's own account, accepted without checking.",
                "What evidence was this judgement based on, and was any of it independent of the parent's or "
                "carer's own account?",
            ),
            Phrasing(
                "tool_use",
                r"\b(dash|checklist|tool|scored|standard risk|medium risk|high risk|risk matrix|screening)\b",
                "A risk tool's score is reported as the judgement, without the evidence weighed behind it.",
                "What did the practitioner know beyond the tool's score, and was the history weighed alongside it?",
            ),
            Phrasing(
                "household_change",
                r"\b(new (partner|baby|pregnancy|boyfriend)|moved (in|out)|released|relapse\w*|unchanged|"
                r"continued|remained)\b",
                "A plan or judgement carries on although the household or situation had changed.",
                "What had changed (a new adult in the household, a new baby, a move, a release from custody), and "
                "was the risk reassessed when it did?",
            ),
            Phrasing(
                "compliance",
                r"\b(attend\w*|engag\w*|course|cooperat\w*|co-operat\w*|compli\w*|turned a corner|warm)\b",
                "Cooperation with the process is taken as a sign that the child is safer.",
                "Is cooperation with the process (attending meetings, completing a course) being treated as "
                "evidence that the child is safer?",
            ),
            Phrasing(
                "single_incident",
                r"\b(incident|call-?outs?|episode|injur\w*|bruis\w*|isolated|one-off|single)\b",
                "An incident is judged on its own, without the history around it.",
                "Were earlier incidents, including those involving other children or previous partners, weighed "
                "together, or was this incident looked at on its own?",
            ),
            Phrasing(
                "bare_verdict",
                r"\b(appropriate|reasonable|proportionate|missed opportunit\w*|in line with|correct|right|"
                r"(good|poor) practice|timely|robust)\b",
                "A verdict on a safeguarding decision is given without its reason.",
                "On what evidence does the review reach this verdict, and would it have held without hindsight?",
            ),
            Phrasing(
                "decision_without_grounds",
                r"\b(closed|stepped down|step(ped)? down|ended|no further action|nfa|threshold|agreed|decided|"
                r"decision|satisfied|returned|referr\w*|triag\w*|assessed|judged|no concerns?)\b",
                "A safeguarding decision is reported without the grounds it was taken on.",
                "What were the grounds for this decision, did anyone question or challenge it, and was "
                "disagreement escalated?",
            ),
            Phrasing(
                "judgement",
                "",
                "A risk judgement or safeguarding decision is stated without the evidence it rests on.",
                "What did this judgement rest on, and would a reader know from the review why it was (or was not) "
                "reasonable at the time?",
            ),
        ),
    ),
    "RISK_REASONED": LabelText(
        short=PLAIN_LABELS["RISK_REASONED"],
        phrasings=(
            Phrasing(
                "cumulative",
                r"\b(taken together|cumulative|pattern|history|seen together|earlier)\b",
                "This weighs the history together rather than one incident at a time.",
                "Does the learning say how this cumulative view can be made routine?",
            ),
            Phrasing(
                "reasoned",
                "",
                "The grounds of this risk judgement are given or examined.",
                "Does the learning say how this kind of reasoning can be made routine?",
            ),
        ),
    ),
}


def phrasing_for(label: str, sentence: str, section: str | None = None) -> Phrasing:
    """The phrasing whose cue the sentence matches in its section (the label's last phrasing is the fallback)."""
    phrasings = TEXT[label].phrasings
    for phrasing in phrasings:
        if phrasing.fits(sentence, section):
            return phrasing
    return phrasings[-1]


def question_for(label: str, sentence: str, section: str | None = None) -> str:
    """The reflective question for a sentence with this label."""
    return phrasing_for(label, sentence, section).question
