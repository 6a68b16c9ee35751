from reviewlens.models.segmentation import heading_kind, is_classifiable, segment

REVIEW = """Local Child Safeguarding Practice Review: Child T

1. Introduction

This review was commissioned in May 2024. It follows the death of Child T.

2. Terms of reference

The review considered the period from January 2022 to March 2024.

Chronology

On 3 May the health visitor visited. Dr Smith saw the child on 4 May.

Period 2: the refuge (March to May 2023)

Police attended the address at 23:40.

5. Analysis of practice

The health visitor accepted the explanation because she had no access to police records.
Key practice episode 2: the strategy discussion

No strategy discussion was held.

Who was Child T?

Child T loved drawing.

Learning

Recommendations
"""


def test_headings_map_to_section_kinds() -> None:
    seg = segment(REVIEW)
    kinds = [(s.title, s.kind) for s in seg.sections]
    assert ("1. Introduction", "front_matter") in kinds
    assert ("2. Terms of reference", "methodology") in kinds
    assert ("Chronology", "chronology") in kinds
    assert ("Period 2: the refuge (March to May 2023)", "chronology") in kinds
    assert ("5. Analysis of practice", "analysis") in kinds
    assert ("Who was Child T?", "background") in kinds
    assert ("Learning", "learning") in kinds
    assert ("Recommendations", "recommendations") in kinds


def test_sentences_carry_their_section_and_exact_offsets() -> None:
    seg = segment(REVIEW)
    for s in seg.sentences:
        assert REVIEW[s.start : s.end] == s.text
    by_text = {s.text: seg.section_kind(s) for s in seg.sentences}
    assert by_text["Police attended the address at 23:40."] == "chronology"
    assert by_text["No strategy discussion was held."] == "analysis"
    assert by_text["Child T loved drawing."] == "background"
    # the spaCy tokenizer keeps "Dr" abbreviations and splits the two sentences of one line
    assert "On 3 May the health visitor visited." in by_text


def test_wrapped_lines_are_not_headings() -> None:
    text = "Analysis\n\nThe social worker visited the\nfamily twice and recorded no concerns.\n"
    seg = segment(text)
    assert [s.title for s in seg.sections] == ["Analysis"]
    assert seg.sentences[0].text.startswith("The social worker visited the")


def test_no_headings_means_unknown_section() -> None:
    seg = segment("The plan ended in May. Nobody asked why.")
    assert seg.sections == []
    assert {seg.section_kind(s) for s in seg.sentences} == {"unknown"}


def test_offsets_survive_crlf_tabs_emoji_and_combining_marks() -> None:
    text = "Analysis\r\n\r\n\tThe child 😀 said she felt safe.  Cafe\u0301 staff saw Zoë\u0308 daily.\r\n"
    seg = segment(text)
    assert [s.kind for s in seg.sections] == ["analysis"]
    assert len(seg.sentences) == 2
    for s in seg.sentences:
        assert text[s.start : s.end] == s.text


def test_heading_kind_order_prefers_specific_sections() -> None:
    assert heading_kind("Summary of findings and learning") == "learning"
    assert heading_kind("Appendix 2: full chronology") == "appendix"
    assert heading_kind("Questions for the partnership") == "recommendations"
    assert heading_kind("The weather") is None


def test_fragments_are_not_classified() -> None:
    seg = segment("Analysis\n\n12\n\nThe review found that caseloads were high.")
    assert [is_classifiable(s) for s in seg.sentences] == [False, True]
