"""A second model for tier tests: the session's tiny model re-labelled as a thorough-tier model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from reviewlens.models.model_dir import ModelDirectory


def thorough_copy(model_dir: Path, registry: Path) -> Path:
    """Copy `model_dir` into `registry` as `tiny-thorough`, built (says its manifest) for the thorough tier."""
    target = registry / f"tiny-thorough-{ModelDirectory.open(model_dir).version}"
    shutil.copytree(model_dir, target)
    manifest = json.loads((target / "model.json").read_text())
    manifest |= {"tier": "thorough", "name": "tiny-thorough"}
    (target / "model.json").write_text(json.dumps(manifest))
    return target
