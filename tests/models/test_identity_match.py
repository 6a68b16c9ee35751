"""Identity mentions are answered only by analysis of the same facet, of this case, near enough (issue 9, item 6)."""

from __future__ import annotations

from reviewlens.models.findings import span_findings
from reviewlens.models.identity_match import _FACET_WORDS, facets_of
from reviewlens.models.labels import IDENTITY_FACETS, THEME_OF_LABEL
from reviewlens.models.predictions import LabelledSentence


def _sent(text: str, section: str, index: int, start: int, *labels: str) -> LabelledSentence:
    return LabelledSentence(
        start, start + len(text), text, section,
        {THEME_OF_LABEL[label]: (label, 0.9) for label in labels}, {label: 0.9 for label in labels}, index,
    )


def _mention_severity(sentences: list[LabelledSentence]) -> str:
    return next(f.severity for f in span_findings(sentences, lambda _o: None) if f.label == "IDENTITY_MENTION")


MENTION = "The family were Muslim and attended the mosque on Fridays."


def test_a_generic_learning_sentence_does_not_answer_a_mention() -> None:
    generic = "Professionals should understand how culture, faith and language shape family life."
    sents = [
        _sent(MENTION, "background", 0, 0, "DESCRIPTIVE", "IDENTITY_MENTION"),
        _sent(generic, "learning", 3, 500, "ANALYTICAL", "CULTURAL_ANALYSIS"),
    ]
    assert _mention_severity(sents) == "concern"


def test_analysis_of_the_same_facet_of_this_family_answers_it() -> None:
    analysis = "Nobody asked whether Mother's faith made it harder for her to speak to a male worker."
    sents = [
        _sent(MENTION, "background", 0, 0, "DESCRIPTIVE", "IDENTITY_MENTION"),
        _sent(analysis, "analysis", 3, 500, "ANALYTICAL", "CULTURAL_ANALYSIS"),
    ]
    assert _mention_severity(sents) == "info"


def test_analysis_of_another_facet_does_not_answer_it() -> None:
    analysis = "Her limited English meant she depended on her son to interpret at every visit."
    sents = [
        _sent(MENTION, "background", 0, 0, "DESCRIPTIVE", "IDENTITY_MENTION"),
        _sent(analysis, "analysis", 3, 500, "ANALYTICAL", "CULTURAL_ANALYSIS"),
    ]
    assert _mention_severity(sents) == "concern"


def test_a_far_section_that_is_not_analysis_does_not_answer_it() -> None:
    later = "Her faith was important to Mother throughout."
    sents = [
        _sent(MENTION, "background", 0, 0, "DESCRIPTIVE", "IDENTITY_MENTION"),
        _sent(later, "recommendations", 5, 500, "ANALYTICAL", "CULTURAL_ANALYSIS"),
    ]
    assert _mention_severity(sents) == "concern"
    # The same sentence in the next section does answer it.
    sents[1] = _sent(later, "chronology", 1, 500, "ANALYTICAL", "CULTURAL_ANALYSIS")
    assert _mention_severity(sents) == "info"


def test_facets_are_the_schema_facets() -> None:
    assert set(_FACET_WORDS) <= set(IDENTITY_FACETS) - {"other"}
    assert facets_of(MENTION) == {"religion"}
    assert "ethnicity_race" in facets_of("Child A is of mixed White and Black Caribbean heritage.")
