"""The `--metadata` CSV: one row per file (by file name) with year, area, doc_kind and any other columns.

Every column flows into the store (year, area and doc_kind as columns, all of them in a JSON column) and so
into the report. doc_kind also reaches the analyser, whose flags judge a rapid review by a lower bar.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from reviewlens.models.labels import DOC_KINDS

# The first of these headers present names the file each row describes.
FILE_COLUMNS = ("file", "filename", "file_name", "name", "path", "document")


class MetadataError(ValueError):
    """The metadata CSV cannot be used; the message names the line and the problem."""


class Metadata:
    """Metadata rows looked up by a document's path, or else by its file name."""

    def __init__(self, rows: Mapping[str, dict[str, str]]) -> None:
        self.rows = dict(rows)
        self.columns = sorted({k for row in self.rows.values() for k in row})

    def lookup(self, path: str | Path) -> dict[str, str]:
        """The metadata for a file (empty when the CSV has no row for it)."""
        p = Path(path)
        return self.rows.get(str(p)) or self.rows.get(p.name) or {}

    def doc_kind(self, path: str | Path) -> str | None:
        """The file's doc_kind, if the CSV gives one."""
        return self.lookup(path).get("doc_kind") or None


def normalise_doc_kind(value: str) -> str:
    """"Rapid review", "rapid-review" → "rapid_review"; raise ValueError for a kind the label schema lacks."""
    kind = "_".join(value.strip().lower().replace("-", " ").split())
    if kind not in DOC_KINDS:
        raise ValueError(f"doc_kind {value!r} is not one of {', '.join(DOC_KINDS)}")
    return kind


def _year(value: str) -> str:
    try:
        return str(int(value))
    except ValueError:
        raise ValueError(f"year {value!r} is not a whole number") from None


def read_metadata(path: Path) -> Metadata:
    """Read a metadata CSV (UTF-8, with or without BOM); raise MetadataError naming the offending line."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise MetadataError(f"cannot read metadata {path}: {exc.strerror or exc}") from exc
    with handle:
        try:
            return Metadata(_read_rows(path, csv.DictReader(handle)))
        except UnicodeDecodeError as exc:
            raise MetadataError(f"{path}: not UTF-8 ({exc.reason}); save it as UTF-8 CSV") from exc


def _read_rows(path: Path, reader: csv.DictReader[str]) -> dict[str, dict[str, str]]:
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    key = next((h for h in FILE_COLUMNS if h in headers), None)
    if key is None:
        raise MetadataError(f"{path}: needs a column naming the file (one of {', '.join(FILE_COLUMNS)})")
    rows: dict[str, dict[str, str]] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        name = row.pop(key, "")
        if not name:
            continue
        row = {k: v for k, v in row.items() if k and v}
        try:
            if "doc_kind" in row:
                row["doc_kind"] = normalise_doc_kind(row["doc_kind"])
            if "year" in row:
                row["year"] = _year(row["year"])
        except ValueError as exc:
            raise MetadataError(f"{path} line {line}: {exc}") from exc
        if name in rows:
            raise MetadataError(f"{path} line {line}: {name!r} has a row already")
        rows[name] = row
    return rows
