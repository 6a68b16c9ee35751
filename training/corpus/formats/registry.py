"""One entry point per direction: which reader or writer handles which annotation format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewlens.training.corpus.records import Record, write_jsonl


@dataclass
class ImportResult:
    """Records converted from a foreign format, plus what could not be converted faithfully."""

    records: list[Record]
    warnings: list[str] = field(default_factory=list)


Importer = Callable[[Path, str, str], ImportResult]
Exporter = Callable[[list[Record], Path], int]


def _import_sentences(path: Path, source: str, doc_kind: str) -> ImportResult:
    from reviewlens.training.corpus.formats.sentences import read_sentences

    records = read_sentences(path)
    for r in records:
        r.source = source
    return ImportResult(records)


def _importers() -> dict[str, Importer]:
    importers: dict[str, Importer] = {"sentences": _import_sentences}
    try:
        from reviewlens.training.corpus.formats import foreign
    except ImportError:  # pragma: no cover - only while the module is absent
        return importers
    importers.update(foreign.IMPORTERS)
    return importers


def _exporters() -> dict[str, Exporter]:
    exporters: dict[str, Exporter] = {"jsonl": lambda recs, out: write_jsonl(recs, out)}
    try:
        from reviewlens.training.corpus.formats import foreign
    except ImportError:  # pragma: no cover
        return exporters
    exporters.update(foreign.EXPORTERS)
    return exporters


def import_file(path: Path, fmt: str, source: str = "authored", doc_kind: str = "other") -> ImportResult:
    """Convert `path` in format `fmt` into canonical records."""
    importers = _importers()
    if fmt not in importers:
        raise ValueError(f"unknown import format {fmt!r}; choose from {', '.join(sorted(importers))}")
    return importers[fmt](path, source, doc_kind)


def export_records(records: list[Record], output: Path, fmt: str) -> int:
    """Write records in format `fmt`; return how many were written."""
    exporters = _exporters()
    if fmt not in exporters:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(sorted(exporters))}")
    return exporters[fmt](records, output)
