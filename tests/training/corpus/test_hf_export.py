"""`annotations export --format hf`: a folder `datasets.load_dataset` reads offline, ClassLabel per theme."""

from __future__ import annotations

from pathlib import Path

import datasets
from typer.testing import CliRunner

from reviewlens.cli.main import app
from reviewlens.models.labels import THEMES
from reviewlens.training.corpus.records import write_jsonl
from reviewlens.training.corpus.splits import read_splits, write_splits
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus

ROOT = Path(__file__).resolve().parents[3]


def test_hf_export_loads_offline_with_class_labels(tmp_path: Path) -> None:
    splits = read_splits(ROOT / "annotations" / "splits.json")
    chosen = {
        doc: split for split in ("train", "dev", "test", "challenge")
        for doc in sorted(k for k, v in splits.items() if v == split)[:1]
    }
    records = [r for r in load_corpus([ROOT / "annotations" / "corpus"]) if r.document_id in chosen]
    write_jsonl(records, tmp_path / "c.jsonl")
    write_splits(chosen, tmp_path / "splits.json")
    out = tmp_path / "hf"
    result = CliRunner().invoke(
        app, ["annotations", "export", str(tmp_path / "c.jsonl"), "-o", str(out), "--format", "hf",
              "--splits", str(tmp_path / "splits.json")]
    )
    assert result.exit_code == 0, result.output
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    assert set(loaded) == {"train", "dev", "test", "challenge"}
    for theme in THEMES:
        feature = loaded["train"].features[theme.name]
        assert isinstance(feature, datasets.ClassLabel) and feature.names == ["none", *theme.labels]
    # Every sentence unit is a row, with its gold label as the ClassLabel index.
    units = {(u.record_id, u.start): u for r in records for u in record_units(r)}
    rows = [row for split in loaded.values() for row in split]
    assert len(rows) == len(units)
    for row in rows[:400]:
        unit = units[(row["record_id"], row["start"])]
        for theme in THEMES:
            label = unit.label_for(theme.name)
            assert row[theme.name] == (0 if label is None else 1 + theme.labels.index(label))
    card = (out / "README.md").read_text()
    assert card.startswith("---\n") and "config_name: default" in card and "data/challenge.parquet" in card


def test_hf_export_refuses_documents_without_a_split(tmp_path: Path) -> None:
    records = load_corpus([ROOT / "annotations" / "corpus"])[:3]
    write_jsonl(records, tmp_path / "c.jsonl")
    write_splits({}, tmp_path / "splits.json")
    result = CliRunner().invoke(
        app, ["annotations", "export", str(tmp_path / "c.jsonl"), "-o", str(tmp_path / "hf"), "-f", "hf",
              "--splits", str(tmp_path / "splits.json")]
    )
    assert result.exit_code == 1 and "no split for document" in result.output
    assert not (tmp_path / "hf" / "data").exists()
