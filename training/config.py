"""Training configuration: every choice of a training run lives in one YAML file, checked strictly."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass
class LinearConfig:
    """TF-IDF + calibrated linear classifier settings (`classifier`: svm | logistic)."""

    classifier: str = "svm"
    C: float = 0.5
    class_weight: str | None = "balanced"
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    word_features: int = 2**16
    char_features: int = 2**17
    calibration_folds: int = 3


@dataclass
class EncoderConfig:
    """Frozen MiniLM encoder with logistic heads."""

    max_length: int = 128
    quantize: bool = True
    C: float = 2.0
    class_weight: str | None = "balanced"
    threads: int | None = None


@dataclass
class FinetuneConfig:
    """Fine-tuned MiniLM with a three-way head per theme."""

    epochs: int = 3
    lr: float = 5e-5
    batch_size: int = 16
    max_length: int = 128
    weight_decay: float = 0.01
    warmup: float = 0.1
    dropout: float = 0.1
    freeze_layers: int = 0
    class_weight: str | None = "balanced"
    quantize: bool = True
    threads: int | None = None


@dataclass
class EnsembleConfig:
    """Which two backends are averaged, and the first one's weight (`auto`: chosen on dev)."""

    members: list[str] = field(default_factory=lambda: ["linear", "encoder"])
    linear_weight: float | str = "auto"


@dataclass
class ThresholdConfig:
    """Per-label threshold tuning on the dev split."""

    tune: bool = True
    default: float = 0.5
    grid_min: float = 0.15
    grid_max: float = 0.85
    grid_step: float = 0.025


@dataclass
class TrainConfig:
    """A whole training run."""

    name: str = "reviewlens"
    backend: str = "ensemble"
    corpus: list[str] = field(default_factory=lambda: ["annotations/corpus"])
    splits: str = "annotations/splits.json"
    seed: int = 13
    train_fraction: float = 1.0
    bootstrap: int = 1000
    learning_curve: bool = False
    linear: LinearConfig = field(default_factory=LinearConfig)
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    ensemble: EnsembleConfig = field(default_factory=EnsembleConfig)
    thresholds: ThresholdConfig = field(default_factory=ThresholdConfig)
    flags: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration, as written into the model directory."""
        return asdict(self)


BACKENDS = ("linear", "encoder", "finetuned", "ensemble")


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(data).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; known keys: {sorted(known)}")
    kwargs: dict[str, Any] = {}
    defaults = cls()
    for key, value in data.items():
        current = getattr(defaults, key)
        if is_dataclass(current):
            kwargs[key] = _build(type(current), value or {}, f"{where}.{key}")
        elif isinstance(current, tuple):
            kwargs[key] = tuple(value)
        else:
            kwargs[key] = value
    return cls(**kwargs)


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read a YAML training config; unknown keys and bad values raise ConfigError naming the file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    data.update(overrides or {})
    cfg: TrainConfig = _build(TrainConfig, data, str(p))
    if cfg.backend not in BACKENDS:
        raise ConfigError(f"{p}: backend must be one of {BACKENDS}, got {cfg.backend!r}")
    if len(cfg.ensemble.members) != 2 or set(cfg.ensemble.members) - {"linear", "encoder", "finetuned"}:
        raise ConfigError(f"{p}: ensemble.members must name two of linear, encoder, finetuned")
    if not 0 < cfg.train_fraction <= 1:
        raise ConfigError(f"{p}: train_fraction must be in (0, 1]")
    if isinstance(cfg.corpus, str):
        cfg.corpus = [cfg.corpus]
    return cfg
