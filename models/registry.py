"""Where built models live and which one is the default that serving loads.

Models are built into `<data root>/registry/<name>-<version>/` (see `paths.py`); `promote` writes the
chosen directory's name into the `DEFAULT` file, an atomic one-line switch that needs no symlinks.
"""

from __future__ import annotations

from pathlib import Path

from reviewlens.models.model_dir import ModelDirectory, ModelError
from reviewlens.models.paths import paths

DEFAULT_POINTER = "DEFAULT"


def registry_root() -> Path:
    """The folder holding built models."""
    return paths().registry_dir


def resolve_model(spec: str | Path | None = None) -> Path:
    """Turn a path, a model name in the registry, or None (the promoted default) into a model directory path."""
    root = registry_root()
    if spec is None or str(spec) == "default":
        pointer = root / DEFAULT_POINTER
        if not pointer.is_file():
            raise ModelError(
                f"no default model is promoted in {root}; build one with `make train` or promote one with "
                "`reviewlens promote MODEL`"
            )
        spec = root / pointer.read_text(encoding="utf-8").strip()
    path = Path(spec)
    if path.is_dir():
        return path
    if (root / str(spec)).is_dir():
        return root / str(spec)
    if path.is_absolute() or len(path.parts) > 1:
        raise ModelError(f"model directory {path} does not exist; build one with `make train`")
    raise ModelError(f"no model named {spec} in the registry {root}; `reviewlens models` lists the built ones")


def promote(spec: str | Path) -> Path:
    """Make a built model the default; it is opened first so a broken directory is never promoted."""
    path = resolve_model(spec).resolve()
    ModelDirectory.open(path)
    root = registry_root().resolve()
    if path.parent != root:
        raise ModelError(f"only models inside the registry {root} can be promoted; {path} is outside it")
    tmp = root / (DEFAULT_POINTER + ".tmp")
    tmp.write_text(path.name + "\n", encoding="utf-8")
    tmp.replace(root / DEFAULT_POINTER)
    return path


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


def default_name(root: Path | None = None) -> str | None:
    """Name of the promoted default model directory in a registry (default: the configured one), if any."""
    pointer = (root or registry_root()) / DEFAULT_POINTER
    return pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None
