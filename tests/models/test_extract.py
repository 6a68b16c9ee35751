"""Reading PDF, DOCX, TXT and MD into Documents: furniture removed, hyphens rejoined, pages and headings kept."""

from __future__ import annotations

import io
import itertools
import random
import re
import zipfile
from pathlib import Path

import pytest

from reviewlens.models.extract import ExtractionError, extract_bytes, read_bytes, read_document
from reviewlens.models.extract.cleanup import Cleanup, Line, clean_pages, is_page_number
from reviewlens.models.segmentation import heading_kind, segment
from tests.support.reviews import (
    DrawnLine,
    SyntheticReview,
    corpus_excerpts,
    make_review,
    write_docx,
    write_pdf,
)

HEADER = "Local Child Safeguarding Practice Review"
FOOTER = "Published by the Safeguarding Partnership"


@pytest.fixture(scope="module")
def review() -> SyntheticReview:
    return make_review(corpus_excerpts(), random.Random(7), words=2500, title="Child Q")


@pytest.fixture(scope="module")
def pdf(review: SyntheticReview, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[DrawnLine]]:
    path = tmp_path_factory.mktemp("pdf") / "review.pdf"
    return path, write_pdf(review, path, header=HEADER, footer=FOOTER)


def test_pdf_drops_running_header_footer_and_page_numbers(pdf: tuple[Path, list[DrawnLine]]) -> None:
    path, drawn = pdf
    extracted = extract_bytes(path.read_bytes(), path.name)
    doc = extracted.document
    assert doc.pages == drawn[-1].page and doc.pages >= 4
    assert HEADER not in doc.text
    assert FOOTER not in doc.text
    assert not re.search(r"Page \d+ of \d+", doc.text)
    assert any("header/footer" in note for note in extracted.notes)


def test_pdf_rejoins_words_hyphenated_across_lines_and_pages(pdf: tuple[Path, list[DrawnLine]]) -> None:
    path, drawn = pdf
    doc = read_document(path)
    flat = " ".join(doc.text.split())
    joined = []
    for line, nxt in itertools.pairwise(drawn):
        if line.text.endswith("-") and line.text[-2].isalpha() and nxt.text[:1].islower():
            head = line.text.split()[-1][:-1]
            tail = re.match(r"[^\W\d_]+", nxt.text)
            assert tail is not None
            joined.append((head + tail.group(), line.page != nxt.page))
    assert len(joined) >= 5, "the generator must hyphenate some words for this test to mean anything"
    for word, _ in joined:
        assert word in flat
    assert not re.search(r"[a-z]-\n[a-z]", doc.text)


def test_pdf_findings_land_on_the_page_they_were_printed_on(pdf: tuple[Path, list[DrawnLine]]) -> None:
    path, drawn = pdf
    doc = read_document(path)
    checked = 0
    for line in drawn:
        words = line.text.rstrip("-").split()[1:-1]  # edge words may have been rejoined with a neighbour
        probe = " ".join(words)
        if len(probe) < 40 or doc.text.count(probe) != 1:
            continue
        assert doc.page_of(doc.text.index(probe)) == line.page, probe
        checked += 1
    assert checked > 20
    assert {line.page for line in drawn} == set(range(1, doc.pages + 1))


def test_pdf_keeps_headings_on_their_own_lines_and_paragraph_breaks(
    pdf: tuple[Path, list[DrawnLine]], review: SyntheticReview
) -> None:
    doc = read_document(pdf[0])
    titles = [s.title for s in segment(doc.text).sections]
    for heading, _ in review.sections:
        assert heading in titles
    kinds = {s.kind for s in segment(doc.text).sections}
    assert {heading_kind(h) for h, _ in review.sections} <= kinds
    assert {"chronology", "analysis"} <= kinds
    # Each paragraph of the review starts after a blank line (its first words follow "\n\n").
    starts = [" ".join(p.split()[:4]) for _, paras in review.sections for p in paras]
    after_blank = [s for s in starts if f"\n\n{s}" in doc.text]
    assert len(after_blank) >= 0.9 * len(starts)


