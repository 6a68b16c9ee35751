"""The report's numbers for one model, aggregated in SQL so memory follows distinct values, not findings."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from reviewlens.models.labels import STRENGTH_LABELS, THEMES
from reviewlens.models.schema import AnalysisResult
from reviewlens.serving.bulk.store import Store

# Metadata columns with more distinct values than this are identifiers, not groupings worth a table.
MAX_GROUPS = 30
LINKS_PER_SENTENCE = 5
_FLAT = "replace(replace(text, char(13), ''), char(10), ' ')"


class ReportError(RuntimeError):
    """Nothing to report: an empty store, or no results for the model asked for."""


@dataclass
class ThemeSection:
    """Everything the report shows for one theme."""

    name: str
    title: str
    strength: str
    share_of: str
    shares: list[float]
    plots: list[Markup] = field(default_factory=list)
    concerns: list[dict[str, Any]] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        """Mean share over documents that have one."""
        return sum(self.shares) / len(self.shares) if self.shares else None

    @property
    def median(self) -> float | None:
        """Median share over documents that have one."""
        if not self.shares:
            return None
        s = sorted(self.shares)
        mid = len(s) // 2
        return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def strength_label(labels: tuple[str, str]) -> str:
    """The stronger label of a theme's pair (ANALYTICAL, CULTURAL_ANALYSIS, RISK_REASONED)."""
    return next(label for label in labels if label in STRENGTH_LABELS)


def link(path: str | None, page: int | None) -> str | None:
    """A file URI to a source document (at its page, for PDFs), or None when the path is unknown."""
    if not path:
        return None
    uri = Path(path).absolute().as_uri()
    return f"{uri}#page={page}" if page else uri


