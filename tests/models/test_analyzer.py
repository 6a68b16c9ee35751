from reviewlens.models.analyzer import Analyzer
from reviewlens.models.documents import Document


def test_offsets_slice_the_original_text_with_crlf_tabs_emoji_and_combining(
    analyzer: Analyzer, sample_review: str
) -> None:
    text = "\t😀 Cafe\u0301 note.\r\n\r\n" + sample_review.replace("\n", "\r\n")
    result = analyzer.analyze(text)
    spans = [f for f in result.findings if f.scope == "span"]
    assert spans, "a real review excerpt must produce findings"
    for f in spans:
        assert text[f.offset : f.offset + f.length] == f.text
    for s in result.document.sections:
        assert text[s.offset :].startswith(s.title)


def test_result_shape_and_severities(analyzer: Analyzer, sample_review: str) -> None:
    result = analyzer.analyze(sample_review)
    assert result.offset_unit == "codepoint" and result.model.label_schema == "1.0"
    assert set(result.summary) == {"analysis_depth", "cultural_competence", "risk_reasoning"}
    assert {f.id for f in result.flags} >= {"ANALYSIS_MOSTLY_DESCRIPTIVE", "RISK_REASONING_WEAK"}
    for f in result.findings:
        if f.scope == "span" and f.label in {"ANALYTICAL", "CULTURAL_ANALYSIS", "RISK_REASONED"}:
            assert f.severity == "strength"
        if f.scope == "span" and f.label == "RISK_UNSUPPORTED":
            assert f.severity == "concern" and f.question.endswith("?")
        if f.scope == "document":
            assert f.severity in {"concern", "info"} and f.evidence
    chronology = [f for f in result.findings if f.label == "DESCRIPTIVE" and f.section == "chronology"]
    assert all(f.severity == "info" for f in chronology)


def test_theme_filter_and_min_score(analyzer: Analyzer, sample_review: str) -> None:
    only_risk = analyzer.analyze(sample_review, themes=["risk_reasoning"])
    assert {f.theme for f in only_risk.findings} <= {"risk_reasoning"}
    assert set(only_risk.summary) == {"risk_reasoning"}
    strict = analyzer.analyze(sample_review, min_score=0.9)
    assert all(f.score >= 0.9 for f in strict.findings if f.scope == "span")


def test_batch_equals_one_by_one(analyzer: Analyzer, sample_review: str) -> None:
    texts = [sample_review, sample_review[: len(sample_review) // 2], "Analysis\n\nThe plan continued."]
    assert analyzer.analyze_many(texts) == [analyzer.analyze(t) for t in texts]


def test_pages_come_from_the_document(analyzer: Analyzer, sample_review: str) -> None:
    half = len(sample_review) // 2
    doc = Document(sample_review, "x.pdf", (0, half))
    result = analyzer.analyze(doc)
    assert result.document.pages == 2
    for f in result.findings:
        if f.scope == "span":
            assert f.page == (1 if f.offset < half else 2)


def test_short_text_declines_to_judge(analyzer: Analyzer) -> None:
    result = analyzer.analyze("The risk was assessed as low.")
    statuses = {f.id: f.status for f in result.flags}
    assert statuses["ANALYSIS_MOSTLY_DESCRIPTIVE"] == "insufficient_text"
    assert statuses["CULTURAL_ANALYSIS_MISSING"] == "insufficient_text"
    assert result.document.headings_found is False
