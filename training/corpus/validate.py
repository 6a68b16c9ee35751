"""Validation of canonical annotation files: schema, offsets, token alignment, label rules and unique ids.

Every problem is reported with file, line and record id, so a data scientist can fix a whole file in one pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import jsonschema

from reviewlens.models.labels import THEME_OF_LABEL
from reviewlens.models.paths import paths
from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.corpus.records import Record, corpus_files, read_jsonl


@dataclass(frozen=True)
class Problem:
    """One validation failure, located precisely."""

    path: str
    line: int
    record_id: str | None
    message: str

    def __str__(self) -> str:
        rid = f" [{self.record_id}]" if self.record_id else ""
        return f"{self.path}:{self.line}{rid}: {self.message}"


class CorpusError(ValueError):
    """Raised when annotation files fail validation; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} annotation problem(s):\n{shown}{more}")


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(paths().record_schema.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def check_record(obj: dict[str, Any]) -> list[str]:
    """Return the problems with one record object (empty when it is valid)."""
    errors = [f"{'/'.join(map(str, e.absolute_path)) or 'record'}: {e.message}" for e in _validator().iter_errors(obj)]
    if errors:
        return errors
    text: str = obj["text"]
    doc = tokenizer_nlp()(text)
    starts = {t.idx for t in doc}
    ends = {t.idx + len(t.text) for t in doc}
    seen: dict[tuple[int, int, str], int] = {}
    by_theme: dict[str, list[tuple[int, int, str]]] = {}
    for i, span in enumerate(obj["spans"]):
        s, e, label = span["start"], span["end"], span["label"]
        where = f"spans/{i} ({label} {s}-{e})"
        if not 0 <= s < e <= len(text):
            errors.append(f"{where}: offsets outside the text (length {len(text)}) or empty")
            continue
        if s not in starts or e not in ends:
            errors.append(f"{where}: does not align to token boundaries: {text[s:e]!r}")
        if (s, e, label) in seen:
            errors.append(f"{where}: duplicate of spans/{seen[(s, e, label)]}")
        seen[(s, e, label)] = i
        by_theme.setdefault(THEME_OF_LABEL[label], []).append((s, e, label))
        if label not in ("IDENTITY_MENTION", "CULTURAL_ANALYSIS") and (
            "identity_subject" in span or "identity_facet" in span
        ):
            errors.append(f"{where}: identity attributes are only allowed on cultural_competence spans")
    for theme, spans in by_theme.items():
        spans.sort()
        for (s1, e1, l1), (s2, e2, l2) in pairwise(spans):
            if s2 < e1:
                errors.append(
                    f"two {theme} labels on one sentence: {l1} {s1}-{e1} overlaps {l2} {s2}-{e2}"
                    " (at most one label per theme per sentence)"
                )
    return errors


def validate_files(paths: list[str | Path]) -> tuple[list[Record], list[Problem]]:
    """Validate annotation files; return the valid records and every problem (ids must be unique across files)."""
    records: list[Record] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    for path in corpus_files(paths):
        for lineno, obj, err in read_jsonl(path):
            if obj is None:
                problems.append(Problem(str(path), lineno, None, err or "unreadable"))
                continue
            rid = obj.get("id") if isinstance(obj.get("id"), str) else None
            errs = check_record(obj)
            if rid is not None:
                if rid in first_seen:
                    errs.append(f"duplicate id (first seen at {first_seen[rid]})")
                else:
                    first_seen[rid] = f"{path}:{lineno}"
            if errs:
                problems.extend(Problem(str(path), lineno, rid, m) for m in errs)
            else:
                records.append(Record.from_json(obj))
    return records, problems


def load_corpus(paths: list[str | Path]) -> list[Record]:
    """Load and validate annotation files, raising CorpusError listing every problem if any file is invalid."""
    records, problems = validate_files(paths)
    if problems:
        raise CorpusError(problems)
    if not records:
        raise CorpusError([Problem(", ".join(map(str, paths)), 0, None, "no records found")])
    return records
