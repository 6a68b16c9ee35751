"""Two tiers (issue 9, item 0): requests choose `tier=fast|thorough`; the page, /v1/analyze and bulk default to
thorough, /v2/check to fast; a missing thorough tier is a fallback for defaults and a 409 for explicit requests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.score_cache import ScoreCache
from reviewlens.serving.api.main import create_app
from reviewlens.serving.api.settings import Settings
from tests.support.tiers import thorough_copy

DRAFT = "Analysis\n\nThe case was closed because the mother said the partner had left. Nobody checked with the police."


@pytest.fixture(scope="module")
def registry(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry holding the tiny model (fast) and its thorough-labelled copy, neither promoted."""
    root = tmp_path_factory.mktemp("tier-registry")
    shutil.copytree(tiny_model_dir, root / tiny_model_dir.name)
    thorough_copy(tiny_model_dir, root)
    return root


def _fresh(path: Path) -> Analyzer:
    """An analyzer of its own with a cache of its own, so cache counters show which tier scored."""
    analyzer = Analyzer.load(path)
    analyzer.use_cache(ScoreCache(1000, f"{analyzer.model.name}@{analyzer.model.version}"))
    return analyzer


@pytest.fixture(scope="module")
def pair(registry: Path) -> tuple[Analyzer, Analyzer]:
    """(fast, thorough) analyzers over the two models."""
    models = [p for p in registry.iterdir() if p.is_dir()]  # not the pointer files a later test writes
    fast_dir, thorough_dir = sorted(models, key=lambda p: "thorough" in p.name)
    return _fresh(fast_dir), _fresh(thorough_dir)


def _misses(client: TestClient, tier: str) -> float:
    """Sentences the tier's model has scored, from /metrics (labelled by tier)."""
    text = client.get("/metrics").text
    match = re.search(rf'^reviewlens_score_cache_misses_total{{tier="{tier}"}} (\S+)$', text, re.MULTILINE)
    assert match, text
    return float(match.group(1))


def test_each_route_answers_with_its_default_tier_and_a_request_can_choose(pair) -> None:
    fast, thorough = pair
    with TestClient(create_app(Settings(), analyzer=fast, thorough=thorough)) as client:
        assert client.post("/v1/analyze", json={"text": DRAFT}).json()["model"]["tier"] == "thorough"
        assert client.post("/v1/analyze", json={"text": DRAFT, "tier": "fast"}).json()["model"]["tier"] == "fast"
        assert client.post("/v1/analyze?tier=fast", json={"text": DRAFT}).json()["model"]["name"] == "tiny"
        # A JSON body's tier wins over the query string's, as every other option does.
        body = client.post("/v1/analyze?tier=fast", json={"text": DRAFT, "tier": "thorough"}).json()
        assert body["model"] == {**body["model"], "tier": "thorough", "name": "tiny-thorough"}
        plain = client.post("/v1/analyze?tier=fast", content=DRAFT, headers={"content-type": "text/plain"})
        assert plain.json()["model"]["tier"] == "fast"
        batch = client.post("/v1/analyze/batch", json={"texts": [DRAFT, DRAFT]}).json()["results"]
        assert [r["model"]["tier"] for r in batch] == ["thorough", "thorough"]
        upload = client.post("/v1/analyze/file?tier=fast", files={"file": ("d.txt", DRAFT.encode(), "text/plain")})
        assert upload.json()["model"]["tier"] == "fast"

        # The editor's route reads with the fast tier unless asked: only the fast model's cache sees the check.
        before = _misses(client, "fast"), _misses(client, "thorough")
        check = client.post("/v2/check", data={"text": DRAFT + " A sentence only the check sends.", "language": "en"})
        assert check.status_code == 200
        after = _misses(client, "fast"), _misses(client, "thorough")
        assert after[0] > before[0] and after[1] == before[1]
        asked = client.get("/v2/check", params={"text": "Another sentence sent once.", "tier": "thorough"})
        assert asked.status_code == 200 and _misses(client, "thorough") > after[1]

        ready = client.get("/readyz").json()
        assert ready["tiers"] == {"fast": f"tiny {fast.model.version}", "thorough": f"tiny-thorough "
                                  f"{thorough.model.version}"}
        tiers = client.get("/v1/models").json()["tiers"]
        assert (tiers["fast"]["name"], tiers["thorough"]["name"]) == ("tiny", "tiny-thorough")
        assert tiers["thorough"]["test_metrics"]["macro_f1"] == tiers["fast"]["test_metrics"]["macro_f1"]
        page = client.get("/").text
        assert '<select id="tier" name="tier"' in page


