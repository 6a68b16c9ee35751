"""`reviewlens report`: one self-contained page with a plot per theme, flags, trends, concerns and failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewlens.cli.bulk_cmd import app
from reviewlens.models.labels import THEMES
from reviewlens.serving.bulk.report import ReportError, write_report
from reviewlens.serving.bulk.store import Store
from tests.serving.bulk.conftest import BAD, ScoredStore


@pytest.fixture(scope="module")
def html(scored_store: ScoredStore, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(app, ["report", "--store", str(scored_store.path), "--out", str(out), "--top", "5"])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _section(html: str, anchor: str) -> str:
    start = html.index(f'<section id="{anchor}">')
    return html[start : html.index("</section>", start)]


def test_every_theme_has_its_plots_and_frequent_concerns(html: str) -> None:
    for theme in THEMES:
        section = _section(html, theme.name)
        # A histogram, a trend by year and one by doc_kind: the store has that metadata.
        assert section.count("<svg") == 3, theme.name
        assert "Mean share by year" in section and "Mean share by doc_kind" in section
        assert theme.title in section
    assert "DESCRIPTIVE" in _section(html, "analysis_depth")
    links = [link for t in THEMES for link in re.findall(r'href="(file://[^"]+)"', _section(html, t.name))]
    assert links and all(re.search(r"\.(pdf|docx|txt)(#page=\d+)?$", link) for link in links)
    assert all("#page=" in link for link in links if ".pdf" in link)
    assert any("#page=" in link for link in links)


def test_counts_flags_groups_and_failures_are_shown(html: str) -> None:
    assert "<b>6</b>documents scored" in html and "<b>3</b>could not be read" in html
    flags = _section(html, "flags")
    assert "ANALYSIS_MOSTLY_DESCRIPTIVE" in flags and "<svg" in flags
    groups = _section(html, "groups")
    assert "area" in groups and "North" in groups and "panel chair" in groups
    failures = _section(html, "failures")
    for name, message in BAD.items():
        assert name in failures and message in failures


def test_page_is_self_contained(html: str) -> None:
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert not re.search(r"""(src|href)=["']https?:""", html)
    assert not re.search(r"url\((?!#)", html), "only references inside the page (SVG clip paths)"
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "inline SVGs must not share element ids"


def test_report_refuses_an_empty_store_or_an_unknown_model(scored_store: ScoredStore, tmp_path: Path) -> None:
    with Store(tmp_path / "empty.sqlite"):
        pass
    with pytest.raises(ReportError, match="no scored documents"):
        write_report(tmp_path / "empty.sqlite", tmp_path / "r.html")
    with pytest.raises(ReportError, match=re.escape(scored_store.model)):
        write_report(scored_store.path, tmp_path / "r.html", model="other@1")
