"""Review-like files built from the corpus excerpts, for test fixtures and the bulk benchmark.

`make_review`, `write_pdf` and `write_docx` give tests and `benchmarks/bulk.py` the same kind of file: running
headers and footers, page numbers, headings, and words hyphenated across line (and page) breaks.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from docx import Document as new_docx
from fpdf import FPDF

from reviewlens.models.paths import paths

DEFAULT_CORPUS = paths().corpus
HEADINGS = (
    "Introduction",
    "Background to the review",
    "Summary of events",
    "Analysis of practice",
    "Key practice episode",
    "Learning from the review",
    "Recommendations",
)
# A hyphenated word keeps at least this many letters on each side of the break.
_MIN_FRAGMENT = 3


@dataclass(frozen=True)
class SyntheticReview:
    """A review-like document: a title and (heading, paragraphs) sections."""

    title: str
    sections: list[tuple[str, list[str]]]

    @property
    def words(self) -> int:
        """Words in headings and paragraphs."""
        return sum(len(h.split()) + sum(len(p.split()) for p in ps) for h, ps in self.sections)


@dataclass(frozen=True)
class DrawnLine:
    """A body line as written to the PDF, with the 1-based page it landed on."""

    page: int
    text: str


def corpus_excerpts(corpus: Path = DEFAULT_CORPUS) -> list[str]:
    """The `text` field of every record in the corpus JSONL files (a folder or one file)."""
    files = sorted(corpus.glob("*.jsonl")) if corpus.is_dir() else [corpus]
    texts: list[str] = []
    for path in files:
        with path.open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    if not texts:
        raise FileNotFoundError(f"no corpus excerpts under {corpus}")
    return texts


def excerpt_paragraphs(excerpts: Sequence[str]) -> list[str]:
    """The excerpts' paragraphs, one line each; the excerpts' own headings (no closing punctuation) left out."""
    out = []
    for text in excerpts:
        for para in re.split(r"\n\s*\n", text):
            flat = " ".join(para.split())
            if flat[-1:] in ".!?\"”’)'":
                out.append(flat)
    return out


def make_review(excerpts: Sequence[str], rng: random.Random, words: int, title: str) -> SyntheticReview:
    """Shuffle excerpt paragraphs under numbered review headings until `words` words are reached."""
    pool = excerpt_paragraphs(excerpts)
    rng.shuffle(pool)
    per_section = max(60, words // len(HEADINGS))
    sections: list[tuple[str, list[str]]] = []
    total = 0
    k = 0
    while total < words:
        heading = f"{len(sections) + 1}. {HEADINGS[len(sections) % len(HEADINGS)]}"
        paragraphs: list[str] = []
        in_section = 0
        while in_section < per_section and total + in_section < words:
            para = pool[k % len(pool)]
            k += 1
            if k % len(pool) == 0:
                rng.shuffle(pool)  # a fresh order on each pass, so long documents do not repeat in blocks
            paragraphs.append(para)
            in_section += len(para.split())
        sections.append((heading, paragraphs))
        total += in_section + len(heading.split())
    return SyntheticReview(title=title, sections=sections)


def _font_files() -> tuple[Path, Path]:
    # matplotlib ships DejaVu, so the PDFs can carry any character in the corpus without a system font.

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return ttf / "DejaVuSans.ttf", ttf / "DejaVuSans-Bold.ttf"


def _wrap(measure: Callable[[str], float], text: str, width: float, hyphenate: bool) -> list[str]:
    # Widths add up word by word (no kerning in these fonts), which keeps wrapping linear in the text.
    space = measure(" ")
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in text.split():
        w = measure(word)
        if not current or used + space + w <= width:
            used += (space if current else 0.0) + w
            current.append(word)
            continue
        split = None
        if hyphenate and word.isalpha() and len(word) >= 2 * _MIN_FRAGMENT + 1:
            for cut in range(len(word) - _MIN_FRAGMENT, _MIN_FRAGMENT - 1, -1):
                if word[cut].islower() and used + space + measure(word[:cut] + "-") <= width:
                    split = cut
                    break
        if split is not None:
            lines.append(" ".join([*current, word[:split] + "-"]))
            word = word[split:]
            w = measure(word)
        else:
            lines.append(" ".join(current))
        current, used = [word], w
    if current:
        lines.append(" ".join(current))
    return lines


def write_pdf(
    review: SyntheticReview,
    path: Path,
    header: str = "Local Child Safeguarding Practice Review",
    footer: str = "Published by the Safeguarding Partnership",
    hyphenate: bool = True,
) -> list[DrawnLine]:
    """Write a review as a PDF with a running header, a footer, "Page n of N" and hyphenated line ends.

    Returns the body lines with the page each was drawn on, so tests can check page numbers on findings.
    """
    regular, bold = _font_files()

    class _Review(FPDF):
        def header(self) -> None:
            self.set_font("body", "", 8)
            self.cell(0, 5, f"{header}: {review.title}", align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(6)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("body", "", 8)
            self.cell(0, 4, footer, align="C", new_x="LMARGIN", new_y="NEXT")
            self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = _Review()
    pdf.add_font("body", "", str(regular))
    pdf.add_font("body", "B", str(bold))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    width = pdf.epw
    drawn: list[DrawnLine] = []
    widths: dict[str, float] = {}

    def measure(text: str) -> float:
        # fpdf2 measures slowly and a review reuses its words; body text is the only font measured.
        if text not in widths:
            widths[text] = pdf.get_string_width(text)
        return widths[text]

    pdf.set_font("body", "B", 16)
    pdf.cell(0, 9, review.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, paragraphs in review.sections:
        pdf.set_font("body", "B", 13)
        pdf.ln(2)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("body", "", 10.5)
        for para in paragraphs:
            for line in _wrap(measure, para, width, hyphenate):
                pdf.cell(0, 5.2, line, new_x="LMARGIN", new_y="NEXT")
                drawn.append(DrawnLine(pdf.page_no(), line))
            pdf.ln(3.5)
    pdf.output(str(path))
    return drawn


def write_docx(review: SyntheticReview, path: Path, header: str = "OFFICIAL", with_table: bool = True) -> None:
    """Write a review as a DOCX with Word headings, a running header/footer and (optionally) a small table."""
    doc = new_docx()
    section = doc.sections[0]
    section.header.paragraphs[0].text = f"{header}: {review.title}"
    section.footer.paragraphs[0].text = "Page 1"
    doc.add_heading(review.title, level=0)
    for i, (heading, paragraphs) in enumerate(review.sections):
        doc.add_heading(heading, level=1)
        for para in paragraphs:
            doc.add_paragraph(para)
        if with_table and i == 0:
            table = doc.add_table(rows=2, cols=2)
            table.cell(0, 0).merge(table.cell(0, 1)).text = "Agencies involved in the review"
            table.cell(1, 0).text = "Children's social care"
            table.cell(1, 1).text = "Health visiting service"
    doc.save(str(path))


def _generate_one(excerpts: Sequence[str], seed: int, words: int, path: Path) -> int:
    review = make_review(excerpts, random.Random(seed), words, title=f"Child {path.stem.rsplit('-', 1)[-1]}")
    write_pdf(review, path)
    return review.words


def generate_corpus(out: Path, docs: int, words: int, seed: int = 0, corpus: Path = DEFAULT_CORPUS) -> int:
    """Write `docs` review PDFs into `out` (in parallel, deterministic per seed); returns the total word count."""
    excerpts = corpus_excerpts(corpus)
    out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        futures = [
            pool.submit(_generate_one, excerpts, seed * 1_000_003 + i, words, out / f"review-{i:04d}.pdf")
            for i in range(docs)
        ]
        return sum(f.result() for f in futures)


