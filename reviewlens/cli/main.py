"""The `reviewlens` command: assembles the sub-command groups; each group lives in its own module."""

from __future__ import annotations

import typer

from reviewlens.cli import analyze_cmd, annotations_cmd, bulk_cmd, model_cmd

app = typer.Typer(
    name="reviewlens",
    help="Flag weak analysis in child-safeguarding practice reviews.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(annotations_cmd.app, name="annotations")
app.registered_commands.extend(analyze_cmd.app.registered_commands)
app.registered_commands.extend(bulk_cmd.app.registered_commands)
app.registered_commands.extend(model_cmd.app.registered_commands)
