"""The real server: `reviewlens serve` under uvicorn on a loopback port, called over HTTP with httpx and with the
third-party LanguageTool client."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.serving.api.conftest import MARKER, SERVER_TEXT_LIMIT, LiveServer, make_docx

pytestmark = pytest.mark.slow
TEXT_LIMIT = SERVER_TEXT_LIMIT


@pytest.fixture(scope="module")
def server(live_server: LiveServer) -> LiveServer:
    """The server started for the session, once it is ready."""
    live_server.wait_ready()
    return live_server


def _concerns(url: str, text: str) -> list[dict]:
    result = httpx.post(f"{url}/v1/analyze", json={"text": text}, timeout=60).json()
    return [f for f in result["findings"] if f["severity"] == "concern"]


def test_real_server_serves_the_api(server: LiveServer, tricky_review: str, sample_review: str) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready"
        r = client.post("/v1/analyze", json={"text": tricky_review})
        assert r.status_code == 200
        spans = [f for f in r.json()["findings"] if f["scope"] == "span"]
        assert len(spans) > 20
        for f in spans:
            assert tricky_review[f["offset"] : f["offset"] + f["length"]] == f["text"]
        r = client.post("/v1/analyze/batch", json={"texts": [sample_review, tricky_review]})
        assert [x["document"]["characters"] for x in r.json()["results"]] == [len(sample_review), len(tricky_review)]
        docx = make_docx([p for p in sample_review.split("\n\n") if p.strip()][:8])
        r = client.post("/v1/analyze/file", files={"file": ("review.docx", docx)})
        assert r.status_code == 200 and r.json()["findings"]
        r = client.post("/v1/analyze", json={"text": "x" * (TEXT_LIMIT + 1)})  # the limit set by environment
        assert r.status_code == 413 and r.json()["error"]["code"] == "text_too_large"
        r = client.post("/v1/analyze", content=b"x" * 600_000, headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
        assert client.get("/v1/models").json()["loaded"]["version"] == ready["model"].split()[-1]
        assert 'route="/v1/analyze",status="200"' in client.get("/metrics").text


def test_languagetool_client_against_the_server(server: LiveServer, sample_review: str) -> None:
    import language_tool_python

    # Astral characters (two UTF-16 units each) before every concern but none inside one: the client converts
    # offsets back to code points but not lengths.
    text = "Draft review\r\n📄👩\u200d👧😀\r\n\r\n" + sample_review.replace("\n", "\r\n")
    concerns = _concerns(server.url, text)
    spans = {(f["text"], f"REVIEWLENS_{f['label']}") for f in concerns if f["scope"] == "span"}
    assert spans
    with language_tool_python.LanguageTool("en-GB", remote_server=server.url) as tool:
        matches = tool.check(text)
    assert len(matches) == len(concerns)
    flag_rules = {f"REVIEWLENS_{f['label']}" for f in concerns if f["scope"] == "document"}
    got = set()
    for m in matches:
        hit = text[m.offset : m.offset + m.error_length]
        assert hit == m.sentence
        assert m.message and m.category.startswith("REVIEWLENS_")
        if m.rule_id not in flag_rules:
            got.add((hit, m.rule_id))
    assert got == spans


def test_languagetool_annotated_data_over_http(server: LiveServer, sample_review: str) -> None:
    paras = [p for p in sample_review.split("\n\n") if p.strip()][:12]
    parts: list[dict] = []
    for p in paras:
        parts += [{"markup": "<p class='💬'>", "interpretAs": ""}, {"text": p},
                  {"markup": "</p>", "interpretAs": "\n\n"}]
    original = "".join(p.get("text", p.get("markup", "")) for p in parts)
    plain = "".join(p.get("text", p.get("interpretAs", "")) for p in parts)
    spans = {f["text"] for f in _concerns(server.url, plain) if f["scope"] == "span"}
    assert spans
    r = httpx.post(f"{server.url}/v2/check", data={"data": json.dumps({"annotation": parts}), "language": "en-GB"},
                   timeout=60)
    assert r.status_code == 200
    units = original.encode("utf-16-le")
    hits = {units[2 * m["offset"] : 2 * (m["offset"] + m["length"])].decode("utf-16-le") for m in r.json()["matches"]}
    assert spans <= hits


def test_real_server_logs_no_text(server: LiveServer, sample_review: str) -> None:
    draft = f"The worker visited {MARKER} and accepted the account. " + sample_review[:3000]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        responses = [
            client.post("/v1/analyze", json={"text": draft}),
            client.post("/v1/analyze/batch", json={"texts": [draft]}),
            client.post("/v1/analyze/file", files={"file": ("d.txt", draft.encode())}),
            client.post("/v2/check", data={"text": draft, "language": "en-GB"}),
            client.post("/v1/analyze", json={"text": draft, "min_score": MARKER}),
            client.post("/v1/analyze", content=f'{{"text": "{MARKER}', headers={"content-type": "application/json"}),
            client.post("/v1/analyze", content=draft, headers={"content-type": "text/plain"}),
            client.post("/v1/analyze", json={"text": draft + "x" * TEXT_LIMIT}),
            client.post("/v1/analyze/file", files={"file": ("d.pdf", b"%PDF-1.4 " + draft.encode())}),
            client.post(f"/v2/check?text={MARKER}", data={"text": draft, "language": MARKER}),
            client.get(f"/v1/{MARKER}?q={MARKER}"),
        ]
        metrics = client.get("/metrics").text
    assert [r.status_code for r in responses[:4]] == [200] * 4
    for r in responses[4:]:
        assert r.status_code in (400, 404, 413, 415, 422), r.text
        assert MARKER not in r.text
    assert MARKER not in metrics
    time.sleep(0.5)
    log = server.log()
    assert "POST /v1/analyze 422" in log and "POST /v2/check 200" in log, "the access log is being written"
    assert MARKER not in log
