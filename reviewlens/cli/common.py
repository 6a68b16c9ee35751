"""What every command shares: how a command fails, and the project's default data locations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn

import typer

from reviewlens.models.labels import DOC_KINDS
from reviewlens.models.paths import paths
from reviewlens.training.corpus.formats.registry import EXPORTERS, IMPORTERS
from reviewlens.training.corpus.splits import SPLIT_NAMES

# Choices for enumerated options, built from the registries they name, so `--help` lists them and a typo is a
# usage error before any work starts. mypy cannot read a Literal made at run time, so it sees plain strings.
if TYPE_CHECKING:
    DocKindChoice = str
    ImportFormat = str
    ExportFormat = str
    SplitChoice = str
else:
    DocKindChoice = Literal[DOC_KINDS]
    SplitChoice = Literal[SPLIT_NAMES]
    ImportFormat = Literal[tuple(sorted(IMPORTERS))]
    ExportFormat = Literal[tuple(sorted(EXPORTERS))]
OutputFormat = Literal["json", "html", "text"]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `error: message` on stderr and exit: 1 for bad input or data, 2 for a misused option, 130 on ^C."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=code)


def default_corpus() -> Path:
    """The project's corpus folder (found from any working directory)."""
    return paths().corpus


def default_splits() -> Path:
    """The project's split file."""
    return paths().splits


def data_paths(given: list[Path] | None) -> list[str | Path]:
    """Data paths from the command line, resolved against the checkout when they are not found here."""
    return [paths().resolve_data(p) for p in given] if given else [default_corpus()]
