"""End to end on a toy corpus (a few of the project's documents): train → model directory → evaluate → promote,
plus determinism and the no-half-written-directory guarantee."""

import json
from pathlib import Path

import pytest
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
    assert "Intended use" in (model / "MODEL.md").read_text()
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
