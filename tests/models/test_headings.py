"""Section headings as real reviews write them, in blank-line and single-newline text (issue 9, item 5)."""

from __future__ import annotations

import pytest

from reviewlens.models.segmentation import segment

VARIANTS: list[tuple[str, str]] = [
    ("# Analysis", "analysis"),
    ("## 5. Analysis of practice", "analysis"),
    ("3.2 Analysis", "analysis"),
    ("Section 4: Analysis", "analysis"),
    ("ANALYSIS", "analysis"),
    ("Findings", "analysis"),
    ("Finding 2: Professional curiosity", "analysis"),
    ("Key practice episodes", "analysis"),
    ("Analysis by key line of enquiry", "analysis"),
    ("Findings against the key lines of enquiry", "analysis"),
    ("Good practice", "analysis"),
    ("Appraisal of practice", "analysis"),
    ("Summary of key events", "chronology"),
    ("4. Summary of key events", "chronology"),
    ("SUMMARY OF KEY EVENTS", "chronology"),
    ("Summary of significant events", "chronology"),
    ("Chronology", "chronology"),
    ("Key events", "chronology"),
    ("Period 2: March to August 2021", "chronology"),
    ("Agency involvement", "chronology"),
    ("Timeline of events", "chronology"),
    ("Terms of reference", "methodology"),
    ("2. Terms of reference and methodology", "methodology"),
    ("Methodology", "methodology"),
    ("Key lines of enquiry", "methodology"),
    ("Scope of the review", "methodology"),
    ("Limitations", "methodology"),
    ("The child's lived experience", "background"),
    ("Who is Maisie?", "background"),
    ("Background", "background"),
    ("Family composition", "background"),
    ("Voice of the child", "background"),
    ("The family's views", "background"),
    ("Learning", "learning"),
    ("6. Conclusions and learning", "learning"),
    ("Lessons learned", "learning"),
    ("Recommendations", "recommendations"),
    ("RECOMMENDATIONS", "recommendations"),
    ("7. Recommendations for the partnership", "recommendations"),
    ("Questions for the partnership", "recommendations"),
    ("Appendix 1: Glossary", "appendix"),
    ("Appendix", "appendix"),
    ("Introduction", "front_matter"),
    ("1. Introduction", "front_matter"),
    ("Reasons for this review", "front_matter"),
    ("Executive summary", "front_matter"),
]
BODY = "On 3 May 2021 the health visitor saw the baby at home and recorded no concerns."


def _kind_of_body(text: str) -> str:
    seg = segment(text)
    sentence = next(s for s in seg.sentences if s.text == BODY)
    return seg.section_kind(sentence)


def test_there_are_at_least_forty_variants() -> None:
    assert len(VARIANTS) >= 40


@pytest.mark.parametrize(("heading", "kind"), VARIANTS)
def test_heading_between_blank_lines(heading: str, kind: str) -> None:
    text = f"Serious Case Review: Child K\n\nThe review began in 2020.\n\n{heading}\n\n{BODY}\n"
    assert _kind_of_body(text) == kind


@pytest.mark.parametrize(("heading", "kind"), [v for v in VARIANTS if not v[0].startswith("#")])
def test_heading_in_single_newline_text(heading: str, kind: str) -> None:
    """Text pasted from Word or a text box separates paragraphs with one newline; headings must still be found."""
    text = f"Serious Case Review: Child K\nThe review began in 2020.\n{heading}\n{BODY}\nThe plan ended in May.\n"
    assert _kind_of_body(text) == kind


def test_a_short_sentence_in_single_newline_text_is_not_a_heading() -> None:
    text = "The plan ended in May.\nMother agreed\nto the plan and signed it.\nFindings were shared.\n"
    assert segment(text).sections == []
