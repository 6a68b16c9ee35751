from reviewlens.models.flags import FlagConfig, analysis_flag, cultural_flag, ethnicity_flag, risk_flag
from reviewlens.models.predictions import LabelledSentence

CFG = FlagConfig()


def sent(text: str, section: str, *labels: str, start: int = 0) -> LabelledSentence:
    from reviewlens.models.labels import THEME_OF_LABEL

    return LabelledSentence(
        start,
        start + len(text),
        text,
        section,
        {THEME_OF_LABEL[label]: (label, 0.9) for label in labels},
        {label: 0.9 for label in labels},
    )


def test_mostly_descriptive_is_raised_below_threshold_and_ignores_chronology() -> None:
    sents = [sent(f"Event {i} happened.", "analysis", "DESCRIPTIVE") for i in range(16)]
    sents += [sent(f"Because of {i}.", "analysis", "ANALYTICAL") for i in range(6)]
    sents += [sent(f"Chronology {i}.", "chronology", "ANALYTICAL") for i in range(50)]
    flag = analysis_flag(sents, CFG, "lcspr")
    assert flag.status == "raised" and flag.severity == "concern"
    assert flag.value == round(6 / 22, 4)


def test_rapid_reviews_have_a_looser_threshold() -> None:
    sents = [sent("d", "analysis", "DESCRIPTIVE") for _ in range(14)]
    sents += [sent("a", "analysis", "ANALYTICAL") for _ in range(7)]  # share 0.33
    assert analysis_flag(sents, CFG, "lcspr").status == "raised"
    assert analysis_flag(sents, CFG, "rapid_review").status == "not_raised"


def test_too_little_text_is_said_not_flagged() -> None:
    flag = analysis_flag([sent("d", "analysis", "DESCRIPTIVE")] * 5, CFG, None)
    assert flag.status == "insufficient_text" and "5" in flag.rationale


def test_ethnicity_recorded_withheld_or_missing() -> None:
    recorded = [sent("Child A is of Black Caribbean heritage.", "background", "IDENTITY_MENTION")]
    assert ethnicity_flag(recorded, CFG).status == "not_raised"
    withheld = [sent("The family's ethnicity is not stated to protect their anonymity.", "background")]
    flag = ethnicity_flag(withheld, CFG)
    assert flag.id == "ETHNICITY_WITHHELD" and flag.severity == "info"
    faith_only = [sent("Mother is a practising Catholic.", "background", "IDENTITY_MENTION")]
    faith_only += [sent(f"Sentence {i}.", "analysis", "DESCRIPTIVE") for i in range(45)]
    assert ethnicity_flag(faith_only, CFG).status == "raised"


def test_ethnicity_is_not_judged_on_a_fragment() -> None:
    """Issue 9: a one-sentence editor check, or an empty line of a batch, carried ETHNICITY_NOT_RECORDED."""
    for sents in ([], [sent("The case was closed in May.", "unknown", "DESCRIPTIVE")]):
        flag = ethnicity_flag(sents, CFG)
        assert flag.id == "ETHNICITY_NOT_RECORDED" and flag.status == "insufficient_text"
        assert flag.severity == "info"


def test_identity_noted_but_never_analysed() -> None:
    sents = [sent("Mother's first language is Polish.", "background", "IDENTITY_MENTION")]
    sents += [sent(f"Sentence {i}.", "analysis", "DESCRIPTIVE") for i in range(45)]
    flag = cultural_flag(sents, CFG)
    assert flag.status == "raised" and "noted" in flag.rationale
    sents.append(
        sent("Relying on her son to interpret meant she never heard the concerns.", "analysis", "CULTURAL_ANALYSIS")
    )
    assert cultural_flag(sents, CFG).status == "not_raised"


def test_risk_weak_counts_outside_chronology_only() -> None:
    sents = [sent("Risk was low.", "analysis", "RISK_UNSUPPORTED") for _ in range(3)]
    sents += [sent("Grounded judgement.", "analysis", "RISK_REASONED") for _ in range(2)]
    sents += [sent("Closed.", "chronology", "RISK_UNSUPPORTED") for _ in range(10)]
    flag = risk_flag(sents, CFG)
    assert flag.status == "raised" and flag.confidence == "normal"
    assert "chronology reports 10" in flag.rationale
    sents += [sent("Reasoned.", "learning", "RISK_REASONED") for _ in range(2)]
    assert risk_flag(sents, CFG).status == "not_raised"


def test_flag_config_rejects_unknown_keys() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown flag settings"):
        FlagConfig.from_dict({"analytical_share": 0.3})


def _cultural(score: float, text: str) -> LabelledSentence:
    s = sent(text, "analysis")
    return LabelledSentence(s.start, s.end, s.text, s.section, {"cultural_competence": ("CULTURAL_ANALYSIS", score)},
                            {"CULTURAL_ANALYSIS": score})


def test_one_borderline_cultural_sentence_does_not_clear_the_flag() -> None:
    """Issue 9: one false-positive CULTURAL_ANALYSIS at 0.53 kept CULTURAL_ANALYSIS_MISSING from being raised."""
    body = [sent(f"Sentence {i}.", "analysis", "DESCRIPTIVE") for i in range(45)]
    one = [*body, _cultural(0.53, "Professionals should understand culture and faith.")]
    flag = cultural_flag(one, CFG)
    assert flag.status == "raised" and "borderline" in flag.rationale
    two = [*one, _cultural(0.55, "Her faith shaped what she felt able to tell the nurse.")]
    assert cultural_flag(two, CFG).status == "not_raised"
    sure = [*body, _cultural(0.9, "His mother's fear of deportation kept her from calling the police.")]
    assert cultural_flag(sure, CFG).status == "not_raised"
