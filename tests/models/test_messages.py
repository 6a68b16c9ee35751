"""Messages and questions: chosen by label, section and cue, never a question from another label."""

from __future__ import annotations

import pytest

from reviewlens.models.findings import span_findings
from reviewlens.models.labels import LABELS, PLAIN_LABELS
from reviewlens.models.messages import TEXT, phrasing_for
from reviewlens.models.predictions import LabelledSentence
from reviewlens.training.corpus.validate import load_corpus
from tests.conftest import CORPUS


@pytest.mark.parametrize(
    ("label", "sentence", "section", "key"),
    [
        ("RISK_UNSUPPORTED", "The social worker accepted Mother's explanation that the bruise was from a fall.",
         "analysis", "self_report"),
        ("RISK_UNSUPPORTED", "A DASH checklist was completed and scored medium risk.", "analysis", "tool_use"),
        ("RISK_UNSUPPORTED", "The plan was ended because Father had attended all his sessions.", "analysis",
         "compliance"),
        ("RISK_UNSUPPORTED", "The review considers that discharging Child I was appropriate.", "analysis",
         "bare_verdict"),
        ("RISK_UNSUPPORTED", "The incident was treated as a one-off.", "analysis", "single_incident"),
        ("RISK_UNSUPPORTED", "The child protection plan was ended at the review conference.", "chronology",
         "decision_without_grounds"),
        ("IDENTITY_MENTION", "A Tigrinya interpreter joined the strategy meeting by phone.", "analysis", "interpreter"),
        ("IDENTITY_MENTION", "The family were Muslim.", "background", "faith"),
        ("IDENTITY_MENTION", "The family's heritage was considered and found to have no bearing on events.",
         "analysis", "considered_not_relevant"),
        ("IDENTITY_MENTION", "Mother arrived in the UK in 2015 and claimed asylum.", "background", "migration"),
        ("DESCRIPTIVE", "Communication between the two schools was poor.", "analysis", "bare_verdict"),
        ("DESCRIPTIVE", "The family support worker told the review she called twice that week.", "analysis",
         "account_to_review"),
        ("DESCRIPTIVE", "Child I missed nine of fourteen dental appointments.", "analysis", "count"),
        ("DESCRIPTIVE", "The health visitor visited on 3 May.", "chronology", "narration_expected"),
        ("DESCRIPTIVE", "Father cancelled the visit because he said he had a job interview.", "analysis",
         "reported_reason"),
        ("DESCRIPTIVE", "Records show the referral was received on a Friday.", "analysis", "records"),
        ("DESCRIPTIVE", "The child told her teacher that she stayed in her room when he was home.", "analysis",
         "child_voice"),
        ("DESCRIPTIVE", "In March 2022 the family moved to a new flat.", "analysis", "dated_event"),
        ("ANALYTICAL", "Caseloads in the team were twice the agreed level, so visits were cut short.", "analysis",
         "system"),
    ],
)
def test_phrasing_follows_what_the_sentence_does(label: str, sentence: str, section: str, key: str) -> None:
    assert phrasing_for(label, sentence, section).key == key


def test_every_label_has_several_phrasings_and_a_fallback() -> None:
    for label in LABELS:
        phrasings = TEXT[label].phrasings
        assert len(phrasings) >= 2
        assert phrasings[-1].cue == "" and phrasings[-1].sections is None
        assert len({p.key for p in phrasings}) == len(phrasings)
        assert TEXT[label].short == PLAIN_LABELS[label]


def test_questions_never_come_from_another_label() -> None:
    own = {label: {p.question for p in TEXT[label].phrasings} for label in LABELS}
    records = load_corpus([CORPUS])
    seen = 0
    for record in records:
        for span in record.spans:
            sentence = record.text[span.start : span.end]
            for section in ("analysis", "chronology", "learning", None):
                question = phrasing_for(span.label, sentence, section).question
                assert question in own[span.label]
                others = set().union(*(qs for lbl, qs in own.items() if lbl != span.label))
                assert question not in others
                seen += 1
    assert seen > 100


def _sentence(text: str, labels: dict[str, tuple[str, float]], section: str = "analysis") -> LabelledSentence:
    return LabelledSentence(0, len(text), text, section, labels, {})


def test_an_identity_fact_is_not_asked_why_it_happened() -> None:
    s = _sentence("The family were Muslim.", {"analysis_depth": ("DESCRIPTIVE", 0.9),
                                              "cultural_competence": ("IDENTITY_MENTION", 0.8)})
    findings = {f.label: f for f in span_findings([s], lambda _o: None)}
    descriptive = findings["DESCRIPTIVE"]
    assert descriptive.severity == "info"
    assert "Why did this happen" not in descriptive.question
    assert findings["IDENTITY_MENTION"].severity == "concern"
    assert "faith" in findings["IDENTITY_MENTION"].question
