"""`reviewlens annotations ...`: validate, count, convert, split and compare annotation files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
import uvicorn

from reviewlens.cli.common import DocKindChoice, ExportFormat, ImportFormat, data_paths, default_splits, fail
from reviewlens.models.analyzer import Analyzer
from reviewlens.models.extract import SUPPORTED_SUFFIXES, ExtractionError, read_document
from reviewlens.models.model_dir import ModelError
from reviewlens.models.paths import paths as paths_of
from reviewlens.training.corpus.agreement import agreement, render_agreement
from reviewlens.training.corpus.formats.registry import export_records, import_file
from reviewlens.training.corpus.near_duplicates import near_duplicates
from reviewlens.training.corpus.records import write_jsonl
from reviewlens.training.corpus.register import register_report, render_register
from reviewlens.training.corpus.splits import SPLIT_NAMES, make_splits, read_splits, write_splits
from reviewlens.training.corpus.stats import corpus_stats, render_stats
from reviewlens.training.corpus.validate import CorpusError, check_record, load_corpus, validate_files
from reviewlens.training.labelstudio_backend import create_backend
from reviewlens.training.suggest import select_random, select_uncertain, suggest, suggestion_tasks

app = typer.Typer(help="Work with the annotated corpus.", no_args_is_help=True)

PathsArg = Annotated[list[Path], typer.Argument(help="JSONL files or folders of them.")]



@app.command()
def validate(paths: PathsArg) -> None:
    """Check schema, offsets, token alignment, labels, one label per theme per sentence and unique ids."""
    try:
        records, problems = validate_files(data_paths(paths))
    except FileNotFoundError as exc:
        fail(str(exc))
    for p in problems:
        typer.echo(str(p), err=True)
    if problems:
        fail(f"{len(problems)} problem(s) in {len(paths)} path(s); {len(records)} valid record(s)")
    typer.echo(f"ok: {len(records)} record(s) valid")


@app.command()
def stats(
    paths: Annotated[list[Path] | None, typer.Argument(help="JSONL files or folders.")] = None,
    splits: Annotated[Path | None, typer.Option(help="Split file (defaults to annotations/splits.json).")] = None,
) -> None:
    """Print counts per label, theme, source, doc_kind and split."""
    try:
        records = load_corpus(data_paths(paths))
    except (CorpusError, FileNotFoundError) as exc:
        fail(str(exc))
    split_path = paths_of().resolve_data(splits) if splits else default_splits()
    split_map = read_splits(split_path) if split_path.exists() else None
    typer.echo(render_stats(corpus_stats(records, split_map)))
    typer.echo(render_register(register_report(records)))


@app.command("near-duplicates")
def near_duplicates_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="JSONL files or folders.")] = None,
    threshold: Annotated[float, typer.Option(help="Token Jaccard above which two sentences are reported.")] = 0.8,
) -> None:
    """List sentence pairs that are near-duplicates (exit 1 if any)."""
    try:
        records = load_corpus(data_paths(paths))
    except (CorpusError, FileNotFoundError) as exc:
        fail(str(exc))
    pairs = near_duplicates(records, threshold)
    for d in pairs:
        typer.echo(f"{d.jaccard:.2f}  [{d.a_record}] {d.a_text}\n      [{d.b_record}] {d.b_text}")
    if pairs:
        fail(f"{len(pairs)} near-duplicate pair(s) above {threshold}")
    typer.echo("ok: no near-duplicates")


@app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="File to import.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Canonical JSONL to write.")],
    fmt: Annotated[
        ImportFormat, typer.Option("--format", "-f", help="The export's format.")
    ] = "sentences",
    source: Annotated[
        str | None,
        typer.Option(help="Where the data came from, e.g. published:<area> (default: `authored` for the "
                     "sentences format; other formats need it unless each record names its source)."),
    ] = None,
    doc_kind: Annotated[DocKindChoice, typer.Option(help="doc_kind for formats that do not carry one.")] = "other",
) -> None:
    """Convert an annotation export into canonical JSONL, reporting spans that do not align to tokens."""
    if source is None:
        source = "authored" if fmt == "sentences" else ""
    try:
        result = import_file(path, fmt, source=source, doc_kind=doc_kind)
    except (ValueError, OSError) as exc:
        fail(f"{path}: {exc}")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    unsourced = [r.id for r in result.records if not r.source]
    if unsourced:
        fail(f"{len(unsourced)} record(s) do not say where they came from (e.g. {unsourced[0]}); pass "
              "--source (e.g. published:<area> for real reviews, authored for excerpts written here)")
    bad = [(r.id, e) for r in result.records for e in check_record(r.to_json())]
    for rid, err in bad:
        typer.echo(f"{path} [{rid}]: {err}", err=True)
    if bad:
        fail(f"{len(bad)} problem(s); nothing written to {output}")
    n = write_jsonl(result.records, output)
    typer.echo(f"wrote {n} record(s) with {sum(len(r.spans) for r in result.records)} span(s) to {output}")
    if result.warnings:
        typer.echo(f"{len(result.warnings)} warning(s), see above", err=True)


@app.command("export")
def export_cmd(
    paths: PathsArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Format to write.")] = "jsonl",
    splits: Annotated[
        Path | None, typer.Option(help="Split file for --format hf or spacy (default: the project's splits.json).")
    ] = None,
) -> None:
    """Write the corpus as canonical JSONL, the authoring format, Prodigy JSONL, a spaCy DocBin, or a Hugging Face
    dataset folder (`hf`: Parquet per split, ClassLabel per theme, a dataset card; `datasets.load_dataset(DIR)`)."""
    try:
        records = load_corpus(data_paths(paths))
        n = export_records(records, output, fmt, paths_of().resolve_data(splits) if splits else None)
    except (CorpusError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    unit = "sentence row(s)" if fmt == "hf" else "sentence Doc(s)" if fmt == "spacy" else "record(s)"
    typer.echo(f"wrote {n} {unit} to {output} ({fmt})")


@app.command()
def split(
    paths: Annotated[list[Path] | None, typer.Argument(help="JSONL files or folders.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Default: the project's splits.json.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the search for a stratified split.")] = 13,
) -> None:
    """Make a train/dev/test split by document, stratified so every label appears in every split.

    Documents the existing split file puts in `challenge` stay there and take no part.
    """
    target = output or default_splits()
    try:
        records = load_corpus(data_paths(paths))
        existing = read_splits(target) if target.is_file() else {}
        challenge = {doc for doc, s in existing.items() if s == "challenge"}
        mapping = make_splits(records, seed=seed, challenge=challenge)
    except (CorpusError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    write_splits(mapping, target)
    output = target
    counts = {s: sum(1 for v in mapping.values() if v == s) for s in SPLIT_NAMES}
    typer.echo(f"wrote {output}: documents per split {counts}")


@app.command()
def agree(
    a: Annotated[Path, typer.Argument(help="Annotator A's JSONL.")],
    b: Annotated[Path, typer.Argument(help="Annotator B's JSONL (same excerpt ids).")],
) -> None:
    """Cohen's kappa per theme on sentence decisions, and span-level F1, between two annotators."""
    try:
        report = agreement(load_corpus([a]), load_corpus([b]))
    except (CorpusError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    typer.echo(render_agreement(report))



SuggestFormat = Literal["labelstudio", "prodigy", "doccano"]


@app.command("suggest")
def suggest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Unlabelled reviews (.txt .md .pdf .docx) or folders of them.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Tasks to write (JSON for labelstudio, else JSONL).")],
    fmt: Annotated[SuggestFormat, typer.Option("--format", "-f", help="The annotation tool.")] = "labelstudio",
    model: Annotated[str | None, typer.Option(help="Model directory or name (default: the promoted model).")] = None,
    select: Annotated[
        Literal["uncertain", "random"] | None,
        typer.Option(help="Instead of whole documents, one task per chosen sentence (its paragraph as context)."),
    ] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="How many sentences --select chooses.")] = 200,
    doc_kind: Annotated[DocKindChoice, typer.Option(help="Kind of review the documents are.")] = "other",
    seed: Annotated[int, typer.Option(help="Seed for --select random.")] = 13,
) -> None:
    """Pre-annotate: the model's labels as predictions for Label Studio, Prodigy or doccano; with --select
    uncertain, the sentences the model is least sure of, spread over paragraphs, documents and sections."""
    files = sorted(
        f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.suffix.lower() in SUPPORTED_SUFFIXES
    )
    if not files:
        fail("no .txt, .md, .pdf or .docx files in the given paths")
    try:
        analyzer = Analyzer.load(model)
        texts = [(f.stem, read_document(f).text) for f in files]
    except (ModelError, ExtractionError) as exc:
        fail(str(exc))
    documents = suggest(analyzer, texts, doc_kind)
    chosen = None
    if select == "uncertain":
        chosen = select_uncertain(documents, n)
    elif select == "random":
        chosen = select_random(documents, n, seed)
    version = f"{analyzer.model.name}-{analyzer.model.version}"
    tasks = suggestion_tasks(documents, fmt, version, chosen)
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "labelstudio":
        output.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    else:
        output.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    what = f"{len(chosen)} sentence(s)" if chosen is not None else f"{len(documents)} document(s)"
    typer.echo(f"wrote {len(tasks)} {fmt} task(s) for {what} to {output} (model {version})")


@app.command("backend")
def backend_cmd(
    model: Annotated[str | None, typer.Option(help="Model directory or name (default: the promoted model).")] = None,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port Label Studio will call.")] = 9090,
) -> None:
    """Serve the model to a running Label Studio as its ML backend (/health, /setup, /predict): add
    http://HOST:PORT under the project's Settings > Model, with annotations/labelstudio.xml as its labelling config."""
    try:
        analyzer = Analyzer.load(model)
    except ModelError as exc:
        fail(str(exc))
    # access_log off: Label Studio puts nothing confidential in the path, but the text never goes to a log anyway.
    uvicorn.run(create_backend(analyzer), host=host, port=port, access_log=False, log_level="warning")