class Collector:
    """The report's numbers for one model, straight from SQL."""

    def __init__(self, store: Store, model: str, top: int) -> None:
        self.store = store
        self.model = model
        self.top = top

    def q(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        """Rows of a query whose first parameter is this model."""
        return self.store.read(sql, self.model, *args)

    def counts(self) -> dict[str, Any]:
        """Documents scored, failed, pages and words."""
        status = {r["status"]: r["n"] for r in self.q(
            "SELECT status, count(*) AS n FROM scores WHERE model = ? GROUP BY status")}
        size = self.q(
            "SELECT coalesce(sum(d.pages), 0) AS pages, coalesce(sum(d.words), 0) AS words FROM scores s "
            "JOIN documents d USING (doc_hash) WHERE s.model = ? AND s.status = 'ok'")[0]
        runs = self.q("SELECT count(*) AS n, min(started_at) AS first, max(coalesce(finished_at, started_at)) "
                      "AS last FROM runs WHERE model = ?")[0]
        return {"ok": status.get("ok", 0), "failed": status.get("failed", 0), "pages": size["pages"],
                "words": size["words"], "runs": runs["n"], "first": runs["first"], "last": runs["last"]}

    def share_of(self) -> dict[str, str]:
        """What each theme's share counts, as the results themselves say."""
        row = self.q("SELECT result FROM scores WHERE model = ? AND status = 'ok' LIMIT 1")
        if not row:
            return {}
        result = AnalysisResult.model_validate_json(row[0]["result"])
        return {name: summary.share_of for name, summary in result.summary.items()}

    def shares(self, theme: str) -> list[float]:
        """One share per document for a theme (for its histogram)."""
        return [r[0] for r in self.q(
            "SELECT share FROM themes WHERE model = ? AND theme = ? AND share IS NOT NULL", theme)]

    def flags(self, scored: int) -> list[dict[str, Any]]:
        """How often each document flag was raised."""
        rows = self.q(
            "SELECT flag_id, theme, sum(status = 'raised') AS raised, sum(status = 'insufficient_text') AS unsure "
            "FROM flags WHERE model = ? GROUP BY flag_id, theme ORDER BY theme, flag_id")
        return [{**dict(r), "share": r["raised"] / scored if scored else 0.0} for r in rows]

    def by_group(self, column: str) -> tuple[dict[str, dict[Any, float]], dict[str, dict[Any, float]]]:
        """Mean share per theme, and share of documents with each flag raised, per value of a document column."""
        themes: dict[str, dict[Any, float]] = defaultdict(dict)
        for r in self.q(
            f"SELECT d.{column} AS g, t.theme, avg(t.share) AS v FROM themes t JOIN documents d USING (doc_hash) "
            f"WHERE t.model = ? AND d.{column} IS NOT NULL AND t.share IS NOT NULL GROUP BY g, t.theme"
        ):
            themes[r["theme"]][r["g"]] = r["v"]
        flags: dict[str, dict[Any, float]] = defaultdict(dict)
        for r in self.q(
            f"SELECT d.{column} AS g, f.flag_id, avg(f.status = 'raised') AS v FROM flags f "
            f"JOIN documents d USING (doc_hash) WHERE f.model = ? AND d.{column} IS NOT NULL GROUP BY g, f.flag_id"
        ):
            flags[r["flag_id"]][r["g"]] = r["v"]
        return dict(themes), dict(flags)

    def metadata_tables(self) -> list[dict[str, Any]]:
        """For each metadata column with a handful of values: documents and mean shares per value."""
        keys = [r[0] for r in self.q(
            "SELECT DISTINCT j.key FROM scores s JOIN documents d USING (doc_hash), json_each(d.metadata) j "
            "WHERE s.model = ? AND s.status = 'ok' ORDER BY j.key")]
        tables = []
        for key in keys:
            if key in ("year", "doc_kind"):
                continue  # plotted as trends instead
            path = f'$."{key}"'
            rows = self.q(
                "SELECT json_extract(d.metadata, ?2) AS value, count(DISTINCT s.doc_hash) AS documents, "
                + ", ".join(
                    f"avg(CASE WHEN t.theme = '{t.name}' THEN t.share END) AS {t.name}" for t in THEMES
                )
                + " FROM scores s JOIN documents d USING (doc_hash) LEFT JOIN themes t "
                "ON t.doc_hash = s.doc_hash AND t.model = s.model WHERE s.model = ?1 AND s.status = 'ok' "
                "AND json_extract(d.metadata, ?2) IS NOT NULL GROUP BY value ORDER BY value",
                path,
            )
            if 1 < len(rows) <= MAX_GROUPS:
                tables.append({"column": key, "rows": [dict(r) for r in rows]})
        return tables

    def concerns(self, theme: str) -> list[dict[str, Any]]:
        """The most frequent concern sentences of a theme, each with links to where it occurs."""
        out = []
        # A sentence wraps differently in each PDF: compare it with its line breaks as spaces.
        for r in self.q(
            f"SELECT label, {_FLAT} AS flat, min(message) AS message, count(*) AS n, "
            "count(DISTINCT doc_hash) AS documents FROM findings "
            "WHERE model = ? AND theme = ? AND severity = 'concern' AND scope = 'span' "
            "GROUP BY label, flat ORDER BY n DESC, documents DESC, flat LIMIT ?",
            theme, self.top,
        ):
            places = self.q(
                "SELECT f.page, d.name, d.path FROM findings f JOIN documents d USING (doc_hash) WHERE f.model = ? "
                f"AND f.theme = ? AND f.label = ? AND f.severity = 'concern' AND {_FLAT.replace('text', 'f.text')} = ? "
                "ORDER BY d.name, f.page LIMIT ?",
                theme, r["label"], r["flat"], LINKS_PER_SENTENCE,
            )
            out.append({"label": r["label"], "text": r["flat"], "message": r["message"], "n": r["n"],
                        "documents": r["documents"], "places": [
                            {"name": p["name"], "page": p["page"], "href": link(p["path"], p["page"])}
                            for p in places
                        ]})
        return out


