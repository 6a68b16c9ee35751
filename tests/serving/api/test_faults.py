"""Faults become states and 4xx: model-loading faults → /readyz 503 with a reason; hostile `data` → 422;
the key is checked before the body is read; an empty X-API-Key does not hide a valid Bearer token."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reviewlens.serving.api.main import create_app
from reviewlens.serving.api.settings import Settings


def _broken_copy(tiny_model_dir: Path, tmp_path: Path, how: str) -> Path:
    model = tmp_path / "model-under-test"
    shutil.copytree(tiny_model_dir, model)
    manifest = json.loads((model / "model.json").read_text(encoding="utf-8"))
    if how == "weight":
        manifest["backend"] = {"type": "ensemble", "members": [{"type": "linear", "path": "linear", "weight": "x"}]}
        (model / "model.json").write_text(json.dumps(manifest), encoding="utf-8")
    else:
        for artefact in (model / "linear").iterdir():
            if artefact.is_file():
                artefact.write_bytes(b"\x00not an artefact")
    return model


@pytest.mark.parametrize("how", ["weight", "artefact"])
def test_model_faults_give_503_with_a_reason(tiny_model_dir: Path, tmp_path: Path, how: str) -> None:
    """Issue 12 defect 5: a non-numeric value in model.json or a corrupt artefact made the process exit."""
    model = _broken_copy(tiny_model_dir, tmp_path, how)
    with TestClient(create_app(Settings(model=str(model), api_keys=["k1"]))) as client:
        assert client.get("/healthz").status_code == 200
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["reason"]
        # Open to anyone: the reason names no absolute path...
        assert str(tmp_path) not in r.json()["reason"]
        # ...but an authenticated caller sees it whole.
        full = client.get("/readyz", headers={"X-API-Key": "k1"}).json()["reason"]
        assert "model-under-test" in full
        analysed = client.post("/v1/analyze", json={"text": "The worker visited."}, headers={"X-API-Key": "k1"})
        assert analysed.status_code == 503


@pytest.mark.parametrize(
    "data",
    ['{"annotation": ' + "[" * 100_000 + "]" * 100_000 + "}", '{"annotation": [{"text": ' + "9" * 5000 + "}]}"],
    ids=["nested-100000-deep", "integer-of-5000-digits"],
)
def test_hostile_languagetool_data_is_422(client: TestClient, data: str) -> None:
    """Issue 12 defect 6: these returned 500."""
    r = client.post("/v2/check", data={"data": data})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_annotation"


def test_empty_x_api_key_does_not_override_a_valid_bearer(make_client: Any) -> None:
    client = make_client(api_keys=["k1"])
    r = client.post("/v1/analyze", json={"text": "The worker visited."},
                    headers={"X-API-Key": "", "Authorization": "Bearer k1"})
    assert r.status_code == 200


def test_key_is_checked_before_the_body_is_read(analyzer: Any) -> None:
    app = create_app(Settings(api_keys=["k1"]), analyzer=analyzer)
    body_read = False
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal body_read
        body_read = True
        return {"type": "http.request", "body": b'{"text": "x"}', "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/analyze", "raw_path": b"/v1/analyze", "root_path": "", "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"13")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 401
    assert not body_read
