import json
import re
import shutil
from pathlib import Path

import pytest

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.model_dir import ModelDirectory, ModelError
from reviewlens.models.registry import promote, resolve_model


def test_missing_directory_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make train"):
        ModelDirectory.open(tmp_path / "nope")


def test_missing_manifest_and_corrupt_manifest(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"model\.json is missing"):
        ModelDirectory.open(tmp_path)
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(ModelError, match="corrupt"):
        ModelDirectory.open(tmp_path)


def test_wrong_label_schema_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    manifest = json.loads((copy / "model.json").read_text())
    manifest["label_schema"] = "0.1"
    (copy / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"label schema 0\.1"):
        ModelDirectory.open(copy)


def test_corrupt_artefact_is_a_model_error(tiny_model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    (copy / "linear" / "analysis_depth.skops").write_bytes(b"garbage")
    with pytest.raises(ModelError, match=r"analysis_depth\.skops"):
        Analyzer.load(copy)
    (copy / "linear" / "analysis_depth.skops").unlink()
    with pytest.raises(ModelError, match="missing"):
        Analyzer.load(copy)


def test_manifest_is_self_describing(tiny_model_dir: Path) -> None:
    md = ModelDirectory.open(tiny_model_dir)
    assert md.label_schema == "1.0"
    assert len(md.manifest["data_hash"]) == 64
    assert set(md.thresholds) == {
        "DESCRIPTIVE",
        "ANALYTICAL",
        "IDENTITY_MENTION",
        "CULTURAL_ANALYSIS",
        "RISK_UNSUPPORTED",
        "RISK_REASONED",
    }
    for name in ("metrics.json", "MODEL.md"):
        assert (tiny_model_dir / name).is_file()


def test_promote_and_resolve_default(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLENS_REGISTRY", str(tiny_model_dir.parent))
    promote(tiny_model_dir.name)
    assert resolve_model(None) == tiny_model_dir.parent / tiny_model_dir.name
    assert Analyzer.load().model.version == ModelDirectory.open(tiny_model_dir).version


def test_no_default_promoted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLENS_REGISTRY", str(tmp_path))
    with pytest.raises(ModelError, match="no fast-tier model is promoted"):
        resolve_model(None)


def test_each_tier_has_its_own_pointer_and_commands_fall_back_to_fast(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewlens.models.registry import choose_model, promoted_name
    from tests.support.tiers import thorough_copy

    monkeypatch.setenv("REVIEWLENS_REGISTRY", str(tmp_path))
    shutil.copytree(tiny_model_dir, tmp_path / tiny_model_dir.name)
    thorough = thorough_copy(tiny_model_dir, tmp_path)
    assert ModelDirectory.open(tiny_model_dir).tier == "fast"  # built by a config that names no tier
    promote(tiny_model_dir.name)
    # The thorough tier is asked for by default, but none is promoted: the fast model answers.
    assert choose_model(None, None, "thorough") == "fast"
    with pytest.raises(ModelError, match=r"no thorough-tier model is promoted.*make thorough"):
        resolve_model(choose_model(None, "thorough", "fast"))
    assert promote(thorough.name).tier == "thorough"
    assert (promoted_name("fast"), promoted_name("thorough")) == (tiny_model_dir.name, thorough.name)
    assert resolve_model(choose_model(None, None, "thorough")) == thorough
    assert resolve_model(None) == resolve_model("fast") == tmp_path / tiny_model_dir.name
    assert choose_model("some-model", None, "thorough") == "some-model"
    with pytest.raises(ValueError, match="not both"):
        choose_model("some-model", "fast", "thorough")


def test_the_card_sets_the_model_beside_each_tier(tiny_model_dir: Path) -> None:
    card = (tiny_model_dir / "MODEL.md").read_text(encoding="utf-8")
    assert "Tier: **fast**" in card and "## Beside the tiers" in card
    # Built into an empty registry: nothing was promoted to set it beside.
    assert "| fast tier: none promoted |" in card and "| thorough tier: none promoted |" in card
    assert re.search(r"^\| this model \(fast\) \| challenge \| 0\.\d{3} \|", card, re.MULTILINE)
