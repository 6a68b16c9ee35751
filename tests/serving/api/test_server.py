"""The real server: `reviewlens serve` under uvicorn on a loopback port, called over HTTP with httpx and with the
third-party LanguageTool client."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

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


def _sentences(findings: list[dict]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in findings:
        if f["scope"] == "span":
            out.setdefault(f["text"], set()).add(f"REVIEWLENS_{f['label']}")
    return out


def test_languagetool_client_against_the_server(server: LiveServer, sample_review: str) -> None:
    import language_tool_python

    # Astral characters (two UTF-16 units each) before every concern but none inside one: the client converts
    # offsets back to code points but not lengths.
    text = "Draft review\r\n📄👩\u200d👧😀\r\n\r\n" + sample_review.replace("\n", "\r\n")
    concerns = _concerns(server.url, text)
    sentences = _sentences(concerns)
    assert sentences
    flag_rules = {f"REVIEWLENS_{f['label']}" for f in concerns if f["scope"] == "document"}
    with language_tool_python.LanguageTool("en-GB", remote_server=server.url) as tool:
        matches = tool.check(text)
        # One match per sentence: several themes on one sentence are merged into its message.
        assert len(matches) == len(sentences) + len(flag_rules)
        got = {}
        for m in matches:
            hit = text[m.offset : m.offset + m.error_length]
            assert hit == m.sentence
            assert m.message and m.category.startswith("REVIEWLENS_")
            assert "\n" not in m.context
            if m.rule_id not in flag_rules:
                assert m.rule_id in sentences[hit]
                got[hit] = m.rule_id
        assert set(got) == set(sentences)

        # The editor's "ignore this rule": a disabled rule is gone; sentences with another concern stay.
        tool.disabled_rules = {"REVIEWLENS_DESCRIPTIVE"}
        without = tool.check(text)
        assert without and all(m.rule_id != "REVIEWLENS_DESCRIPTIVE" for m in without)
        assert {m.sentence for m in without} == {s for s, rules in sentences.items()
                                                 if rules - {"REVIEWLENS_DESCRIPTIVE"}} | (
            {m.sentence for m in matches if m.rule_id in flag_rules})
        tool.disabled_rules = set()
        tool.disabled_categories = {"REVIEWLENS_RISK_REASONING"}
        assert all(not m.rule_id.startswith("REVIEWLENS_RISK") for m in tool.check(text))
        tool.disabled_categories = set()
        tool.picky = True
        picky = tool.check(text)
        assert {"REVIEWLENS_ANALYTICAL", "REVIEWLENS_RISK_REASONED"} & {m.rule_id for m in picky}
        tool.picky = False
        tool.enabled_rules = {"REVIEWLENS_RISK_UNSUPPORTED"}
        tool.enabled_rules_only = True
        only = tool.check(text)
        assert only and {m.rule_id for m in only} == {"REVIEWLENS_RISK_UNSUPPORTED"}
        tool.enabled_rules = set()
        tool.enabled_categories = {"REVIEWLENS_CULTURAL_COMPETENCE"}
        assert {m.category for m in tool.check(text)} <= {"REVIEWLENS_CULTURAL_COMPETENCE"}


def test_pylanguagetool_against_the_server(server: LiveServer, sample_review: str, tmp_path) -> None:
    from pylanguagetool import api

    api_url = f"{server.url}/v2/"
    text = sample_review
    default = api.check(text, api_url, "en-GB")["matches"]
    rules = {m["rule"]["id"] for m in default}
    assert "REVIEWLENS_DESCRIPTIVE" in rules
    for m in default:
        ctx = m["context"]
        # The caret line pylanguagetool prints under the context lines up only if the context has no line breaks.
        assert "\n" not in ctx["text"]
        assert ctx["text"][ctx["offset"] : ctx["offset"] + ctx["length"]] == m["sentence"].replace("\n", " ")
        url = m["rule"]["urls"][0]["value"]
        assert url.startswith(server.url) and httpx.get(url, timeout=30).status_code == 200
    disabled = api.check(text, api_url, "en-GB", disabled_rules="REVIEWLENS_DESCRIPTIVE")["matches"]
    assert disabled and "REVIEWLENS_DESCRIPTIVE" not in {m["rule"]["id"] for m in disabled}
    no_depth = api.check(text, api_url, "en-GB", disabled_categories="REVIEWLENS_ANALYSIS_DEPTH")["matches"]
    assert no_depth and all(m["rule"]["category"]["id"] != "REVIEWLENS_ANALYSIS_DEPTH" for m in no_depth)
    picky = api.check(text, api_url, "en-GB", picky=True)["matches"]
    assert len(picky) > len(default)
    only = api.check(text, api_url, "en-GB", enabled_categories="REVIEWLENS_RISK_REASONING", enabled_only=True)
    assert only["matches"] and {m["rule"]["category"]["id"] for m in only["matches"]} == {"REVIEWLENS_RISK_REASONING"}
    enabled = api.check(text, api_url, "en-GB", enabled_rules="REVIEWLENS_RISK_REASONED")["matches"]
    assert "REVIEWLENS_RISK_REASONED" in {m["rule"]["id"] for m in enabled}

    # The command line, as a reviewer would run it: each caret line sits under its highlighted sentence.
    draft = tmp_path / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    out = subprocess.run(
        [str(Path(sys.executable).parent / "pylanguagetool"), "--api-url", api_url, "--lang", "en-GB", "--no-color",
         "-r", "--disabled-rules", "REVIEWLENS_DESCRIPTIVE", str(draft)],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout
    lines = out.splitlines()
    carets = [i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"^"}]
    assert len(carets) == len(disabled) and "REVIEWLENS_DESCRIPTIVE:" not in out
    assert "REVIEWLENS_RISK_UNSUPPORTED:" in out
    for i in carets:
        context, caret = lines[i - 1], lines[i]
        start = len(caret) - len(caret.lstrip())
        marked = context[start : start + len(caret.strip())]
        # The carets cover exactly one of the sentences reported (line breaks shown as spaces).
        assert marked in {m["sentence"].replace("\n", " ") for m in disabled}, (context, caret)


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
            client.post("/v1/analyze", content=draft, headers={"content-type": "text/plain"}),
            client.get("/v2/check", params={"text": draft, "language": "en-GB"}),
            client.post("/v1/analyze", json={"text": draft, "min_score": MARKER}),
            client.post("/v1/analyze", content=f'{{"text": "{MARKER}', headers={"content-type": "application/json"}),
            client.post("/v1/analyze", content=draft, headers={"content-type": "application/xml"}),
            client.post("/v1/analyze", json={"text": draft + "x" * TEXT_LIMIT}),
            client.post("/v1/analyze/file", files={"file": ("d.pdf", b"%PDF-1.4 " + draft.encode())}),
            client.post(f"/v2/check?text={MARKER}", data={"text": draft, "language": MARKER}),
            client.get(f"/v1/{MARKER}?q={MARKER}"),
        ]
        metrics = client.get("/metrics").text
    assert [r.status_code for r in responses[:6]] == [200] * 6
    for r in responses[6:]:
        assert r.status_code in (400, 404, 413, 415, 422), r.text
        assert MARKER not in r.text
    assert MARKER not in metrics
    time.sleep(0.5)
    log = server.log()
    assert "POST /v1/analyze 422" in log and "POST /v2/check 200" in log, "the access log is being written"
    assert MARKER not in log


def _counter(metrics: str, name: str) -> float:
    """The fast tier's value of a metric labelled by tier (the server under test serves the fast tier alone)."""
    line = next(line for line in metrics.splitlines() if line.startswith(name + '{tier="fast"} '))
    return float(line.rsplit(" ", 1)[1])


def test_a_recheck_is_served_from_the_score_cache(server: LiveServer, sample_review: str) -> None:
    def scrape() -> tuple[float, float, float]:
        text = httpx.get(f"{server.url}/metrics", timeout=30).text
        assert "Zanzibarquokka" not in text
        return tuple(  # type: ignore[return-value]
            _counter(text, f"reviewlens_score_cache_{name}") for name in ("hits_total", "misses_total", "entries")
        )

    hits0, misses0, _ = scrape()
    # A sentence no other test sends, so the first check must score at least it.
    draft = sample_review + "\n\nZanzibarquokka's case was closed in May."
    first = httpx.post(f"{server.url}/v2/check", data={"text": draft, "language": "en-GB"}, timeout=60)
    hits1, misses1, entries1 = scrape()
    second = httpx.post(f"{server.url}/v2/check", data={"text": draft, "language": "en-GB"}, timeout=60)
    hits2, misses2, _ = scrape()
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    sentences = (hits1 - hits0) + (misses1 - misses0)
    assert misses1 - misses0 >= 1 and sentences > 10 and entries1 >= misses1 - misses0
    # The re-check scored nothing: every sentence came from the cache.
    assert misses2 == misses1 and hits2 - hits1 == sentences
