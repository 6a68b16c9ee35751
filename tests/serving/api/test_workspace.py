"""GET /, the rule pages and the offline docs, as HTML: open without a key, nothing fetched from elsewhere."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from reviewlens.models.labels import PLAIN_LABELS, THEMES
from reviewlens.models.rules import RULES

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_the_page_is_served_with_everything_inline(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert 'id="draft-input"' in page and 'id="file-input"' in page and "<script>" in page
    assert not EXTERNAL.search(page), "no CDN, font or script from elsewhere"
    assert 'id="api-key"' not in page, "no key field when the server needs none"


def test_with_api_keys_the_page_is_open_and_asks_for_a_key(make_client) -> None:
    client = make_client(api_keys=["k1"])
    r = client.get("/")
    assert r.status_code == 200 and 'id="api-key"' in r.text
    assert client.get("/rules").status_code == 200
    assert client.post("/v1/analyze", json={"text": "The worker visited."}).status_code == 401
    ok = client.post("/v1/analyze?format=html", json={"text": "The worker visited."}, headers={"X-API-Key": "k1"})
    assert ok.status_code == 200 and 'id="results"' in ok.text


def test_the_result_page_has_legend_filters_flags_and_exports(client: TestClient, sample_review: str) -> None:
    page = client.post("/v1/analyze?format=html", json={"text": sample_review}).text
    for theme in THEMES:
        assert f'value="{theme.name}"' in page and theme.title in page
    for severity in ("concern", "strength", "info"):
        assert f'name="severity" value="{severity}"' in page
    for label in PLAIN_LABELS.values():
        assert label in page, "the legend names every label in plain words"
    assert 'data-export="md"' in page and 'data-export="csv"' in page and 'data-export="json"' in page
    assert 'id="flags"' in page and 'class="evidence-link"' in page
    assert "@media print" in page
    assert not EXTERNAL.search(page)


def test_a_sentence_cannot_break_out_of_the_embedded_data(client: TestClient) -> None:
    text = "Analysis\n\nThe worker wrote </script><script>alert(1)</script> in the file and closed the case."
    page = client.post("/v1/analyze?format=html", json={"text": text}).text
    assert "<script>alert(1)" not in page


def test_every_rule_has_a_page(client: TestClient) -> None:
    index = client.get("/rules").text
    for rule in RULES.values():
        assert f"/rules/{rule.id}" in index
        r = client.get(f"/rules/{rule.id}")
        assert r.status_code == 200 and rule.title in r.text and rule.category_id in r.text
        for example in rule.examples:
            assert example.sentence.replace("'", "&#39;") in r.text
    assert client.get("/rules/REVIEWLENS_DESCRIPTIVE").text.count("<blockquote>") >= 2
    assert client.get("/rules/NOPE").status_code == 404


def test_docs_load_their_assets_from_this_server(client: TestClient) -> None:
    for path, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        page = client.get(path).text
        assert f"/static/docs/{asset}" in page
        assert "cdn" not in page.lower() and "fonts.googleapis" not in page
        assert client.get(f"/static/docs/{asset}").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {t["name"] for t in spec["tags"]} >= {"analyze", "languagetool", "system"}
    body = spec["paths"]["/v1/analyze"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/plain"} <= set(body)
    assert body["application/json"]["schema"]["examples"] and body["text/plain"]["example"]
    severity = spec["paths"]["/v1/analyze/file"]["post"]["parameters"]
    names = {p["name"] for p in severity}
    assert {"severity", "themes", "format", "doc_kind"} <= names
    assert "get" in spec["paths"]["/v2/check"] and "post" in spec["paths"]["/v2/check"]
