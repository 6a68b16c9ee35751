"""Draft text never reaches logs, metrics, disk or error responses."""

from __future__ import annotations

import json
import tempfile

import pytest
from fastapi.testclient import TestClient

from tests.serving.api.conftest import MARKER, BrokenAnalyzer, SlowAnalyzer, make_docx

CLIENT_LOGGERS = ("httpx", "httpcore")
DRAFT = (
    f"Analysis\n\nThe social worker visited {MARKER} at home and noted the room was tidy. "
    f"Professionals accepted the mother's account of {MARKER} without checking it. "
    "The family are of Bangladeshi heritage."
)


def _requests(limit: int) -> list[tuple[str, str, dict]]:
    """One request per route and per kind of failure, each carrying the marker."""
    annotation = json.dumps({"annotation": [{"markup": f"<p title='{MARKER}'>"}, {"text": DRAFT}]})
    return [
        ("POST", "/v1/analyze", {"json": {"text": DRAFT}}),
        ("POST", "/v1/analyze?format=html", {"json": {"text": DRAFT}}),
        ("POST", "/v1/analyze/batch", {"json": {"texts": [DRAFT, DRAFT]}}),
        ("POST", "/v1/analyze/file", {"files": {"file": ("draft.txt", DRAFT.encode(), "text/plain")}}),
        ("POST", "/v1/analyze/file", {"files": {"file": ("draft.docx", make_docx([DRAFT]), "application/zip")}}),
        ("POST", "/v2/check", {"data": {"text": DRAFT, "language": "en-GB"}}),
        ("POST", "/v2/check", {"data": {"data": annotation, "language": "en-GB"}}),
        ("POST", "/v1/analyze?severity=concern", {"content": DRAFT, "headers": {"content-type": "text/plain"}}),
        ("POST", "/v1/analyze/file?format=html", {"files": {"file": ("draft.txt", DRAFT.encode(), "text/plain")}}),
        ("GET", "/v2/check", {"params": {"text": DRAFT, "level": "picky", "disabledRules": "REVIEWLENS_DESCRIPTIVE"}}),
        ("GET", "/", {}),
        # Failures: validation, malformed JSON, wrong type, too large, bad file, bad language, unknown route.
        ("POST", "/v1/analyze", {"json": {"text": DRAFT, "min_score": MARKER}}),
        ("POST", "/v1/analyze", {"json": {"text": DRAFT, "themes": [MARKER]}}),
        ("POST", "/v1/analyze", {"json": {"txt": DRAFT}}),
        ("POST", "/v1/analyze", {"content": f'{{"text": "{MARKER}', "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/analyze", {"content": DRAFT, "headers": {"content-type": "application/xml"}}),
        ("POST", "/v1/analyze", {"content": DRAFT.encode() + b"\xff", "headers": {"content-type": "text/plain"}}),
        ("POST", f"/v1/analyze?severity={MARKER}", {"content": DRAFT, "headers": {"content-type": "text/plain"}}),
        ("GET", f"/v2/check?level={MARKER}&enabledOnly=true", {"params": {"text": DRAFT}}),
        ("GET", f"/rules/{MARKER}", {}),
        ("POST", "/v1/analyze", {"json": {"text": DRAFT + "x" * limit}}),
        ("POST", "/v1/analyze/batch", {"json": {"texts": [DRAFT] * 50}}),
        ("POST", "/v1/analyze/batch", {"content": json.dumps({"texts": [DRAFT, f"{MARKER}\ud800"]}),
                                       "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/analyze/file", {"files": {"file": ("draft.pdf", b"%PDF-1.4\n" + DRAFT.encode())}}),
        ("POST", "/v1/analyze/file", {"files": {"file": ("draft.docx", DRAFT.encode(), "application/zip")}}),
        ("POST", "/v1/analyze/file", {"files": {"file": ("draft.txt", DRAFT.encode() + b"\x00", "text/plain")}}),
        ("POST", f"/v1/analyze/file?doc_kind={MARKER}", {"files": {"file": ("draft.txt", DRAFT.encode())}}),
        ("POST", "/v2/check", {"data": {"text": DRAFT, "language": f"fr-{MARKER}"}}),
        ("POST", "/v2/check", {"data": {"text": DRAFT + "x" * limit}}),
        ("POST", "/v2/check", {"data": {"data": f'{{"annotation": [{{"text": "{MARKER}"'}}),
        ("POST", f"/v1/analyze?format={MARKER}", {"json": {"text": DRAFT}}),
        ("POST", f"/v1/{MARKER}", {"json": {"text": DRAFT}}),
        ("GET", f"/v1/analyze?text={MARKER}", {}),
    ]


def _assert_private(responses, logs: pytest.LogCaptureFixture, metrics: str) -> None:
    for r in responses:
        if r.status_code >= 400:
            assert MARKER not in r.text, (r.request.method, str(r.request.url), r.text)
    # The test's own HTTP client logs the URLs it requests; that is the caller's log, not the service's.
    records = [r for r in logs.records if not r.name.startswith(CLIENT_LOGGERS)]
    assert any(r.name.startswith("reviewlens") for r in records), "nothing logged, so the check proves nothing"
    for record in records:
        assert MARKER not in record.getMessage(), record.name
        assert MARKER not in str(record.__dict__), record.name
        assert MARKER not in (logs.handler.format(record)), record.name
    assert MARKER not in metrics
    assert "reviewlens_requests_total" in metrics


def test_marker_reaches_no_log_metric_or_error(make_client, all_logs: pytest.LogCaptureFixture) -> None:
    limit = 2000
    client = make_client(max_text_chars=limit, max_batch=10)
    responses = [client.request(m, p, **kw) for m, p, kw in _requests(limit)]
    statuses = [r.status_code for r in responses]
    assert statuses[:11] == [200] * 11
    assert {400, 404, 405, 413, 415, 422} <= set(statuses)
    assert MARKER in responses[0].text  # the marker did reach the analyser
    _assert_private(responses, all_logs, client.get("/metrics").text)


def test_failures_and_timeouts_stay_private(make_client, analyzer, all_logs: pytest.LogCaptureFixture) -> None:
    broken = make_client(BrokenAnalyzer(analyzer), raise_server_exceptions=False)
    slow = make_client(SlowAnalyzer(analyzer, 1.0), request_timeout_s=0.05)
    responses = [
        broken.post("/v1/analyze", json={"text": DRAFT}),
        broken.post("/v2/check", data={"text": DRAFT}),
        slow.post("/v1/analyze", json={"text": DRAFT}),
    ]
    assert [r.status_code for r in responses] == [500, 500, 504]
    assert [r.json()["error"]["code"] for r in responses] == ["internal_error", "internal_error", "timeout"]
    _assert_private(responses, all_logs, broken.get("/metrics").text + slow.get("/metrics").text)


def test_large_uploads_stay_in_memory(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    rolled: list[int] = []
    original = tempfile.SpooledTemporaryFile.rollover

    def recording_rollover(self) -> None:
        rolled.append(1)
        original(self)

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", recording_rollover)
    # 3 MB, over Starlette's 1 MB spooling threshold; not a valid PDF, so it is refused quickly after upload.
    big = b"%PDF-1.4\n" + (DRAFT.encode() * 20_000)[:3_000_000]
    r = client.post("/v1/analyze/file", files={"file": ("draft.pdf", big, "application/pdf")})
    assert r.status_code == 422
    assert rolled == [], "the upload was written to a temporary file on disk"
