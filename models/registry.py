"""Where built models live and which model serves each tier.

Models are built into `<data root>/registry/<name>-<version>/` (see `paths.py`). Each tier has a pointer file
holding the name of its promoted model directory: `DEFAULT` for the fast tier (the name it had before there were
tiers) and `THOROUGH` for the thorough tier. Promotion rewrites one pointer atomically and needs no symlinks.
"""

from __future__ import annotations

from pathlib import Path

from reviewlens.models.model_dir import ModelDirectory, ModelError
from reviewlens.models.paths import paths
from reviewlens.models.tiers import FAST, THOROUGH, TIERS, Tier

DEFAULT_POINTER = "DEFAULT"
POINTERS: dict[Tier, str] = {FAST: DEFAULT_POINTER, THOROUGH: "THOROUGH"}
# What `make` builds for each tier, for the messages that say how to get a missing one.
BUILD_HINT: dict[Tier, str] = {
    FAST: "build one with `make train` or promote one with `reviewlens promote MODEL`",
    THOROUGH: "build one with `make thorough` (needs the thorough extra) or promote one with "
    "`reviewlens promote MODEL`",
}


def registry_root() -> Path:
    """The folder holding built models."""
    return paths().registry_dir


def spec_tier(spec: str | Path | None) -> Tier | None:
    """The tier a model spec names: None and `default` mean the fast tier, `fast` and `thorough` themselves; any
    other spec (a path or a directory name) names no tier."""
    if spec is None or str(spec) == "default":
        return FAST
    return next((t for t in TIERS if str(spec) == t), None)


def resolve_model(spec: str | Path | None = None) -> Path:
    """Turn a path, a model name in the registry, or a tier (None, `default` and `fast`: the promoted fast model;
    `thorough`: the promoted thorough model) into a model directory path."""
    root = registry_root()
    tier = spec_tier(spec)
    if tier is not None:
        name = promoted_name(tier, root)
        if name is None:
            raise ModelError(f"no {tier}-tier model is promoted in {root}; {BUILD_HINT[tier]}")
        spec = root / name
    path = Path(str(spec))
    if path.is_dir():
        return path
    if (root / str(spec)).is_dir():
        return root / str(spec)
    if path.is_absolute() or len(path.parts) > 1:
        raise ModelError(f"model directory {path} does not exist; build one with `make train`")
    raise ModelError(f"no model named {spec} in the registry {root}; `reviewlens models` lists the built ones")


def choose_model(model: str | Path | None, tier: Tier | None, default: Tier) -> str | Path:
    """The model a command loads: `model` when named, else the promoted model of `tier`, else that of `default`
    where one is promoted and the fast tier's otherwise. Naming both a model and a tier is a ValueError."""
    if model is not None and tier is not None:
        raise ValueError("name a model or a tier, not both")
    if model is not None:
        return model
    if tier is not None:
        return tier
    return default if promoted_name(default) is not None else FAST


def promote(spec: str | Path) -> ModelDirectory:
    """Make a built model the one its tier serves (the tier its manifest names); it is opened first so a broken
    directory is never promoted."""
    path = resolve_model(spec).resolve()
    model = ModelDirectory.open(path)
    root = registry_root().resolve()
    if path.parent != root:
        raise ModelError(f"only models inside the registry {root} can be promoted; {path} is outside it")
    pointer = POINTERS[model.tier]
    tmp = root / (pointer + ".tmp")
    tmp.write_text(path.name + "\n", encoding="utf-8")
    tmp.replace(root / pointer)
    return model


def list_models(root: Path | None = None) -> list[ModelDirectory]:
    """Every readable model directory in the registry (default: the configured one), newest first."""
    root = root or registry_root()
    out = []
    for p in sorted(root.glob("*/")) if root.is_dir() else []:
        try:
            out.append(ModelDirectory.open(p))
        except ModelError:
            continue
    return sorted(out, key=lambda m: str(m.manifest.get("created", "")), reverse=True)


def promoted_name(tier: Tier, root: Path | None = None) -> str | None:
    """Name of the model directory promoted for `tier` in a registry (default: the configured one), if any."""
    pointer = (root or registry_root()) / POINTERS[tier]
    return pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None


def default_name(root: Path | None = None) -> str | None:
    """Name of the promoted fast-tier model directory (the default every command falls back to), if any."""
    return promoted_name(FAST, root)
