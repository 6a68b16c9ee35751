"""Every default location reviewlens reads or writes, resolved in this one module.

Two roots:

- **the data root** (``REVIEWLENS_HOME``) holds what reviewlens builds and keeps: the model registry, the
  encoder cache, Hugging Face's cache and bulk stores. It defaults to ``var/`` in the source checkout (git
  ignores it), or to ``$XDG_DATA_HOME/reviewlens`` (``~/.local/share/reviewlens``) for an installed wheel.
  Nothing is ever written inside a package folder.
- **the annotations** (``REVIEWLENS_ANNOTATIONS``) hold the corpus, its splits and schema; they default to
  ``annotations/`` in the checkout, so data commands work from any working directory.

``REVIEWLENS_REGISTRY`` still overrides the registry alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# models/paths.py → the checkout root, when running from a source tree (editable install or PYTHONPATH).
_TREE = Path(__file__).resolve().parents[1]


def checkout_root() -> Path | None:
    """The source checkout this code runs from, or None for an installed wheel."""
    return _TREE if (_TREE / "pyproject.toml").is_file() and (_TREE / "annotations").is_dir() else None


def _default_home() -> Path:
    tree = checkout_root()
    if tree is not None:
        return tree / "var"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "reviewlens"


def _default_annotations() -> Path:
    tree = checkout_root()
    return tree / "annotations" if tree is not None else Path("annotations").resolve()


class Paths(BaseSettings):
    """The roots, from ``REVIEWLENS_HOME``, ``REVIEWLENS_REGISTRY`` and ``REVIEWLENS_ANNOTATIONS``."""

    model_config = SettingsConfigDict(env_prefix="REVIEWLENS_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Data root: models, caches, stores.")
    registry: Path | None = Field(default=None, description="Built models (default: <home>/registry).")
    annotations: Path = Field(default_factory=_default_annotations, description="Corpus, splits and schema.")

    @property
    def registry_dir(self) -> Path:
        """Where built models live."""
        return self.registry or self.home / "registry"

    @property
    def encoder_cache(self) -> Path:
        """Exported encoder graphs, reused across training runs."""
        return self.home / "cache" / "encoder"

    @property
    def hf_home(self) -> Path:
        """Hugging Face's cache (Arrow files of `datasets`), kept out of the user's home folder."""
        return self.home / "cache" / "huggingface"

    @property
    def corpus(self) -> Path:
        """The canonical corpus folder."""
        return self.annotations / "corpus"

    @property
    def splits(self) -> Path:
        """The document → split map."""
        return self.annotations / "splits.json"

    @property
    def record_schema(self) -> Path:
        """The JSON Schema of one corpus record."""
        return self.annotations / "schema.json"

    def resolve_data(self, path: str | Path) -> Path:
        """A data path as given on a command line or in a config.

        Absolute paths and paths that exist from the working directory are used as they are; a relative
        path that does not (``annotations/corpus`` typed outside the checkout) is tried against the checkout.
        """
        p = Path(path)
        if p.is_absolute() or p.exists():
            return p
        tree = checkout_root()
        if tree is not None and (tree / p).exists():
            return tree / p
        if p.parts and p.parts[0] == "annotations":
            return self.annotations.joinpath(*p.parts[1:])
        return p


def paths() -> Paths:
    """The paths as the environment sets them now (read on each call: cheap, and tests change the environment)."""
    return Paths()
