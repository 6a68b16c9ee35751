"""What every importer returns, and the shapes of importers and exporters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewlens.training.corpus.records import Record


@dataclass
class ImportResult:
    """Records converted from a foreign format, plus what could not be converted faithfully."""

    records: list[Record]
    warnings: list[str] = field(default_factory=list)


Importer = Callable[[Path, str, str], ImportResult]
Exporter = Callable[[list[Record], Path], int]
