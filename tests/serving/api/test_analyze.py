"""POST /v1/analyze, /v1/analyze/batch and /v1/analyze/file: the result schema and its offsets."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from reviewlens.models.schema import RESULT_SCHEMA_VERSION, AnalysisResult
from tests.serving.api.conftest import FLAG_DRAFT, make_docx, make_pdf


def _spans(result: dict) -> list[dict]:
    return [f for f in result["findings"] if f["scope"] == "span"]


def test_analyze_returns_the_versioned_result_schema(client: TestClient, sample_review: str, analyzer) -> None:
    r = client.post("/v1/analyze", json={"text": sample_review})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    result = AnalysisResult.model_validate(body)  # extra="forbid": no stray or missing fields
    assert result.schema_version == RESULT_SCHEMA_VERSION
    assert result.offset_unit == "codepoint"
    assert result.model.name == analyzer.model.name and result.model.version == analyzer.model.version
    assert result.model.label_schema == analyzer.model.label_schema
    assert result.document.characters == len(sample_review)
    assert result.document.sections, "the sample review has headings"
    assert set(result.summary) == {"analysis_depth", "cultural_competence", "risk_reasoning"}
    spans = [f for f in result.findings if f.scope == "span"]
    assert spans and all(f.message and f.short_message and f.question for f in spans)
    assert {f.severity for f in spans} <= {"concern", "strength", "info"}
    flagged = AnalysisResult.model_validate(client.post("/v1/analyze", json={"text": FLAG_DRAFT}).json())
    docs = [f for f in flagged.findings if f.scope == "document"]
    assert docs and all(f.evidence for f in docs), "document findings carry their evidence"
    assert {f.label for f in docs} <= {f.id for f in flagged.flags if f.status == "raised"}
    # The API result is exactly what the library computes.
    assert body == analyzer.analyze(sample_review).model_dump(mode="json")


def test_offsets_index_the_exact_text_sent(client: TestClient, tricky_review: str) -> None:
    assert "\r\n" in tricky_review and "\t" in tricky_review
    r = client.post("/v1/analyze", json={"text": tricky_review})
    assert r.status_code == 200
    body = r.json()
    assert body["document"]["characters"] == len(tricky_review)
    spans = _spans(body)
    assert len(spans) > 20
    for f in spans:
        assert tricky_review[f["offset"] : f["offset"] + f["length"]] == f["text"]
    # The awkward characters really are inside findings, not only around them.
    assert any("🧕🏽" in f["text"] for f in spans)
    assert any("\u0308" in f["text"] for f in spans)
    assert any("\t" in tricky_review[: f["offset"]] for f in spans)
    for s in body["document"]["sections"]:
        assert 0 <= s["offset"] <= s["offset"] + s["length"] <= len(tricky_review)


def test_themes_and_min_score_filter(client: TestClient, sample_review: str) -> None:
    full = client.post("/v1/analyze", json={"text": sample_review}).json()
    only = client.post("/v1/analyze", json={"text": sample_review, "themes": ["risk_reasoning"]}).json()
    assert {f["theme"] for f in only["findings"]} == {"risk_reasoning"}
    assert set(only["summary"]) == {"risk_reasoning"}
    assert {f["theme"] for f in full["findings"]} > {"risk_reasoning"}
    scores = sorted(f["score"] for f in _spans(full))
    cut = scores[len(scores) // 2]
    high = client.post("/v1/analyze", json={"text": sample_review, "min_score": cut}).json()
    assert _spans(high) and all(f["score"] >= cut for f in _spans(high))
    assert len(_spans(high)) < len(_spans(full))


def test_html_by_accept_header_or_query(client: TestClient, sample_review: str) -> None:
    text = sample_review + "\n\nThe <b>team</b> & the family \"agreed\"."
    findings = _spans(client.post("/v1/analyze", json={"text": text}).json())
    for headers, params in (({"Accept": "text/html"}, {}), ({}, {"format": "html"})):
        r = client.post("/v1/analyze", json={"text": text}, headers=headers, params=params)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        page = r.text
        marks = re.findall(r"<mark class=\"(\w+)\"[^>]*>(.*?)<span", page, flags=re.S)
        assert len(marks) == len({f["offset"] for f in findings})
        assert {html.unescape(m[1]) for m in marks} == {f["text"] for f in findings}
        assert "<b>team</b>" not in page and "&lt;b&gt;team&lt;/b&gt;" in page
    # ?format=json wins over a browser's Accept header.
    r = client.post("/v1/analyze", params={"format": "json"}, json={"text": text}, headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("application/json")


def test_batch_keeps_order_and_matches_single_results(client: TestClient, sample_review: str) -> None:
    parts = sample_review.split("\n\n")
    texts = ["\n\n".join(parts[:6]), "\n\n".join(parts[6:]), sample_review, parts[2]]
    r = client.post("/v1/analyze/batch", json={"texts": texts, "themes": ["analysis_depth"]})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["document"]["characters"] for x in results] == [len(t) for t in texts]
    for text, result in zip(texts, results, strict=True):
        single = client.post("/v1/analyze", json={"text": text, "themes": ["analysis_depth"]}).json()
        assert result == single
        for f in _spans(result):
            assert text[f["offset"] : f["offset"] + f["length"]] == f["text"]


def test_batch_limit_and_empty_member(make_client) -> None:
    client = make_client(max_batch=2)
    assert client.post("/v1/analyze/batch", json={"texts": ["A visit.", "B visit."]}).status_code == 200
    r = client.post("/v1/analyze/batch", json={"texts": ["A visit.", "B visit.", "C visit."]})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "batch_too_large"
    r = client.post("/v1/analyze/batch", json={"texts": ["A visit.", "  \n"]})
    assert r.status_code == 422
    assert "texts[1]" in r.json()["error"]["message"]
    assert client.post("/v1/analyze/batch", json={"texts": []}).status_code == 422


def _pages_of(paras: list[str], budget: int = 1500) -> list[str]:
    pages: list[list[str]] = [[]]
    for p in paras:
        if pages[-1] and sum(map(len, pages[-1])) + len(p) > budget:
            # Carry a trailing heading over, so no page ends with a heading that belongs to the next page.
            carried = [pages[-1].pop()] if len(pages[-1][-1]) < 40 else []
            pages.append(carried)
        pages[-1].append(p)
    return ["\n\n".join(p) for p in pages]


def test_pdf_upload_gives_page_numbers(client: TestClient, sample_review: str) -> None:
    paras = [p for p in sample_review.split("\n\n") if p.strip()]
    pages = _pages_of(paras)[:4]
    assert len(pages) == 4
    r = client.post("/v1/analyze/file", files={"file": ("review.pdf", make_pdf(pages), "application/pdf")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["document"]["pages"] == 4
    spans = _spans(body)
    assert len({f["page"] for f in spans}) >= 3 and {f["page"] for f in spans} <= {1, 2, 3, 4}
    flat = [" ".join(p.split()) for p in pages]
    for f in spans:
        # Each finding's sentence is on the page it names (PDF text reflows, so compare words).
        head = " ".join(f["text"].split()[:6])
        assert head in flat[f["page"] - 1], (f["page"], head)


def test_docx_and_txt_uploads(client: TestClient, sample_review: str) -> None:
    paras = [p for p in sample_review.split("\n\n") if p.strip()][:12]
    r = client.post(
        "/v1/analyze/file",
        files={"file": ("review.docx", make_docx(paras), "application/octet-stream")},
        params={"doc_kind": "lcspr"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["document"]["doc_kind"] == "lcspr"
    assert body["document"]["pages"] is None
    assert len(_spans(body)) > 5 and all(f["page"] is None for f in _spans(body))
    txt = "\n\n".join(paras).encode()
    r = client.post("/v1/analyze/file", files={"file": ("review.TXT", txt, "text/plain")})
    assert r.status_code == 200
    assert r.json()["findings"] == client.post("/v1/analyze", json={"text": "\n\n".join(paras)}).json()["findings"]
