"""Section headings as real reviews write them, in blank-line and single-newline text (issue 9, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewlens.models.analyzer import Analyzer
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


def test_docx_heading_styles_decide_the_headings(tmp_path: Path, analyzer: Analyzer) -> None:
    """Word's heading styles are the document's own structure: a long question in Heading 2 is a heading, and a
    short Normal paragraph that looks like one is not (issue 9, item 5)."""
    from reviewlens.models.extract import read_document
    from tests.support.reviews import new_docx

    question = ("What did agencies know about the family's housing, and how did that knowledge shape the help "
                "they offered?")
    doc = new_docx()
    doc.add_heading("Child M: a local child safeguarding practice review", level=0)
    doc.add_heading("Summary of key events", level=1)
    doc.add_paragraph("On 3 March 2023 the health visitor saw Child M at home and weighed him.")
    doc.add_paragraph("Mother declined the offer of a parenting group")
    doc.add_paragraph("In April the GP saw Child M for a rash and prescribed cream.")
    doc.add_heading("Analysis", level=1)
    doc.add_heading(question, level=2)
    doc.add_paragraph("Agencies did not ask who else lived in the flat, because each saw only its own part.")
    path = tmp_path / "review.docx"
    doc.save(str(path))

    document = read_document(path)
    seg = segment(document.text, document.heading_starts)
    assert [s.title for s in seg.sections] == [
        "Child M: a local child safeguarding practice review", "Summary of key events", "Analysis", question,
    ]
    assert [s.kind for s in seg.sections][1:3] == ["chronology", "analysis"]
    # The analyzer reads a DOCX's headings the same way (the service and bulk scoring go through it).
    analysed = analyzer.analyze(document).document
    assert [x.title for x in analysed.sections] == [x.title for x in seg.sections]
    # Without the styles, the shape rules take the Normal paragraph for a heading and miss the long question.
    titles = [s.title for s in segment(document.text).sections]
    assert "Mother declined the offer of a parenting group" in titles and question not in titles
