"""POST /v2/check: LanguageTool's request and response shapes, UTF-16 offsets and annotated text."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from reviewlens.models.labels import PLAIN_LABELS
from reviewlens.models.rules import RULES
from tests.serving.api.conftest import FLAG_DRAFT, LONG_FLAG_DRAFT


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


def _by_sentence(findings: list[dict]) -> dict[str, set[str]]:
    """Span findings' sentence text → the rule ids on it."""
    out: dict[str, set[str]] = {}
    for f in findings:
        if f["scope"] == "span":
            out.setdefault(f["text"], set()).add(f"REVIEWLENS_{f['label']}")
    return out


def test_check_returns_one_match_per_concern_sentence(client: TestClient, tricky_review: str) -> None:
    r = client.post("/v2/check", data={"text": tricky_review, "language": "en-GB"})
    assert r.status_code == 200
    body = r.json()
    assert {"software", "language", "matches"} <= set(body)
    assert body["language"]["code"] == "en-GB"
    concerns = _concerns(client, tricky_review)
    sentences = _by_sentence(concerns)
    flag_rules = {f"REVIEWLENS_{f['label']}" for f in concerns if f["scope"] == "document"}
    assert len(body["matches"]) == len(sentences) + len(flag_rules) and sentences
    merged = 0
    for m in body["matches"]:
        assert {"message", "shortMessage", "offset", "length", "replacements", "context", "sentence", "rule"} <= set(m)
        rule = m["rule"]
        assert rule["id"].startswith("REVIEWLENS_") and rule["category"]["id"].startswith("REVIEWLENS_")
        assert rule["description"] and rule["urls"][0]["value"].endswith(f"/rules/{rule['id']}")
        # Offsets are UTF-16 code units into exactly the text sent (here after several astral emoji).
        assert java_slice(tricky_review, m["offset"], m["length"]) == m["sentence"]
        ctx = m["context"]
        assert "\n" not in ctx["text"] and "\r" not in ctx["text"]
        assert java_slice(ctx["text"], ctx["offset"], ctx["length"]) == m["sentence"].replace("\r", " ").replace(
            "\n", " ")
        if rule["id"] in flag_rules:
            continue
        rules = sentences[m["sentence"]]
        assert rule["id"] in rules
        if len(rules) > 1:
            merged += 1
            # Themes merged into one message: each finding's plain title is in it.
            assert all(PLAIN_LABELS[r.removeprefix("REVIEWLENS_")] in m["message"] for r in rules)
            assert len(m["shortMessage"].split(" · ")) == len(rules)
    assert {m["sentence"] for m in body["matches"] if m["rule"]["id"] not in flag_rules} == set(sentences)
    assert merged, "the sample has sentences with concerns in two themes"
    # Before the first concern there are astral characters, so UTF-16 and code-point offsets really differ.
    first = min(f["offset"] for f in concerns if f["scope"] == "span")
    assert len(tricky_review[:first].encode("utf-16-le")) // 2 > first


def test_document_flags_point_at_the_first_line(client: TestClient, sample_review: str) -> None:
    text = "\r\n  \r\n" + sample_review.replace("\n", "\r\n")
    body = client.post("/v2/check", data={"text": text}).json()
    flags = {f"REVIEWLENS_{f['label']}" for f in _concerns(client, text) if f["scope"] == "document"}
    assert flags, "the sample raises at least one document flag"
    first = sample_review.split("\n")[0]
    at_first = [m for m in body["matches"] if m["rule"]["id"] in flags]
    assert len(at_first) == len(flags)
    # The first non-blank line, without its CRLF, so an editor underlines the title rather than nothing.
    assert all((m["offset"], m["length"], m["sentence"]) == (6, len(first), first) for m in at_first)


def test_short_checks_carry_no_document_flags(client: TestClient) -> None:
    # An editor checking one paragraph must not hear that the review records no ethnicity: below the minimum
    # length the flags are not judged at all (insufficient_text), by /v1 and /v2 alike.
    analysed = client.post("/v1/analyze", json={"text": FLAG_DRAFT}).json()
    ethnicity = next(f for f in analysed["flags"] if f["id"] == "ETHNICITY_NOT_RECORDED")
    assert ethnicity["status"] == "insufficient_text"
    body = client.post("/v2/check", data={"text": FLAG_DRAFT}).json()
    flag_ids = {f"REVIEWLENS_{f['id']}" for f in analysed["flags"]}
    assert body["matches"] and not [m for m in body["matches"] if m["rule"]["id"] in flag_ids]
    # A whole review is judged, and the editor hears the same flag /v1 raises.
    long = client.post("/v1/analyze", json={"text": LONG_FLAG_DRAFT}).json()
    raised = {f"REVIEWLENS_{f['id']}" for f in long["flags"] if f["status"] == "raised"}
    assert "REVIEWLENS_ETHNICITY_NOT_RECORDED" in raised
    rules = {m["rule"]["id"] for m in client.post("/v2/check", data={"text": LONG_FLAG_DRAFT}).json()["matches"]}
    assert "REVIEWLENS_ETHNICITY_NOT_RECORDED" in rules


def _rules(client: TestClient, text: str, method: str = "post", **params: str) -> list[str]:
    fields = {"text": text, "language": "en-GB", **params}
    r = client.post("/v2/check", data=fields) if method == "post" else client.get("/v2/check", params=fields)
    assert r.status_code == 200, r.text
    return [m["rule"]["id"] for m in r.json()["matches"]]


