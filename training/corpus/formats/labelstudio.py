"""Label Studio JSON exports (a list of tasks) into canonical records.

Each task's `data.text` is the excerpt; the first annotation not cancelled supplies the spans (`labels`
results) and the annotator. Per-region `choices` named `identity_subject` / `identity_facet` become the
identity attributes of the region's spans; other result types have no canonical form and are counted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reviewlens.training.corpus.formats.import_checks import ImportChecks, require_text
from reviewlens.training.corpus.formats.result import ImportResult
from reviewlens.training.corpus.records import Record, Span

_REGION_ATTRS = ("identity_subject", "identity_facet")


def _load_tasks(path: Path) -> list[Any]:
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if isinstance(tasks, dict):  # exporting a single task gives an object, not a list
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ValueError(f"{path}: a Label Studio export is a JSON list of tasks")
    return tasks


def _annotator(completed_by: object) -> object:
    # Plain exports give a user number; exports "with annotator details" give an object.
    if isinstance(completed_by, dict):
        return completed_by.get("email") or completed_by.get("id")
    return completed_by


def _first_completed(task: dict[str, Any], where: str, checks: ImportChecks) -> dict[str, Any] | None:
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise ValueError(f"{where}: `annotations` must be a list")
    done = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if not done:
        checks.warn(where, "no completed annotation; task skipped", "task(s) without a completed annotation skipped")
        return None
    if len(done) > 1:
        checks.warn(
            where,
            f"{len(done)} completed annotations; used the first (export each annotator "
            "separately to measure agreement)",
            "task(s) with several annotations: first used",
        )
    return done[0]


def _spans(results: list[Any], text: str, where: str, checks: ImportChecks) -> list[Span | None]:
    attrs: dict[str, dict[str, Any]] = {}
    for res in results:
        if isinstance(res, dict) and res.get("type") == "choices" and res.get("from_name") in _REGION_ATTRS:
            choices = (res.get("value") or {}).get("choices") or []
            value = choices if res["from_name"] == "identity_facet" else (choices[0] if choices else None)
            attrs.setdefault(str(res.get("id")), {})[res["from_name"]] = value
    spans: list[Span | None] = []
    for i, res in enumerate(results):
        if not isinstance(res, dict):
            raise ValueError(f"{where}: result {i} is not a JSON object")
        if res.get("type") != "labels":
            if not (res.get("type") == "choices" and res.get("from_name") in _REGION_ATTRS):
                checks.tally(f"Label Studio result(s) of type {res.get('type')!r} ignored")
            continue
        value = res.get("value")
        if not isinstance(value, dict) or not isinstance(value.get("labels"), list):
            raise ValueError(f"{where}: result {i} has no `value.labels` list")
        quoted = value.get("text") if isinstance(value.get("text"), str) else None
        for label in value["labels"]:
            spans.append(
                checks.span(
                    where, text, value.get("start"), value.get("end"), label, quoted, attrs.get(str(res.get("id")))
                )
            )
    return spans


def import_labelstudio(path: Path, source: str, doc_kind: str) -> ImportResult:
    """Read a Label Studio JSON export; task `data` may carry id/document/doc_kind/section/source/meta."""
    checks = ImportChecks(source, doc_kind)
    records: list[Record | None] = []
    for n, task in enumerate(_load_tasks(path), start=1):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise ValueError(f"{path}: task #{n} has no `data` object")
        task_id = task.get("id", n)
        where = f"{path} task {task_id}"
        data = task["data"]
        text = require_text(data.get("text"), where)
        annotation = _first_completed(task, where, checks)
        if annotation is None:
            continue
        rid = checks.record_id(data.get("id"), where, "ls", task_id)
        where = f"{where} [{rid}]"
        results = annotation.get("result") or []
        if not isinstance(results, list):
            raise ValueError(f"{where}: `result` must be a list")
        spans = _spans(results, text, where, checks)
        annotator = _annotator(annotation.get("completed_by"))
        records.append(checks.record(where, rid, text, spans, data, annotator))
    return checks.result(records)
