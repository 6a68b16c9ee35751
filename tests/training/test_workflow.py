"""End to end on a toy corpus (a few of the project's documents): train → model directory → evaluate → promote,
plus determinism and the no-half-written-directory guarantee."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reviewlens.cli.main import app
from reviewlens.training.corpus.records import write_jsonl
from reviewlens.training.corpus.splits import read_splits, write_splits
from reviewlens.training.corpus.validate import load_corpus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two documents of each split, taken from the real corpus and split file."""
    folder = tmp_path_factory.mktemp("toy")
    splits = read_splits(ROOT / "annotations" / "splits.json")
    chosen: dict[str, str] = {}
    for split in ("train", "dev", "test"):
        docs = sorted(d for d, s in splits.items() if s == split)[:2]
        chosen.update({d: split for d in docs})
    records = [r for r in load_corpus([ROOT / "annotations" / "corpus"]) if r.document_id in chosen]
    write_jsonl(records, folder / "toy.jsonl")
    write_splits(chosen, folder / "splits.json")
    (folder / "toy.yaml").write_text(
        f"name: toy\nbackend: linear\ncorpus: [{folder / 'toy.jsonl'}]\nsplits: {folder / 'splits.json'}\n"
        "bootstrap: 50\nlinear:\n  calibration_folds: 2\n"
    )
    return folder


def _train(toy: Path, registry: Path, *extra: str) -> Path:
    result = CliRunner().invoke(app, ["train", "--config", str(toy / "toy.yaml"), "--registry", str(registry), *extra])
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def test_train_evaluate_promote(toy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = _train(toy, tmp_path)
    metrics = json.loads((model / "metrics.json").read_text())
    assert 0.0 < metrics["test"]["macro_f1"] <= 1.0
    card = (model / "MODEL.md").read_text()
    assert "Intended use" in card
    # Hugging Face card metadata (issue 11): YAML front matter whose model-index holds the measured figures,
    # and tables rather than Python dicts in the prose.
    _, front, body = card.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["license"] == "mit" and meta["language"] == ["en"] and "base_model" not in meta  # linear: no encoder
    result = meta["model-index"][0]["results"][0]
    assert result["dataset"]["split"] == "test"
    assert {"type": "f1", "name": "macro-F1", "value": metrics["test"]["macro_f1"]} in result["metrics"]
    assert "{'" not in body and "| split | documents | sentences |" in body
    breakdowns = metrics["test"]["breakdowns"]
    assert set(breakdowns) == {"by_length", "by_section", "calibration"}
    assert all(0.0 <= c["ece"] <= 1.0 for c in breakdowns["calibration"].values())
    assert "F1 by sentence length" in body and "calibration" in body
    runner = CliRunner()
    out = runner.invoke(
        app,
        [
            "evaluate",
            str(model),
            "--data",
            str(toy / "toy.jsonl"),
            "--split",
            "test",
            "--splits",
            str(toy / "splits.json"),
            "--bootstrap",
            "20",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "macro-F1" in out.stdout and "confusion risk_reasoning" in out.stdout
    monkeypatch.setenv("REVIEWLENS_REGISTRY", str(tmp_path))
    out = runner.invoke(app, ["promote", model.name])
    assert out.exit_code == 0 and (tmp_path / "DEFAULT").read_text().strip() == model.name


def test_same_config_and_data_give_the_same_metrics(toy: Path, tmp_path: Path) -> None:
    a = json.loads((_train(toy, tmp_path / "a") / "metrics.json").read_text())
    b = json.loads((_train(toy, tmp_path / "b") / "metrics.json").read_text())
    a.pop("timings"), b.pop("timings")
    assert a == b


def test_a_failed_run_leaves_no_model_directory(toy: Path, tmp_path: Path) -> None:
    bad = toy / "bad.yaml"
    bad.write_text((toy / "toy.yaml").read_text().replace("toy.jsonl", "missing.jsonl"))
    result = CliRunner().invoke(app, ["train", "--config", str(bad), "--registry", str(tmp_path)])
    assert result.exit_code == 1 and "missing.jsonl" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name != "DEFAULT"]


def test_unknown_config_key_exits_non_zero(toy: Path, tmp_path: Path) -> None:
    bad = toy / "unknown.yaml"
    bad.write_text((toy / "toy.yaml").read_text() + "epochs: 3\n")
    result = CliRunner().invoke(app, ["train", "--config", str(bad), "--registry", str(tmp_path)])
    assert result.exit_code == 1 and "epochs" in result.output


def test_cli_conventions_name_set_output_and_registry(toy: Path, tmp_path: Path) -> None:
    """Issue 11: `train --name --output --set key.path=value`, `evaluate --output`, `models --registry`."""
    model = _train(toy, tmp_path / "out", "--name", "renamed", "--set", "linear.C=0.25", "--set", "bootstrap=30")
    assert model.parent == tmp_path / "out" and model.name.startswith("renamed-")
    config = json.loads((model / "model.json").read_text())["config"]
    assert config["linear"]["C"] == 0.25 and config["bootstrap"] == 30
    runner = CliRunner()
    metrics_file = tmp_path / "metrics.json"
    args = ["evaluate", str(model), "--data", str(toy / "toy.jsonl"), "--split", "test", "--splits",
            str(toy / "splits.json"), "--bootstrap", "20", "--output", str(metrics_file)]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert 0.0 <= json.loads(metrics_file.read_text())["macro_f1"] <= 1.0
    listed = runner.invoke(app, ["models", "--registry", str(tmp_path / "out")])
    assert listed.exit_code == 0 and model.name in listed.stdout


@pytest.mark.parametrize(
    ("setting", "named"), [("linear.nosuch=1", "nosuch"), ("linear", "key.path=value"), ("bootstrap=[1", "YAML")]
)
def test_bad_set_overrides_are_clear_errors(toy: Path, tmp_path: Path, setting: str, named: str) -> None:
    result = CliRunner().invoke(
        app, ["train", "--config", str(toy / "toy.yaml"), "--registry", str(tmp_path), "--set", setting]
    )
    assert result.exit_code != 0 and named in result.output
    assert not list(tmp_path.iterdir())


def test_version() -> None:
    out = CliRunner().invoke(app, ["--version"])
    assert out.exit_code == 0 and out.stdout.startswith("reviewlens ")


def test_compare_gives_a_paired_interval_for_each_difference(toy: Path, tmp_path: Path) -> None:
    a = _train(toy, tmp_path / "a")
    b = _train(toy, tmp_path / "b", "--set", "linear.C=0.05")
    args = ["compare", str(a), str(b), "--data", str(toy / "toy.jsonl"), "--split", "test",
            "--splits", str(toy / "splits.json"), "--bootstrap", "40"]
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "B-A 95% CI (paired)" in table.stdout and "macro-F1" in table.stdout
    result = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    diff = result["difference"]["macro_f1"]
    assert diff["ci"][0] <= diff["diff"] <= diff["ci"][1]
    assert abs(diff["diff"] - (result["b"]["macro_f1"] - result["a"]["macro_f1"])) < 2e-4
    same = json.loads(CliRunner().invoke(app, ["compare", str(a), str(a), *args[3:], "--json"]).stdout)
    # A model against itself: every paired difference is exactly zero, so no interval claims a difference.
    assert all(d["ci"] == [0.0, 0.0] and not d["clear"] for d in same["difference"].values())
