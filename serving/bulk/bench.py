"""Bulk-scoring benchmark: review-like PDFs built from the corpus excerpts, scored with 1 and with 2 workers.

    python -m reviewlens.serving.bulk.bench --docs 200 --words 10000

prints, per setting, wall time, the workers' model-loading time, documents/minute (over the whole wall time
and once the model is loaded), words/second and CPU utilisation (CPU seconds of the driver and its workers
over wall seconds × cores). The generators here (`make_review`,
`write_pdf`, `write_docx`) also build the test fixtures, so tests and benchmark read the same kind of file:
running headers and footers, page numbers, headings, and words hyphenated across line (and page) breaks.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "annotations" / "corpus"
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
    import matplotlib

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
    from fpdf import FPDF

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
    from docx import Document as new_docx

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


@dataclass(frozen=True)
class Timing:
    """One timed scoring run."""

    workers: int
    threads: int
    seconds: float
    startup: float
    cpu_seconds: float
    documents: int
    words: int

    def row(self, cores: int) -> str:
        """Setting, wall time, model loading, documents/minute (wall and after loading), words/s, CPU use."""
        busy = self.seconds - self.startup
        return (
            f"{self.workers:>7} {self.threads:>7} {self.seconds:>7.1f} {self.startup:>7.1f} "
            f"{self.documents / self.seconds * 60:>9.1f} {self.documents / busy * 60:>10.1f} "
            f"{self.words / busy:>9.0f} {self.cpu_seconds / self.seconds / cores:>7.0%}"
        )


HEADER = (
    f"{'workers':>7} {'threads':>7} {'wall s':>7} {'load s':>7} {'docs/min':>9} {'docs/min*':>10} "
    f"{'words/s*':>9} {'CPU':>7}"
)


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_score(folder: Path, store: Path, workers: int, threads: int, model: str | None, words: int) -> Timing:
    """Score `folder` into a fresh store with the local engine; wall and CPU time (worker processes included)."""
    from reviewlens.serving.bulk.run import ScoreOptions, score_inputs

    cpu = _cpu()
    options = ScoreOptions(model=model, workers=workers, threads=threads, progress=False)
    summary = score_inputs([folder], store, options)
    # Workers are waited for when the pool shuts down, so their CPU time is in RUSAGE_CHILDREN by now.
    return Timing(workers, threads, summary.seconds, summary.startup, _cpu() - cpu, summary.counts.scored, words)


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the PDFs, time 1 and 2 workers (threads so that workers × threads = cores), print a table."""
    parser = argparse.ArgumentParser(
        prog="python -m reviewlens.serving.bulk.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--docs", type=int, default=200, help="PDFs to generate (default 200)")
    parser.add_argument("--words", type=int, default=10_000, help="words per PDF (default 10000)")
    parser.add_argument("--model", default=None, help="model directory or name (default: the promoted model)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--keep", type=Path, default=None, help="generate into (and keep) this folder")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="reviewlens-bench-") as tmp:
        folder = args.keep or Path(tmp) / "pdfs"
        start = time.perf_counter()
        words = generate_corpus(folder, args.docs, args.words, corpus=args.corpus)
        print(f"generated {args.docs} PDFs, {words} words, in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        timings = []
        for workers in args.workers:
            threads = max(1, cores // workers)
            timings.append(time_score(folder, Path(tmp) / f"w{workers}.sqlite", workers, threads, args.model, words))
    print(f"{args.docs} documents, {words} words, {cores} cores; * = after the workers loaded the model")
    print(HEADER)
    for timing in timings:
        print(timing.row(cores))


if __name__ == "__main__":
    main()