def test_without_a_thorough_model_defaults_fall_back_and_explicit_requests_are_refused(pair) -> None:
    fast, _ = pair
    with TestClient(create_app(Settings(), analyzer=fast)) as client:
        assert client.post("/v1/analyze", json={"text": DRAFT}).json()["model"]["tier"] == "fast"
        for response in (
            client.post("/v1/analyze", json={"text": DRAFT, "tier": "thorough"}),
            client.post("/v1/analyze/batch", json={"texts": [DRAFT], "tier": "thorough"}),
            client.post("/v2/check", data={"text": DRAFT, "tier": "thorough"}),
        ):
            assert response.status_code == 409, response.text
            assert response.json()["error"]["code"] == "tier_not_available"
            assert "make thorough" in response.json()["error"]["message"]
        unknown = client.post("/v1/analyze", json={"text": DRAFT, "tier": "best"})
        assert unknown.status_code == 422
        assert client.get("/readyz").json()["tiers"] == {"fast": f"tiny {fast.model.version}", "thorough": None}
        assert client.get("/v1/models").json()["tiers"]["thorough"] is None
        assert 'id="tier"' not in client.get("/").text


def test_the_service_loads_each_tiers_promoted_model(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewlens.models.registry import promote

    monkeypatch.setenv("REVIEWLENS_REGISTRY", str(registry))
    for model_dir in registry.iterdir():
        if model_dir.is_dir():
            assert promote(model_dir.name).tier == ("thorough" if "thorough" in model_dir.name else "fast")
    assert {p.name for p in registry.iterdir() if p.is_file()} == {"DEFAULT", "THOROUGH"}
    with TestClient(create_app(Settings(threads=1))) as client:
        assert client.post("/v1/analyze", json={"text": DRAFT}).json()["model"]["name"] == "tiny-thorough"
        assert client.post("/v2/check", data={"text": DRAFT}).status_code == 200
    # A service pinned to one model serves that model alone, unless its thorough model is named as well.
    fast_dir = registry / (registry / "DEFAULT").read_text().strip()
    with TestClient(create_app(Settings(model=str(fast_dir), threads=1))) as client:
        assert client.get("/readyz").json()["tiers"]["thorough"] is None
    with TestClient(create_app(Settings(model=str(fast_dir), thorough_model="thorough", threads=1))) as client:
        assert client.get("/readyz").json()["tiers"]["thorough"].startswith("tiny-thorough ")
    # `none` turns the thorough tier off even where one is promoted.
    with TestClient(create_app(Settings(thorough_model="none", threads=1))) as client:
        assert client.post("/v1/analyze", json={"text": DRAFT}).json()["model"]["tier"] == "fast"


def test_a_thorough_model_that_fails_to_load_leaves_the_fast_tier_serving(tiny_model_dir: Path, tmp_path: Path
                                                                          ) -> None:
    missing = tmp_path / "no-such-model"
    with TestClient(create_app(Settings(model=str(tiny_model_dir), thorough_model=str(missing), threads=1))) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and str(missing) in ready.json()["reason"]
        assert client.post("/v1/analyze", json={"text": DRAFT}).json()["model"]["tier"] == "fast"
        refused = client.post("/v1/analyze", json={"text": DRAFT, "tier": "thorough"})
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "model_not_ready"
