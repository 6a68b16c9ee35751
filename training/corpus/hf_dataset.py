"""The corpus as Hugging Face `datasets` objects: one row per sentence unit, one label column per theme.

Built in memory with `Dataset.from_list`, so nothing is downloaded and no cache file is written (the home
directory stays untouched); the offline variables are set before `datasets` is imported, which reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import datasets

from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.splits import FIT_SPLITS, SPLIT_NAMES, read_splits
from reviewlens.training.corpus.units import record_units, theme_names
from reviewlens.training.corpus.validate import load_corpus


def features() -> datasets.Features:
    """The column types, fixed so an empty split still has the full schema."""
    cols: dict[str, Any] = {
        "record_id": datasets.Value("string"),
        "document_id": datasets.Value("string"),
        "start": datasets.Value("int32"),
        "end": datasets.Value("int32"),
        "text": datasets.Value("string"),
        "section": datasets.Value("string"),
        "paragraph": datasets.Value("int32"),
        "split": datasets.Value("string"),
    }
    cols.update({theme: datasets.Value("string") for theme in theme_names()})
    return datasets.Features(cols)


def _rows(records: Sequence[Record], splits: dict[str, str] | None) -> list[dict[str, Any]]:
    rows = []
    for rec in records:
        split = (splits or {}).get(rec.document_id, "")
        for unit in record_units(rec):
            row: dict[str, Any] = {
                "record_id": unit.record_id,
                "document_id": unit.document_id,
                "start": unit.start,
                "end": unit.end,
                "text": unit.text,
                "section": unit.section,
                "paragraph": unit.paragraph,
                "split": split,
            }
            row.update({theme: unit.label_for(theme) or "" for theme in theme_names()})
            rows.append(row)
    return rows


def _build(rows: list[dict[str, Any]]) -> datasets.Dataset:
    feats = features()
    # from_list fails on an empty list even given the features, and a small corpus may leave a split empty.
    if not rows:
        return datasets.Dataset.from_dict({name: [] for name in feats}, features=feats)
    return datasets.Dataset.from_list(rows, features=feats)


def to_dataset(records: Sequence[Record], splits: dict[str, str] | None = None) -> datasets.Dataset:
    """One row per sentence unit; `split` comes from the document → split map ("" when absent or unmapped)."""
    return _build(_rows(records, splits))


def load_dataset_dict(paths: Sequence[str | Path], splits_path: str | Path) -> datasets.DatasetDict:
    """Validate corpus files and return train/dev/test datasets split by the split file.

    Raises ValueError if a document is missing from the split file: silently leaving it out would shrink
    training without anyone noticing.
    """
    records = load_corpus(list(paths))
    splits = read_splits(Path(splits_path))
    missing = sorted({r.document_id for r in records} - splits.keys())
    if missing:
        raise ValueError(
            f"{splits_path}: no split for document(s) {', '.join(missing[:10])}"
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        )
    rows = _rows(records, splits)
    # train/dev/test always; challenge only where the corpus has one (a corpus need not).
    present = {r["split"] for r in rows}
    names = [n for n in SPLIT_NAMES if n in FIT_SPLITS or n in present]
    return datasets.DatasetDict({name: _build([r for r in rows if r["split"] == name]) for name in names})