@pytest.mark.parametrize("method", ["post", "get"])
def test_rule_parameters_are_honoured(client: TestClient, sample_review: str, method: str) -> None:
    default = _rules(client, sample_review, method)
    assert "REVIEWLENS_DESCRIPTIVE" in default and "REVIEWLENS_RISK_UNSUPPORTED" in default
    assert not {"REVIEWLENS_ANALYTICAL", "REVIEWLENS_RISK_REASONED"} & set(default), "strengths are off by default"
    # disabledRules: an editor's "ignore this rule" removes it everywhere.
    without = _rules(client, sample_review, method, disabledRules="REVIEWLENS_DESCRIPTIVE")
    assert "REVIEWLENS_DESCRIPTIVE" not in without and "REVIEWLENS_RISK_UNSUPPORTED" in without
    # disabledCategories: a whole theme off.
    no_risk = _rules(client, sample_review, method, disabledCategories="REVIEWLENS_RISK_REASONING")
    assert no_risk and not any(r.startswith("REVIEWLENS_RISK") for r in no_risk)
    # level=picky adds the strengths.
    picky = _rules(client, sample_review, method, level="picky")
    assert {"REVIEWLENS_ANALYTICAL", "REVIEWLENS_RISK_REASONED"} <= set(picky) and len(picky) > len(default)
    # enabledRules switches on one strength rule without the others.
    one = _rules(client, sample_review, method, enabledRules="REVIEWLENS_ANALYTICAL")
    assert "REVIEWLENS_ANALYTICAL" in one and "REVIEWLENS_RISK_REASONED" not in one
    # enabledOnly with enabledRules / enabledCategories: nothing else.
    only = _rules(client, sample_review, method, enabledOnly="true", enabledRules="REVIEWLENS_RISK_UNSUPPORTED")
    assert only and set(only) == {"REVIEWLENS_RISK_UNSUPPORTED"}
    cat = _rules(client, sample_review, method, enabledOnly="true", enabledCategories="REVIEWLENS_RISK_REASONING")
    assert cat and {r for r in cat} <= {"REVIEWLENS_RISK_UNSUPPORTED", "REVIEWLENS_RISK_REASONED",
                                        "REVIEWLENS_RISK_REASONING_WEAK"}
    assert "REVIEWLENS_RISK_REASONED" in cat, "an enabled category includes its strength rule"


def test_enabled_only_needs_something_enabled(client: TestClient) -> None:
    r = client.post("/v2/check", data={"text": "The worker visited.", "enabledOnly": "true"})
    assert r.status_code == 400 and r.json()["error"]["message"]


def test_rule_urls_explain_the_rule(client: TestClient, sample_review: str) -> None:
    matches = client.post("/v2/check", data={"text": sample_review, "level": "picky"}).json()["matches"]
    urls = {m["rule"]["urls"][0]["value"] for m in matches}
    assert len(urls) >= 4
    for url in urls:
        page = client.get(url.removeprefix("http://testserver"))
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        rule = RULES[url.rsplit("/", 1)[-1]]
        assert str(escape(rule.explanation)) in page.text
        assert rule.kind == "document" or "Examples from the annotation guideline" in page.text


def test_a_match_ends_before_a_following_closing_tag(client: TestClient) -> None:
    parts = [{"markup": "<p>", "interpretAs": ""}, {"text": "Analysis"}, {"markup": "</p>", "interpretAs": "\n\n"},
             {"markup": "<p>", "interpretAs": ""},
             {"text": "The social worker accepted the mother's account and closed the case."},
             {"markup": "</b>"}, {"markup": "</p>", "interpretAs": "\n\n"}]
    original = "".join(p.get("text", p.get("markup", "")) for p in parts)
    body = client.post("/v2/check", data={"data": json.dumps({"annotation": parts})}).json()
    assert body["matches"]
    for m in body["matches"]:
        hit = java_slice(original, m["offset"], m["length"])
        assert hit == m["sentence"] and not hit.endswith(">")


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
    spans = [m for m in matches if m["rule"]["id"] not in flag_rules]
    assert len(spans) == len(_by_sentence(concerns))
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


@pytest.mark.parametrize("multipart", [False, True])
def test_a_draft_over_one_mebibyte_is_checked(make_client, multipart: bool) -> None:
    """Issue 12 defect 7: Starlette's 1 MiB form-field cap refused legal drafts with a generic 400; and a single
    paragraph over spaCy's default 1,000,000-character limit must still be segmented."""
    client = make_client(max_text_chars=1_200_000, request_timeout_s=300)
    text = "The social worker visited the family and saw the baby. " * 20_000
    assert 1_048_576 < len(text) <= 1_200_000
    if multipart:
        r = client.post("/v2/check", files={"text": (None, text), "language": (None, "en-GB")})
    else:
        r = client.post("/v2/check", data={"text": text, "language": "en-GB"})
    assert r.status_code == 200, r.text[:300]
    assert isinstance(r.json()["matches"], list)


def test_offsets_count_utf16_units_after_astral_characters(client: TestClient) -> None:
    # LanguageTool clients are Java or JavaScript: an emoji before a match moves it by two units, not one.
    text = "Mum 😀 said the baby was fine. 𝒜 The case was closed. The plan was ended without a visit."
    r = client.post("/v2/check", data={"text": text, "language": "en-GB", "level": "picky"})
    assert r.status_code == 200
    matches = [m for m in r.json()["matches"] if m["sentence"] in text]
    assert any(text.index(m["sentence"]) > text.index("😀") for m in matches)
    for match in matches:
        start = match["offset"]
        sentence = match["sentence"]
        code_points = text.index(sentence)
        astral_before = sum(1 for ch in text[:code_points] if ord(ch) > 0xFFFF)
        assert start == code_points + astral_before
        assert match["length"] == len(sentence) + sum(1 for ch in sentence if ord(ch) > 0xFFFF)
