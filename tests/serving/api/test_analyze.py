"""POST /v1/analyze, /v1/analyze/batch and /v1/analyze/file: the result schema and its offsets."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from reviewlens.models.schema import RESULT_SCHEMA_VERSION, AnalysisResult
from tests.serving.api.conftest import LONG_FLAG_DRAFT, make_docx, make_pdf


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
    flagged = AnalysisResult.model_validate(client.post("/v1/analyze", json={"text": LONG_FLAG_DRAFT}).json())
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


class _Marks(HTMLParser):
    """The highlighted sentences of a rendered page: (classes, findings ids, text without the label tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[tuple[list[str], list[str], str]] = []
        self._in_mark = False
        self._in_tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "mark" and "hl" in (a.get("class") or "").split():
            self._in_mark = True
            self.marks.append(((a.get("class") or "").split(), (a.get("data-findings") or "").split(), ""))
        elif self._in_mark and tag == "sup":
            self._in_tags += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup" and self._in_tags:
            self._in_tags -= 1
        elif tag == "mark":
            self._in_mark = False

    def handle_data(self, data: str) -> None:
        if self._in_mark and not self._in_tags:
            classes, ids, text = self.marks[-1]
            self.marks[-1] = (classes, ids, text + data)


def marks_of(page: str) -> list[tuple[list[str], list[str], str]]:
    parser = _Marks()
    parser.feed(page)
    return parser.marks


def test_html_by_accept_header_or_query(client: TestClient, sample_review: str) -> None:
    text = sample_review + "\n\nThe <b>team</b> & the family \"agreed\"."
    findings = _spans(client.post("/v1/analyze", json={"text": text}).json())
    for headers, params in (({"Accept": "text/html"}, {}), ({}, {"format": "html"})):
        r = client.post("/v1/analyze", json={"text": text}, headers=headers, params=params)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        page = r.text
        marks = marks_of(page)
        # One highlight per sentence, listing every finding on it (two themes share one highlight).
        assert len(marks) == len({f["offset"] for f in findings})
        assert sum(len(ids) for _, ids, _ in marks) == len(findings)
        assert {m[2] for m in marks} == {f["text"] for f in findings}
        assert "<b>team</b>" not in page and "&lt;b&gt;team&lt;/b&gt;" in page
        # Messages and questions are on the page itself, not in tooltips; labels are in plain words.
        assert 'title="' not in page
        assert all(html.escape(f["question"], quote=False) in page for f in findings)
        assert "Risk judgement without grounds" in page or "Narrates without explaining why" in page
    # ?format=json wins over a browser's Accept header.
    r = client.post("/v1/analyze", params={"format": "json"}, json={"text": text}, headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("application/json")


def test_two_themes_on_one_sentence_share_one_highlight(client: TestClient, sample_review: str) -> None:
    result = client.post("/v1/analyze", json={"text": sample_review}).json()
    spans = _spans(result)
    per_sentence: dict[int, list[str]] = {}
    for f in spans:
        per_sentence.setdefault(f["offset"], []).append(f["theme"])
    # One finding per sentence per theme.
    assert all(len(themes) == len(set(themes)) for themes in per_sentence.values())
    shared = {o for o, themes in per_sentence.items() if len(themes) > 1}
    assert shared, "the sample has sentences labelled in two themes"
    page = client.post("/v1/analyze?format=html", json={"text": sample_review}).text
    by_text = {text: (classes, ids) for classes, ids, text in marks_of(page)}
    for offset in shared:
        classes, ids = by_text[next(f["text"] for f in spans if f["offset"] == offset)]
        assert len(ids) == len(per_sentence[offset])
        assert {c.removeprefix("theme-") for c in classes if c.startswith("theme-")} == set(per_sentence[offset])


def test_plain_text_body(client: TestClient, sample_review: str) -> None:
    as_json = client.post("/v1/analyze", json={"text": sample_review}).json()
    r = client.post("/v1/analyze", content=sample_review.encode("utf-8"), headers={"content-type": "text/plain"})
    assert r.status_code == 200 and r.json() == as_json
    latin = "Analysis\n\nThe social worker visited Zoë at home and accepted her mother's account."
    r = client.post("/v1/analyze", content=latin.encode("latin-1"),
                    headers={"content-type": "text/plain; charset=ISO-8859-1"})
    assert r.status_code == 200 and r.json()["document"]["characters"] == len(latin)
    r = client.post("/v1/analyze", content=b"caf\xe9 visit", headers={"content-type": "text/plain"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_text"
    r = client.post("/v1/analyze?severity=concern&themes=risk_reasoning&format=html", content=sample_review.encode(),
                    headers={"content-type": "text/plain"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert {c for classes, _, _ in marks_of(r.text) for c in classes if c.startswith(("sev-", "theme-"))} == {
        "sev-concern", "theme-risk_reasoning"}


@pytest.mark.parametrize("where", ["body", "query"])
def test_severity_and_theme_filters(client: TestClient, sample_review: str, where: str) -> None:
    full = client.post("/v1/analyze", json={"text": sample_review}).json()
    assert {f["severity"] for f in full["findings"]} == {"concern", "strength", "info"}
    wanted = {"severity": ["concern", "strength"], "themes": ["analysis_depth", "risk_reasoning"]}
    if where == "body":
        r = client.post("/v1/analyze", json={"text": sample_review, **wanted})
        batch = client.post("/v1/analyze/batch", json={"texts": [sample_review], **wanted})
    else:
        r = client.post("/v1/analyze", json={"text": sample_review}, params=wanted)
        batch = client.post("/v1/analyze/batch", json={"texts": [sample_review]}, params=wanted)
    upload = client.post("/v1/analyze/file", files={"file": ("d.txt", sample_review.encode())}, params=wanted)
    expected = [f for f in full["findings"]
                if f["severity"] in wanted["severity"] and f["theme"] in wanted["themes"]]
    for result in (r.json(), batch.json()["results"][0], upload.json()):
        assert result["findings"] == expected
        # The overview still speaks of the whole review, whatever the filter shows.
        assert result["overview"] == full["overview"] or set(result["summary"]) != set(full["summary"])
    r = client.post("/v1/analyze", json={"text": sample_review}, params={"severity": "bad"})
    assert r.status_code == 422


def test_file_upload_as_html(client: TestClient, sample_review: str) -> None:
    for kwargs in ({"params": {"format": "html"}}, {"headers": {"Accept": "text/html"}}):
        r = client.post("/v1/analyze/file", files={"file": ("d.md", sample_review.encode())}, **kwargs)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert marks_of(r.text) and 'id="results"' in r.text
    r = client.post("/v1/analyze/file", files={"file": ("d.md", sample_review.encode())})
    assert r.headers["content-type"].startswith("application/json")


def test_overview_names_strengths_and_three_things_first(client: TestClient, sample_review: str) -> None:
    result = client.post("/v1/analyze", json={"text": sample_review}).json()
    overview = result["overview"]
    assert overview.startswith("What the review does well:")
    assert "Look first at: (1)" in overview and "(4)" not in overview
    concerns = [f for f in result["findings"] if f["severity"] == "concern"]
    assert (concerns and "(3)" in overview) or len({f["label"] for f in concerns}) < 3


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


def test_the_query_fills_what_the_body_leaves_unset(client: TestClient, sample_review: str) -> None:
    body_wins = client.post("/v1/analyze?severity=info", json={"text": sample_review, "severity": ["concern"]}).json()
    assert {f["severity"] for f in body_wins["findings"]} == {"concern"}
    high = client.post("/v1/analyze?min_score=0.9", json={"text": sample_review}).json()
    assert _spans(high) and all(f["score"] >= 0.9 for f in _spans(high))
    rapid = client.post("/v1/analyze?doc_kind=rapid_review", json={"text": sample_review}).json()
    assert rapid["document"]["doc_kind"] == "rapid_review"
