"""Health, readiness, model information, metrics and the OpenAPI document; loading the model at start-up."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reviewlens.models.schema import RESULT_SCHEMA_VERSION
from reviewlens.serving.api.main import create_app
from reviewlens.serving.api.settings import Settings


def test_health_and_ready_with_a_loaded_model(client: TestClient, analyzer) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ready"
    assert analyzer.model.version in r.json()["model"]


def test_model_is_loaded_once_at_start_up(
    tiny_model_dir: Path, analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewlens.models.analyzer import Analyzer

    # Hand back the session's analyzer rather than load it again (the real load is exercised by the server test).
    loads: list[tuple] = []

    def counting_load(*args):
        loads.append(args)
        return analyzer

    monkeypatch.setattr(Analyzer, "load", counting_load)
    app = create_app(Settings(model=str(tiny_model_dir), threads=2))
    assert loads == []
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        for _ in range(3):
            assert client.post("/v1/analyze", json={"text": "The worker visited the home."}).status_code == 200
        assert client.get("/v1/models").status_code == 200
    assert loads == [(str(tiny_model_dir), 2)]


def test_missing_model_is_healthy_but_not_ready(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with TestClient(create_app(Settings(model=str(missing)))) as client:
        assert client.get("/healthz").status_code == 200
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["status"] == "not_ready" and str(missing) in r.json()["reason"]
        requests: list[tuple[str, str, dict]] = [
            ("POST", "/v1/analyze", {"json": {"text": "The worker visited."}}),
            ("POST", "/v1/analyze/batch", {"json": {"texts": ["The worker visited."]}}),
            ("POST", "/v2/check", {"data": {"text": "The worker visited."}}),
            ("GET", "/v1/models", {}),
        ]
        for method, path, kwargs in requests:
            r = client.request(method, path, **kwargs)
            assert r.status_code == 503, path
            assert r.json()["error"]["code"] == "model_not_ready"
            assert str(missing) in r.json()["error"]["message"]
        assert client.get("/metrics").status_code == 200


def test_models_lists_the_loaded_model_and_the_registry(
    client: TestClient, analyzer, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEWLENS_REGISTRY", str(tiny_model_dir.parent))
    r = client.get("/v1/models")
    assert r.status_code == 200
    body = r.json()
    loaded = body["loaded"]
    assert (loaded["name"], loaded["version"]) == (analyzer.model.name, analyzer.model.version)
    assert loaded["label_schema"] == analyzer.model.label_schema
    assert loaded["thresholds"] == analyzer.model.thresholds
    metrics = json.loads((tiny_model_dir / "metrics.json").read_text())
    assert loaded["test_metrics"]["macro_f1"] == metrics["test"]["macro_f1"]
    assert {a["directory"] for a in body["available"]} == {tiny_model_dir.name}


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(got.get(k) == v for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_and_time_by_route_and_status(make_client) -> None:
    client = make_client(max_text_chars=50, max_upload_bytes=1000)
    for _ in range(3):
        client.post("/v1/analyze", json={"text": "The worker visited."})
    client.post("/v1/analyze", json={"text": " "})
    client.post("/v1/analyze", json={"text": "x" * 51})
    client.post("/v1/analyze", content=b"x" * 300_000, headers={"content-type": "application/json"})
    client.get("/no/such/path/123")
    text = client.get("/metrics").text
    assert _metric(text, "reviewlens_requests_total", route="/v1/analyze", status="200", method="POST") == 3
    assert _metric(text, "reviewlens_requests_total", route="/v1/analyze", status="422") == 1
    assert _metric(text, "reviewlens_requests_total", route="/v1/analyze", status="413") == 1
    # Refused by size before routing: still counted, under a fixed label rather than the raw path.
    assert _metric(text, "reviewlens_requests_total", route="unmatched", status="413") == 1
    assert _metric(text, "reviewlens_requests_total", route="unmatched", status="404") == 1
    assert "/no/such/path" not in text
    assert _metric(text, "reviewlens_request_seconds_count", route="/v1/analyze", status="200") == 3
    assert _metric(text, "reviewlens_request_seconds_sum", route="/v1/analyze", status="200") > 0


def test_openapi_documents_the_versioned_result_and_error_shapes(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["info"]["version"] == RESULT_SCHEMA_VERSION
    schemas = doc["components"]["schemas"]
    result = schemas["AnalysisResult"]
    assert {"schema_version", "model", "offset_unit", "document", "summary", "flags", "findings"} <= set(
        result["properties"]
    )
    assert {"offset", "length", "text", "score", "severity", "message", "short_message", "question", "evidence"} <= set(
        schemas["Finding"]["properties"]
    )
    analyze = doc["paths"]["/v1/analyze"]["post"]
    ok = analyze["responses"]["200"]["content"]
    assert ok["application/json"]["schema"]["$ref"].endswith("/AnalysisResult") and "text/html" in ok
    for status in ("401", "413", "415", "422", "503", "504"):
        assert analyze["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorResponse"
        ), status
    assert {"/v1/analyze", "/v1/analyze/file", "/v1/analyze/batch", "/v2/check", "/v1/models", "/healthz",
            "/readyz"} <= set(doc["paths"])
    assert client.get("/docs").status_code == 200
