"""`reviewlens train | evaluate | compare | promote | models`: the data scientist's commands.

Only `train` needs torch (fine-tuning, ONNX export); it lifts the entry point's block for itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from reviewlens.cli.common import SplitChoice, data_paths, fail
from reviewlens.models.analyzer import Analyzer
from reviewlens.models.model_dir import ModelError
from reviewlens.models.paths import paths
from reviewlens.models.registry import BUILD_HINT, list_models, promoted_name
from reviewlens.models.registry import promote as do_promote
from reviewlens.models.runtime import allow_torch
from reviewlens.models.tiers import TIERS
from reviewlens.training.config import ConfigError, load_config
from reviewlens.training.corpus.validate import CorpusError
from reviewlens.training.evaluate import (
    compare_models,
    evaluate_model,
    render_comparison,
    render_metrics,
    select_records,
)
from reviewlens.training.trainer import train as run_training

app = typer.Typer()

DEFAULT_CONFIG = Path("training/configs/default.yaml")



def _parse_sets(items: list[str]) -> dict[str, object]:
    """`key.path=value` pairs; values are read as YAML, so numbers, booleans and lists keep their types."""
    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            fail(f"--set {item!r}: expected key.path=value, e.g. --set finetuned.epochs=2")
        try:
            out[key.strip()] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError as exc:
            fail(f"--set {item!r}: the value is not valid YAML ({exc})")
    return out


@app.command()
def train(
    config: Annotated[Path, typer.Option(help="Training config (YAML).")] = DEFAULT_CONFIG,
    promote: Annotated[bool, typer.Option(help="Make the new model the default for serving.")] = False,
    learning_curve: Annotated[
        bool | None, typer.Option("--learning-curve/--no-learning-curve", help="Override the config's setting.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Model name (the directory is NAME-VERSION).")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a config value by key path, e.g. --set finetuned.epochs=2 (repeatable)."),
    ] = None,
    registry: Annotated[
        Path | None, typer.Option("--registry", "--output", help="Registry folder to write the model into.")
    ] = None,
) -> None:
    """Train a model: fit on train, tune thresholds on dev, evaluate on test, write a model directory."""
    allow_torch()
    overrides = _parse_sets(set_ or [])
    if learning_curve is not None:
        overrides["learning_curve"] = learning_curve
    if name is not None:
        overrides["name"] = name
    try:
        cfg = load_config(config, overrides)
        path = run_training(cfg, registry=registry, promote=promote, log=lambda m: typer.echo(m, err=True))
    except (ConfigError, CorpusError, ModelError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    typer.echo(str(path))


@app.command()
def evaluate(
    model: Annotated[str, typer.Argument(help="Model directory, registry name, or `default`.")] = "default",
    data: Annotated[list[Path] | None, typer.Option(help="Annotated JSONL file(s) or folder(s).")] = None,
    split: Annotated[
        SplitChoice | None, typer.Option(help="Only this split's documents (default: test, then challenge).")
    ] = None,
    splits_file: Annotated[Path, typer.Option("--splits", help="Split file.")] = Path("annotations/splits.json"),
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for confidence intervals.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    output: Annotated[Path | None, typer.Option(help="Also write the metrics as JSON to this file.")] = None,
) -> None:
    """Per-label precision/recall/F1, macro-F1, confusion per theme and document-flag accuracy."""
    try:
        analyzer = Analyzer.load(model)
        corpus = data_paths(data)
        splits_path = paths().resolve_data(splits_file)
        # Without a choice, the held-out splits: test, and the independent challenge split beside it (scoring
        # the corpus's training documents would only measure memory).
        wanted = [split] if split or data else ["test", "challenge"]
        results: dict[str, dict[str, object]] = {}
        for name in wanted:
            try:
                records = select_records(list(corpus), name, splits_path)
            except ValueError:
                if name == "challenge" and split is None:
                    continue  # a corpus without a challenge split
                raise
            results[name or "data"] = evaluate_model(analyzer, records, bootstrap)
    except (ModelError, CorpusError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    payload = json.dumps(results if len(results) > 1 else next(iter(results.values())), indent=1)
    if output is not None:
        try:
            output.write_text(payload + "\n", encoding="utf-8")
        except OSError as exc:
            fail(f"{output}: cannot write the metrics ({exc.strerror})")
    if as_json:
        typer.echo(payload)
        return
    for name, metrics in results.items():
        if len(results) > 1:
            typer.echo(f"== {name} ==")
        typer.echo(render_metrics(metrics))


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="First model (A).")],
    b: Annotated[str, typer.Argument(help="Second model (B).")],
    data: Annotated[list[Path] | None, typer.Option(help="Annotated data (default: the corpus).")] = None,
    split: Annotated[SplitChoice, typer.Option(help="Split to compare on.")] = "test",
    splits_file: Annotated[Path, typer.Option("--splits", help="Split file.")] = Path("annotations/splits.json"),
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples (of documents, paired).")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Evaluate two models on the same documents: F1 side by side and B − A with a paired bootstrap interval."""
    try:
        records = select_records(list(data_paths(data)), split, paths().resolve_data(splits_file))
        result = compare_models(Analyzer.load(a), Analyzer.load(b), records, bootstrap)
    except (ModelError, CorpusError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result, indent=1))
        return
    typer.echo(render_comparison(result["a"], result["b"], result["difference"]))


@app.command()
def promote(model: Annotated[str, typer.Argument(help="Model directory or registry name.")]) -> None:
    """Make a model the one its tier serves: `reviewlens serve`, `analyze` and `score` load the promoted models."""
    try:
        promoted = do_promote(model)
    except ModelError as exc:
        fail(str(exc))
    typer.echo(f"{promoted.path.name} now serves the {promoted.tier} tier")


def _macro(metrics: dict[str, Any], split: str) -> str:
    """Macro-F1 on a split from a model's metrics, or blank when it was not measured."""
    value = metrics.get(split, {}).get("macro_f1")
    return f"{value:.3f}" if isinstance(value, int | float) else ""


@app.command("models")
def list_models_cmd(
    registry: Annotated[
        Path | None, typer.Option(help="Registry folder to list (default: REVIEWLENS_REGISTRY or var/registry).")
    ] = None,
) -> None:
    """List built models with their tier and macro-F1 on test and challenge; `*` marks the model each tier serves."""
    models = list_models(registry)
    if not models:
        typer.echo("no models built yet; run `make train`")
        return
    serving = {tier: promoted_name(tier, registry) for tier in TIERS}
    for tier in TIERS:
        typer.echo(f"{tier} tier: {serving[tier] or 'none promoted (' + BUILD_HINT[tier] + ')'}")
    typer.echo(f"  {'model':<50} {'tier':<9} {'backend':<9} {'test':>6} {'challenge':>9}")
    for m in models:
        mark = "*" if serving[m.tier] == m.path.name else " "
        metrics = m.metrics()
        typer.echo(f"{mark} {m.path.name:<50} {m.tier:<9} {m.backend['type']:<9} {_macro(metrics, 'test'):>6} "
                   f"{_macro(metrics, 'challenge'):>9}")