def test_docx_paragraphs_headings_and_tables_without_header_or_footer(review: SyntheticReview, tmp_path: Path) -> None:
    path = tmp_path / "review.docx"
    write_docx(review, path, header="OFFICIAL SENSITIVE")
    doc = read_document(path)
    assert doc.pages is None and doc.page_starts == ()
    assert "OFFICIAL SENSITIVE" not in doc.text
    for heading, paragraphs in review.sections:
        assert f"\n\n{heading}\n\n" in doc.text
        for para in paragraphs:
            assert para in doc.text
    assert doc.text.count("Agencies involved in the review") == 1, "a merged cell is read once"
    assert "Health visiting service" in doc.text
    titles = [s.title for s in segment(doc.text).sections]
    headings = [h for h, _ in review.sections]
    assert [t for t in titles if t in headings] == headings


def test_text_decodes_any_encoding_and_notes_the_fallback() -> None:
    text = "Café culture: the family’s first language was Somali."
    assert read_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.txt").text == text
    assert read_bytes(text.encode("utf-16"), "a.txt").text == text
    extracted = extract_bytes(text.encode("cp1252"), "a.txt")
    assert extracted.document.text == text
    assert any("Windows-1252" in n for n in extracted.notes)
    # Bytes undefined in cp1252 too: replaced, never a crash.
    assert "\ufffd" in read_bytes(b"plain text \x81\x8d here", "a.txt").text


def test_text_with_form_feeds_is_paged_and_cleaned() -> None:
    pages = [
        f"Child R review\n\nBody text on page {n} mentions the safe-\nguarding partnership and its work.\n\n{n}"
        for n in range(1, 5)
    ]
    doc = read_bytes("\f".join(pages).encode(), "export.txt")
    assert doc.pages == 4
    assert "Child R review" not in doc.text
    assert " ".join(doc.text.split()).count("the safeguarding partnership") == 4
    assert doc.page_of(doc.text.index("page 3")) == 3
    assert not re.search(r"^\d+$", doc.text, re.MULTILINE)


def test_markdown_headings_are_found() -> None:
    doc = read_bytes(b"# Analysis\n\nWhy did agencies not share the referral? It was not escalated.\n", "r.md")
    assert segment(doc.text).sections[0].kind == "analysis"
    assert doc.pages is None


def _encrypted_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Confidential review text")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    return bytes(pdf.output())


def _scanned_pdf() -> bytes:
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_page()
    pdf.image(Image.new("RGB", (300, 400), "white"), x=10, y=10, w=150)
    return bytes(pdf.output())


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (_encrypted_pdf, "locked.pdf", "encrypted PDF"),
        (_scanned_pdf, "scan.pdf", "no text layer"),
        (lambda: b"%PDF-1.7\n1 0 obj <<>> garbage", "broken.pdf", "corrupt PDF"),
        (lambda: b"", "empty.pdf", "empty file"),
        (lambda: b"  \n\t\n", "blank.txt", "empty file"),
        (lambda: bytes(range(256)) * 4, "data.txt", "binary content"),
        (lambda: b"\x01\x02\x03\x04 not text \x05\x06\x07\x08" * 20, "notes.md", "binary content"),
        (lambda: b"PK\x03\x04 not really a zip", "broken.docx", "corrupt DOCX"),
        (lambda: _zip({"hello.txt": b"hi"}), "nodoc.docx", "corrupt DOCX"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "locked.docx", "encrypted DOCX"),
        (lambda: b"text", "slides.pptx", "unsupported file type '.pptx'"),
        (lambda: b"12\f13\f14", "numbers.txt", "empty document"),
    ],
)
def test_unreadable_input_raises_one_clear_error(make, name: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=re.escape(message)):
        read_bytes(make(), name)


def test_missing_file_is_an_extraction_error(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="cannot read"):
        read_document(tmp_path / "nope.pdf")


def test_a_pdf_with_some_scanned_pages_is_read_with_a_note() -> None:
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "The review panel considered why the referral was not escalated by the school.")
    pdf.add_page()
    pdf.image(Image.new("RGB", (300, 400), "white"), x=10, y=10, w=150)
    extracted = extract_bytes(bytes(pdf.output()), "mixed.pdf")
    assert extracted.document.pages == 2
    assert any("page(s) 2" in n for n in extracted.notes)


