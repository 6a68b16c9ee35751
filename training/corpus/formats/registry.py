"""One entry point per direction: which reader or writer handles which annotation format."""

from __future__ import annotations

from pathlib import Path

from reviewlens.training.corpus.formats import foreign
from reviewlens.training.corpus.formats.hf import export_hf
from reviewlens.training.corpus.formats.result import Exporter, Importer, ImportResult
from reviewlens.training.corpus.formats.sentences import read_sentences, write_sentences
from reviewlens.training.corpus.formats.spacy_splits import export_spacy
from reviewlens.training.corpus.records import Record, write_jsonl

__all__ = ["EXPORTERS", "IMPORTERS", "ImportResult", "export_records", "import_file"]

# The project's own formats first; foreign.py holds one entry per annotation tool.


def _import_sentences(path: Path, source: str, doc_kind: str) -> ImportResult:
    records = read_sentences(path)
    for r in records:
        r.source = source
    return ImportResult(records)


def _export_jsonl(records: list[Record], output: Path) -> int:
    return write_jsonl(records, output)


IMPORTERS: dict[str, Importer] = {"sentences": _import_sentences, **foreign.IMPORTERS}
def _export_sentences(records: list[Record], output: Path) -> int:
    return write_sentences(records, output)


def _export_blind(records: list[Record], output: Path) -> int:
    return write_sentences(records, output, blind=True)


EXPORTERS: dict[str, Exporter] = {
    "jsonl": _export_jsonl,
    "hf": export_hf,
    "spacy": export_spacy,
    "sentences": _export_sentences,
    "sentences-blind": _export_blind,
    **foreign.EXPORTERS,
}


def import_file(path: Path, fmt: str, source: str = "authored", doc_kind: str = "other") -> ImportResult:
    """Convert `path` in format `fmt` into canonical records."""
    if fmt not in IMPORTERS:
        raise ValueError(f"unknown import format {fmt!r}; choose from {', '.join(sorted(IMPORTERS))}")
    return IMPORTERS[fmt](path, source, doc_kind)


def export_records(records: list[Record], output: Path, fmt: str, splits: Path | None = None) -> int:
    """Write records in format `fmt`; return how many were written. `splits` is the split file for formats that
    keep the splits apart (hf, spacy; default: the project's)."""
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(sorted(EXPORTERS))}")
    if fmt == "hf":
        return export_hf(records, output, splits)
    if fmt == "spacy":
        return export_spacy(records, output, splits)
    return EXPORTERS[fmt](records, output)
