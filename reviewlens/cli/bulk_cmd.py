"""`reviewlens score` and `reviewlens report`: bulk scoring of review files into a store, and its HTML report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from reviewlens.cli.common import fail
from reviewlens.models.model_dir import ModelError
from reviewlens.models.tiers import Tier
from reviewlens.serving.bulk.metadata import MetadataError, read_metadata
from reviewlens.serving.bulk.report import ReportError, write_report
from reviewlens.serving.bulk.run import ENGINES, ScoreOptions, score_inputs
from reviewlens.serving.bulk.scoring import DocLimits
from reviewlens.serving.bulk.store import EXPORT_FORMATS, Store, StoreError

# The engines `score` knows, as choices (a typo is a usage error listing them); mypy sees a plain string.
if TYPE_CHECKING:
    EngineChoice = str
else:
    EngineChoice = Literal[ENGINES]

app = typer.Typer(help="Score folders of reviews into a store, and report on it.", no_args_is_help=True)


@app.command()
def score(
    inputs: Annotated[
        list[Path] | None, typer.Argument(help="PDF, DOCX, TXT and MD files, and folders of them (recursive).")
    ] = None,
    store: Annotated[Path, typer.Option(help="SQLite store to write (created if missing).")] = Path(
        "reviewlens.sqlite"
    ),
    metadata: Annotated[
        Path | None, typer.Option(help="CSV: a file-name column, then year, area, doc_kind and any others.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model directory or name (default: the tier's promoted model).")] = (
        None
    ),
    tier: Annotated[
        Tier | None, typer.Option(help="fast or thorough (default: thorough where one is promoted, else fast).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (Ray actors with --engine ray).")] = (
        os.cpu_count() or 1
    ),
    threads: Annotated[
        int | None, typer.Option(min=1, help="Threads per worker (default: cores ÷ workers).")
    ] = None,
    engine: Annotated[EngineChoice, typer.Option(help="local (process pool) or ray (Ray Data).")] = "local",
    address: Annotated[
        str | None, typer.Option(help="Ray cluster address for --engine ray (default: start a local Ray).")
    ] = None,
    export: Annotated[
        Path | None, typer.Option(help="Also write every table to OUT.<table>.parquet|csv|jsonl.")
    ] = None,
    retry_failed: Annotated[bool, typer.Option(help="Try again documents that failed in earlier runs.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    max_words: Annotated[
        int, typer.Option(min=1, help="Longest document scored, in words (longer ones are recorded as failed).")
    ] = DocLimits.max_words,
    max_seconds: Annotated[
        float, typer.Option(min=0.1, help="Longest analysis of one document (recorded as failed after).")
    ] = DocLimits.max_seconds,
) -> None:
    """Score every file the store lacks for the model; a killed run picks up where it stopped."""
    if export is not None and export.suffix.lower() not in EXPORT_FORMATS:
        fail(f"--export must end in {', '.join(EXPORT_FORMATS)}", code=2)
    if not inputs and export is None:
        fail("name files or folders to score (or --export to export the store only)", code=2)
    if model is not None and tier is not None:
        fail("give --model or --tier, not both", code=2)
    try:
        meta = read_metadata(metadata) if metadata else None
        if inputs:
            options = ScoreOptions(
                model=model, tier=tier, engine=engine, workers=workers, threads=threads, address=address,
                retry_failed=retry_failed, progress=progress, metadata=meta,
                limits=DocLimits(max_words=max_words, max_seconds=max_seconds),
            )
            summary = score_inputs(list(inputs), store, options)
            typer.echo(summary.render())
        if export is not None:
            with Store(store) as s:
                for path in s.export(export):
                    typer.echo(f"wrote {path}")
    except (FileNotFoundError, MetadataError, ModelError, StoreError, RuntimeError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; what was stored is kept, and the same command carries on from there", code=130)


@app.command()
def report(
    store: Annotated[Path, typer.Option(help="The store `reviewlens score` wrote.")] = Path("reviewlens.sqlite"),
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("report.html"),
    model: Annotated[
        str | None, typer.Option(help="Model key (name@version) to report on (default: the latest run's).")
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Concern sentences to list per theme.")] = 10,
) -> None:
    """Write one self-contained HTML page: counts, shares, flags, trends, frequent concerns and failures."""
    if not store.is_file():
        fail(f"no store at {store}; run `reviewlens score ... --store {store}` first")
    try:
        path = write_report(store, out, model=model, top=top)
    except (ReportError, StoreError) as exc:
        fail(str(exc))
    typer.echo(f"wrote {path}")
