"""The tiers from the command line: `models` and `promote` by tier, `analyze` and `score` choosing a tier."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewlens.cli.main import app
from tests.support.tiers import thorough_copy


def test_models_promote_analyze_and_score_by_tier(
    tiny_model_dir: Path, sample_review: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    fast = registry / tiny_model_dir.name
    shutil.copytree(tiny_model_dir, fast)
    thorough = thorough_copy(tiny_model_dir, registry)
    monkeypatch.setenv("REVIEWLENS_REGISTRY", str(registry))
    runner = CliRunner()

    listed = runner.invoke(app, ["models"])
    assert listed.exit_code == 0, listed.output
    assert "fast tier: none promoted" in listed.stdout and "thorough tier: none promoted" in listed.stdout
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines() if line.startswith("  tiny")}
    assert rows[thorough.name][1] == "thorough" and rows[fast.name][1] == "fast"

    draft = tmp_path / "draft.md"
    draft.write_text(sample_review, encoding="utf-8")
    refused = runner.invoke(app, ["analyze", str(draft), "--tier", "thorough"])
    assert refused.exit_code == 1 and "no thorough-tier model is promoted" in refused.output

    for model in (fast, thorough):
        promoted = runner.invoke(app, ["promote", model.name])
        assert promoted.exit_code == 0, promoted.output
    assert "now serves the thorough tier" in promoted.stdout
    listed = runner.invoke(app, ["models"]).stdout
    assert f"thorough tier: {thorough.name}" in listed and f"* {thorough.name}" in listed and f"* {fast.name}" in listed

    # As /v1/analyze: thorough unless asked otherwise.
    default = runner.invoke(app, ["analyze", str(draft)])
    assert default.exit_code == 0, default.output
    assert json.loads(default.stdout)["model"]["tier"] == "thorough"
    asked = runner.invoke(app, ["analyze", str(draft), "--tier", "fast"])
    assert json.loads(asked.stdout)["model"] == {**json.loads(asked.stdout)["model"], "tier": "fast", "name": "tiny"}
    both = runner.invoke(app, ["analyze", str(draft), "--tier", "fast", "--model", str(fast)])
    assert both.exit_code == 2 and "not both" in both.output

    store = tmp_path / "store.sqlite"
    scored = runner.invoke(app, ["score", str(draft), "--store", str(store), "--workers", "1", "--no-progress"])
    assert scored.exit_code == 0, scored.output
    assert "thorough tier" in scored.stdout and "tiny-thorough@" in scored.stdout
    with sqlite3.connect(store) as db:
        assert [r[0] for r in db.execute("SELECT DISTINCT model_name FROM runs")] == ["tiny-thorough"]
