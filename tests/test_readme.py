"""The README's commands exist: every `make X` is a Makefile target and every `reviewlens …` line names a real
command with real options (issue 11: the README listed targets and files that did not exist)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from reviewlens.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE = "\n".join(re.findall(r"```(?:bash|sh)?\n(.*?)```", README, re.S))


def _lines(prefix: str) -> list[str]:
    return [line.split("#")[0].strip() for line in CODE.splitlines() if line.startswith(prefix + " ")]


MAKE_TARGETS = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.M))


@pytest.mark.parametrize("line", _lines("make"))
def test_make_lines_name_real_targets(line: str) -> None:
    target = line.split()[1]
    assert target in MAKE_TARGETS, f"README says `{line}` but the Makefile has no {target!r} target"


def _resolve(words: list[str]) -> tuple[Any, list[str]]:
    # Typer vendors its own click, so the group is recognised by its `commands`, not by click's classes.
    command: Any = typer.main.get_command(app)
    path: list[str] = []
    for word in words:
        if word in getattr(command, "commands", {}):
            command = command.commands[word]
            path.append(word)
        else:
            break
    return command, path


@pytest.mark.parametrize("line", _lines("reviewlens"))
def test_reviewlens_lines_name_real_commands_and_options(line: str) -> None:
    words = shlex.split(line)[1:]
    command, path = _resolve(words)
    assert path or words[0].startswith("--"), f"README: `{line}` names no reviewlens command"
    known = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts]} | {"--help"}
    for word in words:
        if word.startswith("--"):
            option = word.split("=")[0].strip("[]")
            assert option in known, f"README: `{line}` uses {option}, which `reviewlens {' '.join(path)}` lacks"


def test_the_readme_lists_commands_at_all() -> None:
    assert len(_lines("reviewlens")) >= 15 and len(_lines("make")) >= 4


def test_named_files_exist() -> None:
    for name in set(re.findall(r"`((?:training|annotations|serving|models|benchmarks)/[\w./-]+)`", README)):
        assert (ROOT / name.rstrip(".")).exists(), f"README names {name}, which does not exist"
