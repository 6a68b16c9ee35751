"""brat standoff (`.txt` + `.ann` pairs) into canonical records; each pair is one excerpt named by its stem.

Only text-bound annotations (`T` lines) have a canonical form. A discontinuous one is widened to its outer
range (a sentence label covers the whole range anyway), with a warning; other line kinds are counted.
"""

from __future__ import annotations

from pathlib import Path

from reviewlens.training.corpus.formats.import_checks import ImportChecks, require_text
from reviewlens.training.corpus.formats.result import ImportResult
from reviewlens.training.corpus.records import Record, Span

_IGNORED_KINDS = {
    "A": "attribute",
    "M": "attribute",
    "#": "note",
    "R": "relation",
    "E": "event",
    "N": "normalization",
    "*": "equivalence",
}


def _ann_files(path: Path, checks: ImportChecks) -> list[Path]:
    if path.is_dir():
        anns = sorted(path.rglob("*.ann"))
        for txt in sorted(path.rglob("*.txt")):
            if not txt.with_suffix(".ann").exists():
                checks.warn(str(txt), "no matching .ann file; skipped", "text file(s) without .ann skipped")
        if not anns:
            raise ValueError(f"{path}: no .ann files in this folder")
        return anns
    if path.suffix in (".ann", ".txt"):
        ann = path.with_suffix(".ann")
        if not ann.exists():
            raise FileNotFoundError(f"{ann}: no such file")
        return [ann]
    raise ValueError(f"{path}: give a brat .ann file or a folder of .txt/.ann pairs")


def _text_bound(line: str, where: str, text: str, checks: ImportChecks) -> Span | None:
    parts = line.split("\t")
    label, _, ranges = parts[1].partition(" ") if len(parts) >= 2 else ("", "", "")
    try:
        frags = [(int(a), int(b)) for a, b in (r.split() for r in ranges.split(";"))]
    except ValueError:
        raise ValueError(
            f"{where}: malformed text-bound annotation {line!r} (expected 'T1<TAB>LABEL start end<TAB>text')"
        ) from None
    quoted: str | None = parts[2] if len(parts) >= 3 else None
    start, end = min(s for s, _ in frags), max(e for _, e in frags)
    if len(frags) > 1:
        checks.warn(
            where,
            f"{parts[0]} {label} is discontinuous ({ranges}); taken as the outer range {start}-{end}",
            "discontinuous span(s) widened to their outer range",
        )
        quoted = None  # brat joins the fragments' text with spaces, which no single range reproduces
    return checks.span(where, text, start, end, label, quoted)


def import_brat(path: Path, source: str, doc_kind: str) -> ImportResult:
    """Read a brat `.ann` file (its `.txt` beside it) or a folder of such pairs."""
    checks = ImportChecks(source, doc_kind)
    records: list[Record | None] = []
    for ann in _ann_files(path, checks):
        txt = ann.with_suffix(".txt")
        if not txt.exists():
            raise ValueError(f"{ann}: no matching {txt.name}")
        # newline="" keeps \r\n as two characters: brat's offsets count the file as it is on disk.
        with txt.open(encoding="utf-8", newline="") as fh:
            text = require_text(fh.read(), str(txt))
        rid = checks.record_id(ann.stem, str(ann), "brat", ann.stem)
        spans: list[Span | None] = []
        with ann.open(encoding="utf-8", newline="") as fh:
            for lineno, line in enumerate(fh, start=1):
                line = line.rstrip("\r\n")
                where = f"{ann}:{lineno} [{rid}]"
                if not line.strip():
                    continue
                if line[0] == "T":
                    spans.append(_text_bound(line, where, text, checks))
                elif line[0] in _IGNORED_KINDS:
                    checks.tally(f"brat {_IGNORED_KINDS[line[0]]} ({line[0]}) line(s) ignored")
                else:
                    raise ValueError(f"{where}: unrecognised brat annotation line {line!r}")
        records.append(checks.record(f"{ann} [{rid}]", rid, text, spans, {}))
    return checks.result(records)
