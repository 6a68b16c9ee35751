from pathlib import Path

import pytest

from reviewlens.training.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_configs_load() -> None:
    for path in (ROOT / "training" / "configs").glob("*.yaml"):
        cfg = load_config(path)
        assert cfg.backend in {"linear", "encoder", "finetuned", "spacy", "ensemble"}


def test_unknown_keys_are_rejected_with_their_path(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("backend: linear\nlinear:\n  C: 1\n  ngram: 3\n")
    with pytest.raises(ConfigError, match=r"linear.*unknown key.*ngram"):
        load_config(p)


def test_bad_backend_and_yaml(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("backend: magic\n")
    with pytest.raises(ConfigError, match="backend must be one of"):
        load_config(p)
    p.write_text("backend: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(p)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
