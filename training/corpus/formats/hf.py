"""The corpus as a Hugging Face dataset folder: Parquet per split, `ClassLabel` per theme, and a dataset card.

`datasets.load_dataset(folder)` reads it offline: the card's YAML names the split files, and the Parquet schema
carries the features (so the theme columns come back as `ClassLabel`, not strings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewlens.models.labels import THEMES
from reviewlens.models.paths import paths
from reviewlens.models.runtime import allow_torch
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.splits import SPLIT_NAMES, read_splits
from reviewlens.training.corpus.units import record_units

CARD = """---
license: mit
language:
- en
pretty_name: reviewlens corpus
task_categories:
- text-classification
tags:
- safeguarding
- child-protection
- practice-reviews
configs:
- config_name: default
  data_files:
{files}
---

# reviewlens corpus

Sentences of invented child-safeguarding practice reviews (LCSPRs, rapid reviews, serious case reviews, Welsh
child practice reviews), each labelled in three themes by the project's guideline (`annotations/GUIDELINE.md`):

| column | values |
|---|---|
{themes}

One row per sentence; `document_id` groups the sentences of one review, and splits are by document
(`challenge` was written and annotated independently and must never be used for training or tuning).
Rows per split: {counts}. Every record is written by the project (`source` says so); none is taken from a
real review.
"""


def _row(unit: Any, doc_kind: str, source: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "record_id": unit.record_id,
        "document_id": unit.document_id,
        "doc_kind": doc_kind,
        "source": source,
        "section": unit.section,
        "start": unit.start,
        "end": unit.end,
        "text": unit.text,
    }
    for theme in THEMES:
        label = unit.label_for(theme.name)
        row[theme.name] = 0 if label is None else 1 + theme.labels.index(label)
    return row


def export_hf(records: list[Record], output: Path, splits_path: Path | None = None) -> int:
    """Write `output/data/<split>.parquet` and `output/README.md`; return the number of rows written.

    Every document must have a split in the split file (default: the project's), or nothing is written.
    """
    # datasets probes for torch with importlib.util.find_spec, which the command line's serving-time block turns
    # into an error; an export is not a serving process.
    allow_torch()
    # datasets (and pyarrow under it) is heavy: imported only when this export runs.
    import datasets

    datasets.disable_progress_bars()
    splits = read_splits(splits_path or paths().splits)
    missing = sorted({r.document_id for r in records} - splits.keys())
    if missing:
        raise ValueError(f"no split for document(s) {', '.join(missing[:5])}; add them to the split file first")
    features = datasets.Features(
        {
            "record_id": datasets.Value("string"),
            "document_id": datasets.Value("string"),
            "doc_kind": datasets.Value("string"),
            "source": datasets.Value("string"),
            "section": datasets.Value("string"),
            "start": datasets.Value("int32"),
            "end": datasets.Value("int32"),
            "text": datasets.Value("string"),
            **{t.name: datasets.ClassLabel(names=["none", *t.labels]) for t in THEMES},
        }
    )
    rows: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        for unit in record_units(record):
            rows.setdefault(splits[record.document_id], []).append(_row(unit, record.doc_kind, record.source))
    (output / "data").mkdir(parents=True, exist_ok=True)
    written = [name for name in SPLIT_NAMES if rows.get(name)]
    for name in written:
        datasets.Dataset.from_list(rows[name], features=features).to_parquet(str(output / "data" / f"{name}.parquet"))
    files = "\n".join(f"  - split: {name}\n    path: data/{name}.parquet" for name in written)
    themes = "\n".join(f"| `{t.name}` | {', '.join(['none', *t.labels])} |" for t in THEMES)
    counts = ", ".join(f"{name} {len(rows[name])}" for name in written)
    (output / "README.md").write_text(CARD.format(files=files, themes=themes, counts=counts), encoding="utf-8")
    return sum(len(rows[name]) for name in written)
