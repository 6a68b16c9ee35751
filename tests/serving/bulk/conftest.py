"""Fixtures for bulk scoring: a folder of generated reviews with every kind of bad file, and a store scored once."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.reviews import corpus_excerpts, make_review, write_docx, write_pdf

# The folder's good documents and their metadata (doc_kind matters: a rapid review has a lower flag bar).
METADATA = {
    "review-a.pdf": ("2019", "North", "lcspr"),
    "review-b.pdf": ("2020", "South", "rapid review"),
    "review-c.pdf": ("2021", "North", "lcspr"),
    "nested/review-d.pdf": ("2021", "East", "scr"),
    "report-e.docx": ("2020", "East", "lcspr"),
    "notes-f.txt": ("2019", "South", "other"),
}
BAD = {
    "corrupt.pdf": "corrupt PDF",
    "empty.txt": "empty file",
    "blob.md": "binary content",
}


@dataclass(frozen=True)
class ReviewFolder:
    """A folder to score and what it holds."""

    root: Path
    metadata_csv: Path
    good: list[str]  # relative paths of readable, distinct documents
    duplicate: str  # a byte-identical copy of good[0] under another name


@pytest.fixture(scope="session")
def review_folder(tmp_path_factory: pytest.TempPathFactory) -> ReviewFolder:
    root = tmp_path_factory.mktemp("reviews")
    (root / "nested").mkdir()
    excerpts = corpus_excerpts()
    rng = random.Random(11)
    for rel in METADATA:
        review = make_review(excerpts, rng, words=900, title=f"Child {rel[-5].upper()}")
        path = root / rel
        if rel.endswith(".pdf"):
            write_pdf(review, path)
        elif rel.endswith(".docx"):
            write_docx(review, path)
        else:
            body = "\n\n".join(f"{h}\n\n" + "\n\n".join(ps) for h, ps in review.sections)
            path.write_text(body, encoding="utf-8")
    shutil.copy(root / "review-a.pdf", root / "nested" / "copy-of-a.pdf")
    (root / "corrupt.pdf").write_bytes((root / "review-b.pdf").read_bytes()[:3000])
    (root / "empty.txt").write_bytes(b"")
    (root / "blob.md").write_bytes(bytes(range(256)) * 8)
    (root / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n not scored")
    csv = root.parent / f"{root.name}-metadata.csv"
    lines = ["file,year,area,doc_kind,panel chair"]
    lines += [f"{Path(rel).name},{y},{a},{k},Chair {i % 2}" for i, (rel, (y, a, k)) in enumerate(METADATA.items())]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ReviewFolder(root, csv, list(METADATA), "nested/copy-of-a.pdf")


@dataclass(frozen=True)
class ScoredStore:
    """A store holding one local run over the review folder."""

    path: Path
    model: str
    summary_text: str


@pytest.fixture(scope="session")
def scored_store(review_folder: ReviewFolder, tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    from reviewlens.serving.bulk.metadata import read_metadata
    from reviewlens.serving.bulk.run import ScoreOptions, score_inputs

    store = tmp_path_factory.mktemp("store") / "bulk.sqlite"
    options = ScoreOptions(
        model=str(tiny_model_dir), workers=2, threads=1, progress=False,
        metadata=read_metadata(review_folder.metadata_csv),
    )
    summary = score_inputs([review_folder.root], store, options)
    return ScoredStore(store, summary.counts.model, summary.render())
