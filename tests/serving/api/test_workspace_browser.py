"""The workspace page in a real browser: Debian's Chromium, headless, driven by Playwright, against `reviewlens
serve` under uvicorn. Skipped only where Chromium is missing and CI is not set; in CI (.ci/run installs Chromium)
a missing browser is a failure."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serving.api.conftest import LiveServer, make_pdf
from tests.support.tiers import thorough_copy

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("REVIEWLENS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# No sandbox (CI runs as root), no GPU, and nothing that phones home: the page must work with no network at all.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's package, never a downloaded build)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is not installed at {CHROMIUM}; .ci/run installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs these tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(live_server: LiveServer) -> LiveServer:
    """The session's real server, once ready."""
    live_server.wait_ready()
    return live_server


@pytest.fixture()
def page(browser: Any, server: LiveServer) -> Iterator[Any]:
    """A fresh page that fails the test on any script error and records every request it makes."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    left: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("requestfinished", lambda r: left.append(r.url))
    # A request the page's content security policy stopped never left the browser; any other failure did try.
    pg.on("requestfailed",
          lambda r: None if (r.failure or "").lower() == "csp" else left.append(f"{r.url} {r.failure}"))
    yield pg
    context.close()
    assert not errors, errors
    # Everything the page loads comes from this server: no CDN, no fonts, no analytics.
    foreign = [u for u in left if not u.startswith((server.url, "data:", "blob:"))]
    assert not foreign, foreign


def _api(server: LiveServer, text: str) -> dict:
    return httpx.post(f"{server.url}/v1/analyze", json={"text": text}, timeout=60).json()


def _submit(page: Any, server: LiveServer, text: str) -> None:
    page.goto(server.url + "/")
    page.fill("#draft-input", text)
    page.click("#analyse")
    page.wait_for_selector("#results")


def _visible_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all("li.finding", "els => els.filter(e => !e.hidden).map(e => e.id)")


def test_paste_a_draft_and_read_its_findings(page: Any, server: LiveServer, sample_review: str,
                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _api(server, sample_review)
    spans = [f for f in result["findings"] if f["scope"] == "span"]
    flags = [f for f in result["findings"] if f["scope"] == "document"]
    _submit(page, server, sample_review)
    # One highlight per sentence, however many themes flag it; one side-panel entry per finding.
    assert page.locator("mark.hl").count() == len({f["offset"] for f in spans})
    assert page.locator("li.finding").count() == len(spans)
    assert page.locator("li.flag").count() == len(flags)
    assert page.inner_text("#overview") == result["overview"]
    # The message and the question are on the page, not only in a tooltip.
    first = page.locator("li.finding").first
    assert first.locator(".message").is_visible() and first.locator(".question").is_visible()
    # Labels in plain words, concerns first in each theme group.
    panel = page.inner_text("#panel")
    assert "RISK_UNSUPPORTED" not in panel and "DESCRIPTIVE" not in panel
    for group in page.locator("section.group").all():
        severities = group.locator("li.finding").evaluate_all("els => els.map(e => e.dataset.severity)")
        assert severities == sorted(severities, key=["concern", "strength", "info"].index)
    # A sentence two themes flag carries both on its one highlight.
    both = [m for m in page.locator("mark.hl").all() if len(m.get_attribute("data-findings").split()) > 1]
    assert both, "the sample has sentences labelled in two themes"
    assert len(both[0].locator(".tag").all()) == len(both[0].get_attribute("data-findings").split())
    shots = tmp_path_factory.mktemp("screenshots")
    page.screenshot(path=str(shots / "workspace.png"), full_page=False)
    print(f"screenshot: {shots / 'workspace.png'}")


def test_a_theme_filter_hides_that_theme_only(page: Any, server: LiveServer, sample_review: str) -> None:
    _submit(page, server, sample_review)
    # Information (narration in the chronology, identity analysed later) is off until asked for.
    assert set(page.eval_on_selector_all("li.finding[hidden]", "els => els.map(e => e.dataset.severity)")) == {"info"}
    page.check("#filters input[name=severity][value=info]")
    themes = page.eval_on_selector_all("li.finding", "els => els.map(e => e.dataset.theme)")
    assert "risk_reasoning" in themes and len(set(themes)) > 1
    page.uncheck("#filters input[name=theme][value=risk_reasoning]")
    hidden = page.eval_on_selector_all("li.finding", "els => els.filter(e => e.hidden).map(e => e.dataset.theme)")
    shown = page.eval_on_selector_all("li.finding", "els => els.filter(e => !e.hidden).map(e => e.dataset.theme)")
    assert set(hidden) == {"risk_reasoning"} and len(hidden) == themes.count("risk_reasoning")
    assert shown and "risk_reasoning" not in shown
    # A sentence only the risk theme flagged is no longer highlighted; one another theme flags still is.
    marks = page.eval_on_selector_all(
        "mark.hl", "els => els.map(m => [m.classList.contains('off'), m.dataset.findings.split(' ').map("
        "id => document.getElementById(id).dataset.theme)])"
    )
    for off, mark_themes in marks:
        assert off == all(t == "risk_reasoning" for t in mark_themes)
    page.uncheck("#filters input[name=severity][value=info]")
    page.uncheck("#filters input[name=severity][value=strength]")
    severities = page.eval_on_selector_all(
        "li.finding", "els => els.filter(e => !e.hidden).map(e => e.dataset.severity)"
    )
    assert set(severities) == {"concern"}
    assert page.inner_text("#shown") == f"Showing {len(severities)} of {len(themes)} findings."


def test_a_flags_evidence_link_scrolls_to_its_sentence(page: Any, server: LiveServer, sample_review: str) -> None:
    _submit(page, server, sample_review)
    links = page.locator("a.evidence-link")
    assert links.count(), "the sample raises a flag resting on sentences"
    link = links.last
    target = link.get_attribute("data-target")
    mark = page.locator(f"#{target}")
    page.evaluate("window.scrollTo(0, 0)")
    link.click()
    page.wait_for_function(
        "id => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }", arg=target,
    )
    assert "current" in mark.get_attribute("class")
    assert page.evaluate("document.activeElement.id") == target


def test_keyboard_reaches_every_finding(page: Any, server: LiveServer, sample_review: str) -> None:
    _submit(page, server, sample_review)
    expected = _visible_ids(page)
    page.locator("#results-title").click()
    reached = []
    for _ in expected:
        page.keyboard.press("j")
        reached.append(page.evaluate("document.activeElement.closest('li.finding').id"))
    assert reached == expected
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.closest('li.finding').id") == expected[-2]
    # The sentence of the current finding is marked in the draft.
    current = page.locator("mark.hl.current")
    assert current.count() == 1
    assert current.get_attribute("id") == page.get_attribute(f"#{expected[-2]}", "data-target")


def test_a_file_upload_is_analysed(page: Any, server: LiveServer, sample_review: str) -> None:
    paras = [p for p in sample_review.split("\n\n") if p.strip()]
    half = len(paras) // 2
    pdf = make_pdf(["\n\n".join(paras[:half]), "\n\n".join(paras[half:])])
    page.goto(server.url + "/")
    page.set_input_files("#file-input", files=[{"name": "review.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.click("#analyse")
    page.wait_for_selector("#results")
    assert page.locator("mark.hl").count() > 5
    assert "p. 2" in page.inner_text("#panel"), "findings from a PDF carry their page"


def test_exports_match_the_shown_findings(page: Any, server: LiveServer, sample_review: str) -> None:
    _submit(page, server, sample_review)
    page.uncheck("#filters input[name=severity][value=info]")
    shown = _visible_ids(page)

    def fetch(kind: str) -> str:
        with page.expect_download() as info:
            page.click(f"button[data-export={kind}]")
        download = info.value
        assert download.suggested_filename == f"reviewlens-findings.{kind}"
        return Path(download.path()).read_text(encoding="utf-8")

    md = fetch("md")
    assert md.count("- [ ] **") == len(shown)
    rows = list(csv.DictReader(io.StringIO(fetch("csv"))))
    assert len(rows) == len(shown) and {r["severity"] for r in rows} <= {"concern", "strength"}
    data = json.loads(fetch("json"))
    assert {f["id"] for f in data["findings"]} == set(shown)


def test_print_shows_the_findings_not_the_controls(page: Any, server: LiveServer, sample_review: str) -> None:
    _submit(page, server, sample_review)
    page.emulate_media(media="print")
    assert not page.locator("#filters").is_visible()
    assert not page.locator("#analyse-form").is_visible()
    assert page.locator("li.finding .question").first.is_visible()
    assert page.locator("mark.hl").first.is_visible()


@pytest.mark.parametrize("state", ["empty", "results"])
def test_no_serious_accessibility_violations(page: Any, server: LiveServer, sample_review: str, state: str) -> None:
    if state == "empty":
        page.goto(server.url + "/")
    else:
        _submit(page, server, sample_review)
    page.add_script_tag(path=str(AXE))
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in report["violations"]
               if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_docs_render_offline(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/docs")
    page.wait_for_selector("#swagger-ui .opblock-tag")
    tags = page.eval_on_selector_all(".opblock-tag", "els => els.map(e => e.dataset.tag)")
    assert {"analyze", "languagetool", "system"} <= set(tags)
    page.goto(server.url + "/redoc")
    page.wait_for_selector("redoc [role=menuitem], redoc li[data-item-id]", timeout=30_000)


def test_with_api_keys_the_page_sends_the_key(browser: Any, tiny_model_dir: Path, tmp_path: Path,
                                              sample_review: str) -> None:
    keyed = LiveServer(tiny_model_dir, tmp_path / "stderr.log", extra_env={"REVIEWLENS_API_KEYS": "s3cret-key"})
    try:
        keyed.wait_ready()
        context = browser.new_context()
        pg = context.new_page()
        pg.goto(keyed.url + "/")
        assert pg.locator("#api-key").is_visible()
        pg.fill("#draft-input", sample_review)
        pg.fill("#api-key", "wrong")
        pg.click("#analyse")
        pg.wait_for_selector("#status.error")
        assert "not valid" in pg.inner_text("#status") and not pg.locator("#results").count()
        pg.fill("#api-key", "s3cret-key")
        pg.click("#analyse")
        pg.wait_for_selector("#results")
        assert pg.locator("li.finding").count()
        context.close()
    finally:
        keyed.stop()


def test_with_two_tiers_the_page_offers_the_choice_and_sends_it(browser: Any, tiny_model_dir: Path, tmp_path: Path,
                                                                sample_review: str) -> None:
    thorough = thorough_copy(tiny_model_dir, tmp_path)
    two = LiveServer(tiny_model_dir, tmp_path / "stderr.log", extra_env={"REVIEWLENS_THOROUGH_MODEL": str(thorough)})
    try:
        two.wait_ready()
        context = browser.new_context()
        pg = context.new_page()
        sent: list[str] = []
        pg.on("request", lambda r: sent.append(r.url) if "/v1/analyze" in r.url else None)
        for choice, named in (("thorough", "tiny-thorough"), ("fast", "tiny ")):
            pg.goto(two.url + "/")
            assert pg.input_value("#tier") == "thorough"  # the page's default
            pg.select_option("#tier", choice)
            pg.fill("#draft-input", sample_review)
            pg.click("#analyse")
            pg.wait_for_selector("#results")
            meta = pg.inner_text("#results .meta")
            assert f"Model {named}" in meta and f"({choice} tier)" in meta, meta
            assert f"tier={choice}" in sent[-1]
        pg.goto(two.url + "/")
        pg.add_script_tag(path=str(AXE))
        report = pg.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert not [v["id"] for v in report["violations"] if v["impact"] in ("serious", "critical")]
        context.close()
    finally:
        two.stop()