def test_page_numbers_are_recognised() -> None:
    for text in ["12", "Page 3", "page 3 of 20", "3/20", "- 4 -", "iv", "p. 7"]:
        assert is_page_number(text), text
    for text in ["12 children were seen", "Page three", "2019-2020 review"]:
        assert not is_page_number(text), text


def _pages(*pages: list[str]) -> list[list[Line]]:
    return [[Line(t) for t in page] for page in pages]


def test_repeated_edge_lines_go_but_body_repeats_stay() -> None:
    body = "The social worker visited the family."
    pages = _pages(*[[f"Review of Child {c} – March 2023", body, f"{n}"] for n, c in enumerate("ABCD", start=1)])
    # Digits differ per page and the child letter in the header changes: only the numbers normalise away.
    doc = clean_pages(pages, "x.pdf", paged=True, report=Cleanup())
    assert doc.text.count(body) == 4
    assert "Review of Child" in doc.text  # differs on each page, so not a running header
    same = _pages(*[["Child Q LCSPR", body, f"Page {n} of 4"] for n in range(1, 5)])
    report = Cleanup()
    doc = clean_pages(same, "y.pdf", paged=True, report=report)
    assert "Child Q LCSPR" not in doc.text and "Page" not in doc.text
    assert report.furniture_removed == 8


def test_hyphen_rule_joins_only_a_lowercase_continuation() -> None:
    report = Cleanup()
    pages = _pages(["The safe-", "guarding partners met.", "An Anti-", "Social Behaviour Order."])
    doc = clean_pages(pages, "x.txt", paged=False, report=report)
    assert "safeguarding\npartners met." in doc.text
    assert "Anti-\nSocial" in doc.text
    assert report.hyphens_rejoined == 1
    gap = [[Line("A well-"), Line("known fact.", gap_before=True)]]
    assert "well-" in clean_pages(gap, "x.txt", paged=False, report=Cleanup()).text


def test_a_page_ending_mid_sentence_continues_without_a_paragraph_break() -> None:
    pages = _pages(["Head", "The panel found that the", "2"], ["Head", "referral was never made.", "3"])
    doc = clean_pages(pages, "x.pdf", paged=True, report=Cleanup())
    assert doc.text == "The panel found that the\nreferral was never made."
    assert doc.page_starts == (0, doc.text.index("referral"))


def test_a_heading_set_in_a_larger_font_is_its_own_paragraph_even_without_spacing() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for size, style, text in [
        (10.5, "", "The school made a referral to children's social care on the same day. " * 3),
        (12, "B", "Analysis of practice"),
        (10.5, "", "Why was the referral not escalated when nothing happened? " * 3),
    ]:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")  # the same line pitch throughout
    doc = read_bytes(bytes(pdf.output()), "tight.pdf")
    assert "\n\nAnalysis of practice\n\n" in doc.text
    assert [s.kind for s in segment(doc.text).sections] == ["analysis"]


def test_a_bold_heading_at_the_text_size_is_its_own_paragraph() -> None:
    """Issue 9, item 5: a heading set only in bold, same size and pitch as the text, with no space around it and
    no section vocabulary, is found; a bold word inside a line of text breaks nothing."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for style, text in [
        ("", "The school made a referral to children's social care on the same day. " * 3),
        ("B", "Communication between the school and the GP practice"),
        ("", "Neither agency knew what the other had been told about the bruising. " * 3),
    ]:
        pdf.set_font("helvetica", style, 10.5)
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 10.5)
    pdf.write(5, "Note: ")
    pdf.set_font("helvetica", "", 10.5)
    pdf.write(5, "the health visitor was not told of the move. " * 3)
    doc = read_bytes(bytes(pdf.output()), "bold.pdf")
    assert "\n\nCommunication between the school and the GP practice\n\n" in doc.text
    assert [s.title for s in segment(doc.text).sections] == ["Communication between the school and the GP practice"]
    assert "\nNote: the health visitor" in doc.text and "\n\nNote" not in doc.text  # a bold lead-in breaks nothing
