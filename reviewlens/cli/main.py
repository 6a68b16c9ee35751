"""The `reviewlens` command: assembles the sub-command groups; each group lives in its own module."""

from __future__ import annotations

from importlib.metadata import version as package_version
from typing import Annotated

import typer

from reviewlens.cli import analyze_cmd, annotations_cmd, bulk_cmd, model_cmd
from reviewlens.models.schema import RESULT_SCHEMA_VERSION

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


def _version(value: bool) -> None:
    if value:
        # The installed distribution's version, and the result schema it writes (clients check the latter).
        typer.echo(f"reviewlens {package_version('reviewlens')} (result schema {RESULT_SCHEMA_VERSION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Flag weak analysis in child-safeguarding practice reviews."""
