"""POST /v2/check: LanguageTool's request and response shapes, UTF-16 offsets and annotated text."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.serving.api.conftest import FLAG_DRAFT


def utf16_to_index(text: str, units: int) -> int:
    """The code-point index of a UTF-16 offset (what a Java client would send back)."""
    encoded = text.encode("utf-16-le")
    return len(encoded[: units * 2].decode("utf-16-le"))


def java_slice(text: str, offset: int, length: int) -> str:
    start = utf16_to_index(text, offset)
    return text[start : utf16_to_index(text, offset + length)]


def _concerns(client: TestClient, text: str) -> list[dict]:
    result = client.post("/v1/analyze", json={"text": text}).json()
    return [f for f in result["findings"] if f["severity"] == "concern"]


def test_check_returns_languagetool_matches_for_concerns(client: TestClient, tricky_review: str) -> None:
    r = client.post("/v2/check", data={"text": tricky_review, "language": "en-GB"})
    assert r.status_code == 200
    body = r.json()
    assert {"software", "language", "matches"} <= set(body)
    assert body["language"]["code"] == "en-GB"
    concerns = _concerns(client, tricky_review)
    spans = [f for f in concerns if f["scope"] == "span"]
    flag_rules = {f"REVIEWLENS_{f['label']}" for f in concerns if f["scope"] == "document"}
    assert len(body["matches"]) == len(concerns) and spans
    for m in body["matches"]:
        assert {"message", "shortMessage", "offset", "length", "replacements", "context", "sentence", "rule"} <= set(m)
        assert m["rule"]["id"].startswith("REVIEWLENS_") and m["rule"]["category"]["id"]
        # Offsets are UTF-16 code units into exactly the text sent (here after several astral emoji).
        assert java_slice(tricky_review, m["offset"], m["length"]) == m["sentence"]
        ctx = m["context"]
        assert java_slice(ctx["text"], ctx["offset"], ctx["length"]) == m["sentence"]
    flag_matches = [m for m in body["matches"] if m["rule"]["id"] in flag_rules]
    assert all(m["sentence"] == tricky_review.split("\r\n")[0] for m in flag_matches)
    span_matches = {(java_slice(tricky_review, m["offset"], m["length"]), m["rule"]["id"]) for m in body["matches"]
                    if m["rule"]["id"] not in flag_rules}
    assert span_matches == {(f["text"], f"REVIEWLENS_{f['label']}") for f in spans}
    # Before the first concern there are astral characters, so UTF-16 and code-point offsets really differ.
    first = min(f["offset"] for f in spans)
    assert len(tricky_review[:first].encode("utf-16-le")) // 2 > first


def test_document_flags_point_at_the_first_line(client: TestClient) -> None:
    text = "\r\n  \r\n" + FLAG_DRAFT.replace("\n", "\r\n")
    body = client.post("/v2/check", data={"text": text}).json()
    flags = {f"REVIEWLENS_{f['label']}" for f in _concerns(client, text) if f["scope"] == "document"}
    assert flags, "the sample raises at least one document flag"
    first = FLAG_DRAFT.split("\n")[0]
    at_first = [m for m in body["matches"] if m["rule"]["id"] in flags]
    assert len(at_first) == len(flags)
    # The first non-blank line, without its CRLF, so an editor underlines the title rather than nothing.
    assert all((m["offset"], m["length"], m["sentence"]) == (6, len(first), first) for m in at_first)


def test_annotated_data_maps_offsets_onto_the_markup(client: TestClient, sample_review: str) -> None:
    paras = [p for p in sample_review.split("\n\n") if p.strip()][:10]
    parts: list[dict] = [{"markup": "<html><body>"}]
    for i, p in enumerate(paras):
        parts += [{"markup": "<p>", "interpretAs": ""}, {"text": ("👪 " if i == 3 else "") + p},
                  {"markup": "</p>", "interpretAs": "\n\n"}]
    parts.append({"markup": "<img src='x.png' alt='😀'/>"})
    original = "".join(p.get("text", p.get("markup", "")) for p in parts)
    plain = "".join(p.get("text", p.get("interpretAs", "")) for p in parts)
    r = client.post("/v2/check", data={"data": json.dumps({"annotation": parts}), "language": "en-GB"})
    assert r.status_code == 200
    concerns = _concerns(client, plain)
    flag_rules = {f"REVIEWLENS_{f['label']}" for f in concerns if f["scope"] == "document"}
    matches = r.json()["matches"]
    assert len(matches) == len(concerns)
    spans = [m for m in matches if m["rule"]["id"] not in flag_rules]
    assert {java_slice(original, m["offset"], m["length"]) for m in spans} == {
        f["text"] for f in concerns if f["scope"] == "span"
    }, "the offsets index the markup string, as LanguageTool's do"
    first_text = paras[0].split("\n")[0]
    for m in matches:
        hit = java_slice(original, m["offset"], m["length"])
        assert "<" not in hit and ">" not in hit
        if m["rule"]["id"] in flag_rules:
            assert hit == first_text


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"language": "en-GB"}, 422, "empty_text"),
        ({"text": "  ", "language": "en-GB"}, 422, "empty_text"),
        ({"text": "The worker visited.", "language": "de-DE"}, 400, "unsupported_language"),
        ({"data": "{not json", "language": "en-GB"}, 422, "invalid_annotation"),
        ({"data": '{"annotation": {"text": "x"}}'}, 422, "invalid_annotation"),
        ({"data": '{"annotation": [{"neither": "x"}]}'}, 422, "invalid_annotation"),
        ({"data": '{"annotation": ["x"]}'}, 422, "invalid_annotation"),
        ({"data": '{"annotation": [{"markup": "<p \\udc00>"}, {"text": "The worker visited."}]}'}, 422,
         "invalid_annotation"),
        ({"data": '{"annotation": [{"text": "The worker \\ud800 visited."}]}'}, 422, "invalid_annotation"),
    ],
)
def test_bad_check_requests(client: TestClient, data: dict, status: int, code: str | None) -> None:
    r = client.post("/v2/check", data=data)
    assert r.status_code == status, r.text
    assert r.json()["error"]["message"]
    if code:
        assert r.json()["error"]["code"] == code


def test_invalid_utf8_in_the_form_is_not_a_server_error(client: TestClient) -> None:
    r = client.post("/v2/check", content=b"language=en-GB&text=The+worker+%FF%FE+visited.",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code < 500


def test_auto_language_and_multipart_form(client: TestClient) -> None:
    r = client.post("/v2/check", files={"text": (None, "The worker visited."), "language": (None, "auto")})
    assert r.status_code == 200
    assert r.json()["language"]["code"] == "en-GB"


def test_languages(client: TestClient) -> None:
    langs = client.get("/v2/languages").json()
    assert {"en-GB", "en-US"} <= {lang["longCode"] for lang in langs}
