"""A model directory is self-describing: `model.json` names the backend, thresholds, flag settings, label
schema and data hash, and the artefacts sit beside it. Serving needs nothing but this directory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from reviewlens.models.flags import FlagConfig
from reviewlens.models.labels import LABEL_SCHEMA_VERSION, LABELS
from reviewlens.models.strict import StrictModel, describe
from reviewlens.models.tiers import FAST, Tier

MANIFEST = "model.json"
METRICS = "metrics.json"


class Manifest(StrictModel):
    """`model.json`: what a model directory holds, written by training and read by everything that serves."""

    name: str
    version: str
    label_schema: str
    backend: dict[str, Any] = Field(description="Backend spec: type, artefact path, ensemble members.")
    thresholds: dict[str, float] = Field(description="Decision threshold per label.")
    flags: FlagConfig = Field(default_factory=FlagConfig)
    # Manifests written before the tiers existed are fast-tier models: MiniLM was the only encoder served.
    tier: Tier = Field(default=FAST, description="The serving tier the model was built for.")
    created: str | None = None
    data_hash: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, description="Corpus files, splits and counts trained on.")
    config: dict[str, Any] = Field(default_factory=dict, description="The resolved training configuration.")

    def write(self, directory: Path) -> Path:
        """Write `model.json` into `directory`."""
        path = directory / MANIFEST
        path.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        return path


class ModelError(RuntimeError):
    """A model directory is missing, incomplete, corrupt or built for another label schema."""


@dataclass(frozen=True)
class ModelDirectory:
    """The parsed manifest of a model directory."""

    path: Path
    name: str
    version: str
    label_schema: str
    backend: dict[str, Any]
    thresholds: dict[str, float]
    flags: FlagConfig
    manifest: dict[str, Any]
    tier: Tier = FAST

    @classmethod
    def open(cls, path: str | Path) -> ModelDirectory:
        """Read and check a model directory's manifest; raise ModelError saying exactly what is wrong."""
        root = Path(path)
        if not root.is_dir():
            raise ModelError(
                f"model directory {root} does not exist; build one with `make train` "
                "(or `reviewlens train --config training/configs/default.yaml --promote`)"
            )
        manifest_path = root / MANIFEST
        if not manifest_path.is_file():
            raise ModelError(f"{root} is not a model directory: {MANIFEST} is missing (an unfinished build?)")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelError(f"{manifest_path} is corrupt: {exc}") from exc
        if not isinstance(manifest, dict):
            raise ModelError(f"{manifest_path} must hold a JSON object")
        missing = [k for k in ("name", "version", "label_schema", "backend", "thresholds") if k not in manifest]
        if missing:
            raise ModelError(f"{manifest_path} lacks {', '.join(missing)}")
        if manifest["label_schema"] != LABEL_SCHEMA_VERSION:
            raise ModelError(
                f"{root} was trained for label schema {manifest['label_schema']}, this reviewlens uses "
                f"{LABEL_SCHEMA_VERSION}; retrain it"
            )
        try:
            parsed = Manifest.model_validate(manifest)
        except ValidationError as exc:
            raise ModelError(describe(Manifest, exc, str(manifest_path))) from None
        unknown = set(parsed.thresholds) - set(LABELS)
        if unknown:
            raise ModelError(f"{manifest_path}: thresholds for unknown labels {sorted(unknown)}")
        return cls(
            path=root,
            name=parsed.name,
            version=parsed.version,
            label_schema=parsed.label_schema,
            backend=parsed.backend,
            thresholds=parsed.thresholds,
            flags=parsed.flags,
            manifest=parsed.model_dump(mode="json"),
            tier=parsed.tier,
        )

    def metrics(self) -> dict[str, Any]:
        """The model's `metrics.json` (what training measured), or {} for a directory built without one."""
        return read_metrics(self.path)

    def artefact(self, relative: str) -> Path:
        """Return the path of an artefact, raising ModelError if it is missing."""
        p = self.path / relative
        if not p.exists():
            raise ModelError(f"{self.path}: artefact {relative} is missing")
        return p


def read_metrics(directory: Path) -> dict[str, Any]:
    """`metrics.json` in a model directory, or {} where there is none."""
    path = directory / METRICS
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
