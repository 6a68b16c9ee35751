from models.analyzer import Analyzer


def test_offsets_slice_the_original_text(analyzer: Analyzer, sample_review: str) -> None:
    text = sample_review.replace("\n", "\r\n")
    result = analyzer.analyze(text)
    spans = [f for f in result.findings if f.scope == "span"]
    assert spans, "a real review excerpt must produce findings"
    for f in spans:
        assert text[f.offset : f.offset + f.length] == f.text
