"""API keys, CORS and settings from REVIEWLENS_* environment variables."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from reviewlens.serving.api.settings import Settings

KEYS = ["k-one-1234567890", "k-two-0987654321"]
# Every route but the health checks, with a request each would accept.
SECURED = [
    ("POST", "/v1/analyze", {"json": {"text": "The worker visited the home."}}),
    ("POST", "/v1/analyze/batch", {"json": {"texts": ["The worker visited the home."]}}),
    ("POST", "/v1/analyze/file", {"files": {"file": ("a.txt", b"The worker visited the home.", "text/plain")}}),
    ("POST", "/v2/check", {"data": {"text": "The worker visited the home.", "language": "en-GB"}}),
    ("GET", "/v2/languages", {}),
    ("GET", "/v1/models", {}),
    ("GET", "/metrics", {}),
    ("GET", "/openapi.json", {}),
    ("GET", "/docs", {}),
    ("GET", "/redoc", {}),
]


@pytest.fixture()
def keyed(make_client) -> TestClient:
    return make_client(api_keys=KEYS)


@pytest.mark.parametrize(("method", "path", "kwargs"), SECURED, ids=[p for _, p, _ in SECURED])
def test_every_route_needs_a_key_when_keys_are_set(keyed: TestClient, method: str, path: str, kwargs: dict) -> None:
    r = keyed.request(method, path, **kwargs)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"
    for headers in ({"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}, {"Authorization": f"Basic {KEYS[0]}"},
                    {"X-API-Key": KEYS[0][:-1]}):
        assert keyed.request(method, path, headers=headers, **kwargs).status_code == 401
    assert keyed.request(method, path, headers={"Authorization": f"Bearer {KEYS[0]}"}, **kwargs).status_code == 200
    assert keyed.request(method, path, headers={"authorization": f"bearer {KEYS[1]}"}, **kwargs).status_code == 200
    assert keyed.request(method, path, headers={"X-API-Key": KEYS[1]}, **kwargs).status_code == 200


def test_health_checks_need_no_key(keyed: TestClient) -> None:
    assert keyed.get("/healthz").status_code == 200
    assert keyed.get("/readyz").status_code == 200


@pytest.mark.parametrize(("method", "path", "kwargs"), SECURED, ids=[p for _, p, _ in SECURED])
def test_no_keys_configured_means_open(client: TestClient, method: str, path: str, kwargs: dict) -> None:
    assert client.request(method, path, **kwargs).status_code == 200


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLENS_API_KEYS", f" {KEYS[0]} ,{KEYS[1]},")
    monkeypatch.setenv("REVIEWLENS_CORS_ORIGINS", "https://editor.example.org")
    monkeypatch.setenv("REVIEWLENS_MAX_TEXT_CHARS", "5000")
    monkeypatch.setenv("REVIEWLENS_MAX_BATCH", "4")
    monkeypatch.setenv("REVIEWLENS_REQUEST_TIMEOUT_S", "2.5")
    monkeypatch.setenv("REVIEWLENS_MODEL", "/models/x")
    s = Settings()
    assert s.api_keys == KEYS
    assert s.cors_origins == ["https://editor.example.org"]
    assert (s.max_text_chars, s.max_batch, s.request_timeout_s, s.model) == (5000, 4, 2.5, "/models/x")


def test_defaults_are_closed_for_cors_and_open_for_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_KEYS", "CORS_ORIGINS", "MAX_TEXT_CHARS", "MAX_BATCH", "REQUEST_TIMEOUT_S"):
        monkeypatch.delenv(f"REVIEWLENS_{name}", raising=False)
    s = Settings()
    assert s.cors_origins == [] and s.api_keys == []
    assert s.max_text_chars == 1_000_000


def test_keys_from_the_environment_are_enforced(monkeypatch: pytest.MonkeyPatch, analyzer) -> None:
    from reviewlens.serving.api.main import create_app

    monkeypatch.setenv("REVIEWLENS_API_KEYS", KEYS[0])
    client = TestClient(create_app(analyzer=analyzer))
    assert client.get("/v1/models").status_code == 401
    assert client.get("/v1/models", headers={"X-API-Key": KEYS[0]}).status_code == 200


ALLOWED = "https://editor.example.org"


def test_configured_origin_gets_cors_headers(make_client) -> None:
    client = make_client(cors_origins=[ALLOWED], api_keys=KEYS, max_text_chars=100, max_upload_bytes=100)
    r = client.post("/v1/analyze", json={"text": "The worker visited."},
                    headers={"Origin": ALLOWED, "X-API-Key": KEYS[0]})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED
    # Errors too, so a browser client can read why it was refused.
    r = client.post("/v1/analyze", json={"text": "The worker visited."}, headers={"Origin": ALLOWED})
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == ALLOWED
    r = client.post("/v1/analyze", content=b"x" * 100_000, headers={"Origin": ALLOWED, "X-API-Key": KEYS[0]})
    assert r.status_code == 413 and r.headers["access-control-allow-origin"] == ALLOWED
    # A preflight succeeds without a key and allows the key headers.
    r = client.options("/v1/analyze", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-api-key,authorization",
    })
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED
    allowed = r.headers["access-control-allow-headers"].lower()
    assert "x-api-key" in allowed and "authorization" in allowed


def test_unconfigured_origin_gets_no_cors_headers(make_client) -> None:
    configured = make_client(cors_origins=[ALLOWED])
    default = make_client()
    for client in (configured, default):
        r = client.post("/v1/analyze", json={"text": "The worker visited."}, headers={"Origin": "https://evil.example"})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers
        r = client.options("/v1/analyze", headers={"Origin": "https://evil.example",
                                                   "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in r.headers
    r = default.post("/v1/analyze", json={"text": "The worker visited."}, headers={"Origin": ALLOWED})
    assert "access-control-allow-origin" not in r.headers
