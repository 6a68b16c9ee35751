"""`reviewlens analyze` and `reviewlens serve`: the reviewer's doors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from tqdm import tqdm

from reviewlens.cli.common import DocKindChoice, OutputFormat, fail
from reviewlens.models.analyzer import Analyzer
from reviewlens.models.documents import Document
from reviewlens.models.extract import ExtractionError, read_document
from reviewlens.models.model_dir import ModelError
from reviewlens.models.registry import choose_model, resolve_model
from reviewlens.models.runtime import block_torch
from reviewlens.models.tiers import THOROUGH, Tier
from reviewlens.serving.api.main import create_app
from reviewlens.serving.api.settings import Settings
from reviewlens.serving.render import render_html, render_text

app = typer.Typer()



@app.command()
def analyze(
    path: Annotated[Path | None, typer.Argument(help="A .txt, .md, .pdf or .docx review (or - for stdin).")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = "json",
    model: Annotated[str | None, typer.Option(help="Model directory or name (default: the tier's promoted model).")] = (
        None
    ),
    tier: Annotated[
        Tier | None,
        typer.Option(help="fast or thorough (default: thorough where one is promoted, else fast), as /v1/analyze."),
    ] = None,
    jsonl: Annotated[Path | None, typer.Option(help='Read lines {"id", "text"} and write one result per line.')] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write (default: stdout).")] = None,
    doc_kind: Annotated[DocKindChoice | None, typer.Option(help="Kind of review (rapid reviews: looser flags).")] = (
        None
    ),
    batch_size: Annotated[int, typer.Option(help="Texts scored together in --jsonl mode.")] = 16,
) -> None:
    """Analyse one review, or a JSONL file of texts, and print or write the results."""
    if (path is None) == (jsonl is None):
        fail("give a PATH to analyse, or --jsonl IN --output OUT")
    if model is not None and tier is not None:
        fail("give --model or --tier, not both", code=2)
    try:
        analyzer = Analyzer.load(choose_model(model, tier, THOROUGH))
    except ModelError as exc:
        fail(str(exc))
    if jsonl is not None:
        _analyze_jsonl(analyzer, jsonl, output, doc_kind, batch_size)
        return
    assert path is not None
    _analyze_one(analyzer, path, fmt, output, doc_kind)


def _analyze_one(analyzer: object, path: Path, fmt: str, output: Path | None, doc_kind: str | None) -> None:
    assert isinstance(analyzer, Analyzer)
    try:
        doc = Document(sys.stdin.read()) if str(path) == "-" else read_document(path)
    except (ExtractionError, OSError) as exc:
        fail(f"{path}: {exc}")
    if not doc.text.strip():
        fail(f"{path}: no text to analyse")
    result = analyzer.analyze(doc, doc_kind=doc_kind)
    if fmt == "json":
        out = result.model_dump_json(indent=1)
    elif fmt == "html":
        out = render_html(doc.text, result)
    else:
        out = render_text(result)
    if output:
        output.write_text(out + "\n", encoding="utf-8")
    else:
        typer.echo(out)


def _analyze_jsonl(analyzer: object, source: Path, output: Path | None, doc_kind: str | None, batch_size: int) -> None:
    assert isinstance(analyzer, Analyzer)
    if output is None:
        fail("--jsonl needs --output OUT")
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{source}: {exc}")
    items: list[tuple[str, str]] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            items.append((str(obj["id"]), str(obj["text"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            fail(f'{source}:{n}: expected {{"id": ..., "text": ...}} ({exc})')
    tmp = output.with_suffix(output.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as out, tqdm(total=len(items), unit="text", file=sys.stderr) as bar:
        for start in range(0, len(items), batch_size):
            chunk = items[start : start + batch_size]
            results = analyzer.analyze_many([t for _, t in chunk], doc_kinds=[doc_kind] * len(chunk))
            for (item_id, _), result in zip(chunk, results, strict=True):
                out.write(json.dumps({"id": item_id, **result.model_dump(mode="json")}, ensure_ascii=False) + "\n")
            bar.update(len(chunk))
    tmp.replace(output)
    typer.echo(f"wrote {len(items)} result(s) to {output}", err=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default REVIEWLENS_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default REVIEWLENS_PORT or 8000).")] = None,
    model: Annotated[
        str | None, typer.Option(help="Fast-tier model directory or name (default: the promoted fast model).")
    ] = None,
    thorough_model: Annotated[
        str | None,
        typer.Option(help="Thorough-tier model directory or name, or `none` (default: the promoted thorough model, "
                     "unless --model pins the service to one model)."),
    ] = None,
) -> None:
    """Start the API with uvicorn. Draft text is never logged: uvicorn's access log (which would show query
    strings) is off and reviewlens logs method, route, status and latency only."""
    block_torch()


    named = {"host": host, "port": port, "model": model, "thorough_model": thorough_model}
    overrides = {k: v for k, v in named.items() if v is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    try:
        resolve_model(settings.model)
        thorough = settings.thorough_spec()
        if thorough is not None:
            resolve_model(thorough)
    except ModelError as exc:
        fail(str(exc))
    log_config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO"},
            "reviewlens": {"handlers": ["stderr"], "level": "INFO"},
        },
    }
    typer.echo(f"reviewlens serving on http://{settings.host}:{settings.port} (docs at /docs)", err=True)
    # limit_concurrency: past that many open connections uvicorn answers 503 itself, before any routing, so a
    # flood cannot exhaust memory or sockets; the admission gate bounds the analyses behind it.
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, access_log=False, log_config=log_config,
        limit_concurrency=settings.limit_concurrency,
    )
