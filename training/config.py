"""Training configuration: every choice of a training run lives in one YAML file, checked strictly."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field

from reviewlens.models.flags import FlagConfig
from reviewlens.models.paths import paths
from reviewlens.models.strict import StrictModel, load_strict
from reviewlens.models.tiers import FAST, Tier
from reviewlens.training.onnx_export import Quantization


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


class LinearConfig(StrictModel):
    """TF-IDF + calibrated linear classifier settings (`classifier`: svm | logistic)."""

    classifier: Literal["svm", "logistic"] = "svm"
    C: float = 0.5
    class_weight: str | None = "balanced"
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    word_features: int = 2**16
    char_features: int = 2**17
    calibration_folds: int = 3


class EncoderConfig(StrictModel):
    """A frozen sentence encoder (`base`: minilm, or mpnet for the thorough tier) with logistic heads."""

    base: Literal["minilm", "mpnet"] = "minilm"
    max_length: int = 128
    quantize: Quantization = "static"
    # False keeps the feed-forward output projections in fp32 under static int8 (training/onnx_export.py): all-mpnet-
    # base-v2 needs it (its int8 embeddings are otherwise unrelated to its fp32 ones), MiniLM loses a little without.
    int8_ffn_output: bool = True
    C: float = 2.0
    class_weight: str | None = "balanced"
    threads: int | None = None


class FinetuneConfig(StrictModel):
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
    quantize: Quantization = "static"
    int8_ffn_output: bool = True  # as EncoderConfig.int8_ffn_output
    threads: int | None = None
    # Context (issue 9, item 1): read each sentence with its paragraph and section kind, packed into windows of
    # `window_tokens`. `max_length` then bounds each sentence within its window. In training a paragraph is
    # read whole, or cut into single sentences (`context_alone`), or cut at random (`context_cut`), and its
    # section hidden (`section_drop`), so that a one-sentence check is read as well as a whole review.
    context: bool = False
    # mpnet-base (the `thorough` extra) is measured as a thorough tier (issue 9, item 0).
    base: Literal["minilm", "mpnet"] = "minilm"
    window_tokens: int = Field(default=256, ge=32, le=512)
    context_alone: float = Field(default=0.25, ge=0.0, le=1.0)
    context_cut: float = Field(default=0.25, ge=0.0, le=1.0)
    section_drop: float = Field(default=0.3, ge=0.0, le=1.0)


class SpacyTextcatConfig(StrictModel):
    """The spaCy peer: a `spacy train` config for `textcat_multilabel` and its step budget."""

    config: str = "training/configs/spacy_textcat.cfg"
    max_steps: int = 20000


Member = Literal["linear", "encoder", "finetuned", "spacy"]


def _default_members() -> list[Member]:
    return ["linear", "encoder"]


class EnsembleConfig(StrictModel):
    """Which two backends are averaged, and the first one's weight (`auto`: chosen on dev)."""

    members: list[Member] = Field(default_factory=_default_members)
    linear_weight: float | Literal["auto"] = "auto"


class ThresholdConfig(StrictModel):
    """Per-label threshold tuning on the dev split."""

    tune: bool = True
    default: float = 0.5
    grid_min: float = 0.15
    grid_max: float = 0.85
    grid_step: float = 0.025


class SelectionConfig(StrictModel):
    """How hyper-parameters and thresholds are chosen: on the dev split, or by cross-validation over the train and
    dev documents (`cv`, training/selection.py) with the final model refitted on both. `grid` maps key paths
    (`encoder.C`) to the values to try; it is used only with `cv`."""

    method: Literal["dev", "cv"] = "dev"
    # With `dev`: once the ensemble weight and thresholds are chosen on dev, fit the model again on train and dev
    # with them (issue 9, item 2: the final model sees both), at twice the fitting time.
    refit: bool = False
    folds: int = 5
    grid: dict[str, list[Any]] = Field(default_factory=dict)


class TrainConfig(StrictModel):
    """A whole training run."""

    name: str = "reviewlens"
    tier: Tier = Field(default=FAST, description="The serving tier the model is built for (`promote` puts it there).")
    backend: str = "ensemble"
    corpus: list[str] = Field(default_factory=lambda: [str(paths().corpus)])
    splits: str = Field(default_factory=lambda: str(paths().splits))
    seed: int = 13
    train_fraction: float = 1.0
    bootstrap: int = 1000
    learning_curve: bool = False
    linear: LinearConfig = Field(default_factory=LinearConfig)
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    finetune: FinetuneConfig = Field(default_factory=FinetuneConfig)
    spacy: SpacyTextcatConfig = Field(default_factory=SpacyTextcatConfig)
    ensemble: EnsembleConfig = Field(default_factory=EnsembleConfig)
    thresholds: ThresholdConfig = Field(default_factory=ThresholdConfig)
    selection: SelectionConfig = Field(default_factory=SelectionConfig)
    flags: FlagConfig = Field(default_factory=FlagConfig)

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration, as written into the model directory."""
        return self.model_dump(mode="json")


BACKENDS = ("linear", "encoder", "finetuned", "spacy", "ensemble")


def set_dotted(data: dict[str, Any], dotted: str, value: Any, where: str) -> None:
    """Set `a.b.c` in nested mappings (creating them), as `train --set finetuned.epochs=2` asks."""
    keys = dotted.split(".")
    if not all(keys):
        raise ConfigError(f"{where}: {dotted!r} is not a key path like finetuned.epochs")
    node = data
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{where}: cannot set {dotted}: {key} is not a mapping")
        node = child
    node[keys[-1]] = value


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read a YAML training config; unknown keys and bad values raise ConfigError naming the file.

    `overrides` maps key paths (`name`, `finetuned.epochs`) to values and wins over the file.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping, got {type(data).__name__}")
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value, str(p))
    if isinstance(data.get("corpus"), str):
        data["corpus"] = [data["corpus"]]
    try:
        cfg = load_strict(TrainConfig, data, str(p))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if cfg.backend not in BACKENDS:
        raise ConfigError(f"{p}: backend must be one of {BACKENDS}, got {cfg.backend!r}")
    if len(cfg.ensemble.members) != 2:
        raise ConfigError(f"{p}: ensemble.members must name two of linear, encoder, finetuned")
    if not 0 < cfg.train_fraction <= 1:
        raise ConfigError(f"{p}: train_fraction must be in (0, 1]")
    if cfg.selection.folds < 2:
        raise ConfigError(f"{p}: selection.folds must be at least 2")
    if cfg.selection.grid and cfg.selection.method != "cv":
        raise ConfigError(f"{p}: selection.grid is searched only with selection.method: cv")
    # Relative data paths in a config mean the project's annotations, whatever the working directory.
    cfg.corpus = [str(paths().resolve_data(c)) for c in cfg.corpus]
    cfg.splits = str(paths().resolve_data(cfg.splits))
    cfg.spacy.config = str(paths().resolve_data(cfg.spacy.config))
    return cfg
