"""Find, log and apply the rule-family adjudications of GUIDELINE.md section B5 (R1-R7).

The corpus is the canonical JSONL of ``annotations/corpus`` (README, "Canonical format"). Spans with the
same ``(start, end)`` are one sentence carrying several labels. Each family function below returns the
*candidates* of its family: sentences found with a regular expression and, where the rule needs it, a
label condition. Candidates are not decisions. A person reads every candidate against the rule and
records the decision, kept or changed, as one JSON line of the decisions file (``adjudication.jsonl``):

    {"family": "R3", "record": "<excerpt id>", "start": 0, "end": 42, "sentence": "...",
     "before": [...], "after": [...], "changed": true, "reason": "..."}

A decision that gives an unlabelled sentence a cultural_competence label may add an ``identity``
object (``identity_subject``, ``identity_facet``) for the new span.

Usage::

    # candidates and changes per family
    python -m reviewlens.training.corpus.adjudicate annotations/corpus
    # print the R3 candidates in context
    python -m reviewlens.training.corpus.adjudicate annotations/corpus --show --family R3
    # summary of the decisions file
    python -m reviewlens.training.corpus.adjudicate annotations/corpus --log
    # write the changed labels to the corpus
    python -m reviewlens.training.corpus.adjudicate annotations/corpus --apply

Standard library only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FAMILIES: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")

THEME: dict[str, str] = {
    "DESCRIPTIVE": "analysis_depth",
    "ANALYTICAL": "analysis_depth",
    "IDENTITY_MENTION": "cultural_competence",
    "CULTURAL_ANALYSIS": "cultural_competence",
    "RISK_UNSUPPORTED": "risk_reasoning",
    "RISK_REASONED": "risk_reasoning",
}
CULTURAL_LABELS: frozenset[str] = frozenset({"IDENTITY_MENTION", "CULTURAL_ANALYSIS"})
RECORD_KEY_ORDER: tuple[str, ...] = (
    "id",
    "document",
    "source",
    "doc_kind",
    "section",
    "annotator",
    "meta",
    "text",
    "spans",
)
SPAN_KEY_ORDER: tuple[str, ...] = (
    "start",
    "end",
    "label",
    "identity_subject",
    "identity_facet",
    "uncertain",
    "comment",
)
IDENTITY_ATTRS: tuple[str, ...] = ("identity_subject", "identity_facet")


@dataclass
class Sentence:
    """One labelled sentence: a ``(start, end)`` range of a record and every span over it."""

    record: str
    path: Path
    section: str
    doc_kind: str
    start: int
    end: int
    text: str
    spans: list[dict[str, Any]] = field(default_factory=list)
    context_before: str = ""
    context_after: str = ""

    @property
    def labels(self) -> list[str]:
        """The sorted labels of the sentence."""
        return sorted(s["label"] for s in self.spans)

    def has(self, *labels: str) -> bool:
        """True when the sentence carries any of ``labels``."""
        return any(s["label"] in labels for s in self.spans)

    @property
    def key(self) -> tuple[str, int, int]:
        """``(record, start, end)``: identifies the sentence across the corpus."""
        return (self.record, self.start, self.end)


# --------------------------------------------------------------------------- reading


def corpus_files(corpus: Path) -> list[Path]:
    """Every ``*.jsonl`` under ``corpus`` (however deep), sorted; ``corpus`` may also be one file."""
    if corpus.is_file():
        return [corpus]
    return sorted(corpus.rglob("*.jsonl"))


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of one JSONL file, in file order (blank lines skipped)."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[A-Z0-9\"“‘(])")
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?][\"”’')]*$")


def split_uncovered(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]``, text no span covers, into sentence-like ranges.

    Lines are split at newlines and then at sentence-final punctuation followed by a capital. Only
    ranges that end like a sentence are kept, so headings and page furniture are left out. This is a
    simple stand-in for the production segmenter, good enough to find candidates; a range that a
    decision labels must still pass ``annotations validate`` (token alignment).
    """
    out: list[tuple[int, int]] = []
    pos = start
    for line in text[start:end].split("\n"):
        line_start = pos
        pos += len(line) + 1
        cuts = [line_start] + [line_start + m.end() for m in _SENTENCE_END.finditer(line)] + [line_start + len(line)]
        for a, b in itertools.pairwise(cuts):
            chunk = text[a:b]
            a += len(chunk) - len(chunk.lstrip())
            b -= len(chunk) - len(chunk.rstrip())
            if b > a and _ENDS_LIKE_SENTENCE.search(text[a:b]) and len(text[a:b].split()) >= 3:
                out.append((a, b))
    return out


def record_sentences(record: dict[str, Any], path: Path, unlabelled: bool = True) -> list[Sentence]:
    """The sentences of a record in text order.

    Spans with the same ``(start, end)`` are one labelled sentence. With ``unlabelled`` the text no
    span covers is split into sentences too (``spans`` empty), because a sentence left unlabelled by
    mistake can belong to a family as much as a labelled one.
    """
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for span in record["spans"]:
        groups[(span["start"], span["end"])].append(span)
    text = record["text"]
    ranges = sorted(groups)
    if unlabelled:
        covered, pos, gaps = sorted(groups), 0, []
        for a, b in covered:
            if a > pos:
                gaps.append((pos, a))
            pos = max(pos, b)
        gaps.append((pos, len(text)))
        for a, b in gaps:
            for rng in split_uncovered(text, a, b):
                groups.setdefault(rng, [])
        ranges = sorted(groups)
    out = []
    for i, (start, end) in enumerate(ranges):
        prev_text = text[ranges[i - 1][0] : ranges[i - 1][1]] if i else ""
        next_text = text[ranges[i + 1][0] : ranges[i + 1][1]] if i + 1 < len(ranges) else ""
        out.append(
            Sentence(
                record=record["id"],
                path=path,
                section=record.get("section", "unknown"),
                doc_kind=record["doc_kind"],
                start=start,
                end=end,
                text=text[start:end],
                spans=groups[(start, end)],
                context_before=prev_text,
                context_after=next_text,
            )
        )
    return out


def load_sentences(corpus: Path, unlabelled: bool = True) -> list[Sentence]:
    """Every sentence of every record under ``corpus`` (labelled ones, and unlabelled ones if asked)."""
    out: list[Sentence] = []
    for path in corpus_files(corpus):
        for record in read_records(path):
            out.extend(record_sentences(record, path, unlabelled))
    return out


# --------------------------------------------------------------------------- families

_I = re.IGNORECASE

R1_ACCOUNT = re.compile(
    r"\b(told|said to|explained to|described to|reflected to|informed) (the )?(review|author|reviewer|panel|"
    r"independent reviewer|lead reviewer|practitioner event|learning event)\b|"
    r"\btold the (review|author)",
    _I,
)
R1_DECISION = re.compile(
    r"\b(risk|safe|safety|unsafe|concern|close[ds]?|closing|closure|step(ped)? down|stepping down|end(ed)? the plan|"
    r"threshold|refer(red|ral)?|escalat\w*|section 47|s47|strategy|no further action|NFA|reassur\w*|"
    r"assess\w*|decid\w*|decision|return(ed)? home|protect\w*|harm)\b",
    _I,
)

R2_PATTERN = re.compile(
    r"\baccepted\b.*\bwithout\b|\brelied\b.*\bon\b|\b(was|were) not (tested|checked|weighed)\b|"
    r"\bwithout (checking|asking|seeking|seeing|speaking|weighing|considering|testing|any check)\b|"
    r"\bon the strength of\b|\bat face value\b",
    _I,
)

R3_VERDICT = re.compile(
    r"missed opportunit|\bin line with\b|appropriate(ly)?\b|\btimely\b|\bproportionate\b|\brobust\b|"
    r"\bgood practice\b",
    _I,
)
R3_REASON = re.compile(r"\b(because|as|so that|which meant)\b", _I)

R4_PATTERN = re.compile(r"\bcould (not )?have been (predicted|prevented|foreseen)\b|preventab|predictab", _I)

R5_IDENTITY = (
    r"(identity|identities|ethnicity|culture|cultural|faith|diversity|protected characteristic"
    r"|Equality Act)"
)
R5_CONSIDERED = r"(considered|consideration|regard|taken into account|took account|not relevant|no bearing)"
R5_DISMISSED = (
    r"(did not affect|affected|not a factor|no (impact|effect|influence)|nothing to suggest|no evidence"
    r"|made no difference)"
)
R5_PATTERN = re.compile(
    rf"{R5_IDENTITY}.*{R5_CONSIDERED}|{R5_CONSIDERED}.*{R5_IDENTITY}|"
    rf"{R5_IDENTITY}.*{R5_DISMISSED}|{R5_DISMISSED}.*{R5_IDENTITY}",
    _I,
)

R6_PATTERN = re.compile(r"diagnos|\bADHD\b|autis|asthma|epilep|cerebral palsy|learning disabilit", _I)

R7_PATTERN = re.compile(
    r"\b(case|plan|contact|investigation|referral|involvement|matter)s? (was |were |had been )?"
    r"(closed|ended|stepped down)\b|\bclos(ed|e|ing) (the|her|his|its) (case|plan|contact|involvement)\b|"
    r"\bstep(ped)?[- ]down\b|\bno further action\b|\breturned (home|to (the care of|his|her|their))\b|"
    r"\bplaced (with|in)\b|\bwent back home\b|\bdischarged\b",
    _I,
)
R7_NFA = re.compile(r"\bNFA\b")  # case-sensitive: the abbreviation only


def r1_candidates(sentences: Iterable[Sentence]) -> list[Sentence]:
    """R1: a practitioner's account given to the review that touches a risk decision."""
    return [s for s in sentences if R1_ACCOUNT.search(s.text) and R1_DECISION.search(s.text)]


def r2_candidates(sentences: Iterable[Sentence]) -> list[Sentence]:
    """R2: "accepted ... without ...", "relied only on", "was not tested" critiques."""
    return [s for s in sentences if R2_PATTERN.search(s.text)]


def r3_candidates(sentences: Iterable[Sentence]) -> list[Sentence]:
    """R3: bare verdicts on practice (verdict word, no reason connective in the sentence)."""
    return [s for s in sentences if R3_VERDICT.search(s.text) and not R3_REASON.search(s.text)]


def r4_candidates(sentences: Iterable[Sentence]) -> list[Sentence]:
    """R4: preventability and predictability findings."""
    return [s for s in sentences if R4_PATTERN.search(s.text)]


def r5_candidates(sentences: Iterable[Sentence]) -> list[Sentence]:
    """R5: statements that identity, culture or diversity was considered (or was not relevant)."""
    return [s for s in sentences if R5_PATTERN.search(s.text)]


def r6_candidates(sentences: Iterable[Sentence]) -> list[Sentence]:
    """R6: health diagnoses carrying a cultural_competence label."""
    return [s for s in sentences if R6_PATTERN.search(s.text) and s.has(*CULTURAL_LABELS)]


def r7_candidates(sentences: Iterable[Sentence]) -> list[Sentence]:
    """R7: safeguarding decisions (close, step down, end a plan, NFA, place, return, discharge), any section.

    Medical and adult-service discharges are found too; reading decides whether they are safeguarding
    decisions about a child.
    """
    return [s for s in sentences if R7_PATTERN.search(s.text) or R7_NFA.search(s.text)]


FAMILY_FUNCTIONS: dict[str, Callable[[Iterable[Sentence]], list[Sentence]]] = {
    "R1": r1_candidates,
    "R2": r2_candidates,
    "R3": r3_candidates,
    "R4": r4_candidates,
    "R5": r5_candidates,
    "R6": r6_candidates,
    "R7": r7_candidates,
}


def find_candidates(sentences: list[Sentence]) -> dict[str, list[Sentence]]:
    """The candidates of every family, keyed by family."""
    return {family: fn(sentences) for family, fn in FAMILY_FUNCTIONS.items()}


# --------------------------------------------------------------------------- decisions


def read_decisions(path: Path) -> list[dict[str, Any]]:
    """The decisions file, one object per line; an absent file is an empty list."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def final_labels(decisions: Iterable[dict[str, Any]]) -> dict[tuple[str, int, int], list[str]]:
    """The label set each decided sentence ends with, checking that decisions on one sentence agree.

    A sentence may be a candidate of several families; each family's decision is logged with the
    labels the sentence ends with, so all of them must give the same ``after``.
    """
    out: dict[tuple[str, int, int], list[str]] = {}
    for d in decisions:
        key = (d["record"], d["start"], d["end"])
        after = sorted(d["after"])
        if key in out and out[key] != after:
            raise ValueError(f"conflicting decisions for {key}: {out[key]} vs {after}")
        out[key] = after
    return out


def summarise_decisions(decisions: list[dict[str, Any]]) -> str:
    """A per-family table of the decisions file, with the commonest label changes."""
    per: dict[str, Counter[str]] = defaultdict(Counter)
    moves: dict[str, Counter[str]] = defaultdict(Counter)
    for d in decisions:
        per[d["family"]]["candidates"] += 1
        per[d["family"]]["changed" if d["changed"] else "kept"] += 1
        if d["changed"]:
            before, after = set(d["before"]), set(d["after"])
            moves[d["family"]][
                " ".join([f"-{x}" for x in sorted(before - after)] + [f"+{x}" for x in sorted(after - before)])
            ] += 1
    lines = [f"{'family':<8}{'candidates':>11}{'changed':>9}{'kept':>6}"]
    for fam in sorted(per):
        c = per[fam]
        lines.append(f"{fam:<8}{c['candidates']:>11}{c['changed']:>9}{c['kept']:>6}")
        for move, n in moves[fam].most_common():
            lines.append(f"    {n:>4}  {move}")
    total: Counter[str] = Counter()
    for c in per.values():
        total.update(c)
    lines.append(f"{'total':<8}{total['candidates']:>11}{total['changed']:>9}{total['kept']:>6}")
    sentences = {(d["record"], d["start"], d["end"]) for d in decisions}
    changed = {(d["record"], d["start"], d["end"]) for d in decisions if d["changed"]}
    lines.append(f"distinct sentences decided {len(sentences)}, changed {len(changed)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- applying


def _ordered(obj: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """``obj`` with its keys in ``order`` (unknown keys kept, after the known ones)."""
    out = {k: obj[k] for k in order if k in obj}
    out.update({k: v for k, v in obj.items() if k not in out})
    return out


def relabel_spans(
    spans: list[dict[str, Any]],
    after: list[str],
    start: int,
    end: int,
    identity: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Return the spans of the sentence ``(start, end)`` so that it carries exactly the labels ``after``.

    ``spans`` are its current spans (empty for an unlabelled sentence). A span whose label stays is
    kept as it is. A new label takes the sentence's ``comment`` (the authoring format gives every span
    of a line the same comment) and, when it replaces the other cultural_competence label, that
    span's identity attributes; a cultural label new to the sentence takes ``identity`` (the
    decision's optional ``identity`` object) instead. ``uncertain`` is not carried over: the rule has
    decided the label. A removed label goes with its attributes.
    """
    by_label = {s["label"]: s for s in spans}
    by_theme = {THEME[s["label"]]: s for s in spans}
    comment = next((s["comment"] for s in spans if "comment" in s), None)
    out = []
    for label in after:
        if label in by_label:
            out.append(by_label[label])
            continue
        new: dict[str, Any] = {"start": start, "end": end, "label": label}
        if label in CULTURAL_LABELS:
            old = by_theme.get(THEME[label])
            source = old if old is not None else (identity or {})
            for k in IDENTITY_ATTRS:
                if k in source:
                    new[k] = source[k]
        if comment is not None:
            new["comment"] = comment
        out.append(_ordered(new, SPAN_KEY_ORDER))
    return out


def apply_record(
    record: dict[str, Any],
    finals: dict[tuple[str, int, int], list[str]],
    identities: dict[tuple[str, int, int], dict[str, Any]] | None = None,
) -> bool:
    """Apply the decided labels to one record in place; True when anything changed.

    A decision on a sentence that has no spans yet (an unlabelled candidate) adds its spans.
    """
    identities = identities or {}
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for span in record["spans"]:
        groups[(span["start"], span["end"])].append(span)
    for rid, start, end in finals:
        if rid == record["id"]:
            groups.setdefault((start, end), [])
    changed = False
    spans: list[dict[str, Any]] = []
    for (start, end), group in groups.items():
        key = (record["id"], start, end)
        after = finals.get(key)
        if after is None or after == sorted(s["label"] for s in group):
            spans.extend(group)
            continue
        changed = True
        spans.extend(relabel_spans(group, after, start, end, identities.get(key)))
    if changed:
        record["spans"] = sorted(spans, key=lambda s: (s["start"], s["end"], s["label"]))
    return changed


def dump_record(record: dict[str, Any]) -> str:
    """One canonical JSONL line (without the newline), as the project's writer produces it."""
    return json.dumps(_ordered(record, RECORD_KEY_ORDER), ensure_ascii=False)


def apply_decisions(corpus: Path, decisions: list[dict[str, Any]]) -> dict[Path, int]:
    """Write the decided labels into the corpus files in place; returns changed records per file.

    Line order is kept and unchanged lines are written back byte for byte. Each file is replaced
    atomically.
    """
    finals = final_labels(decisions)
    identities = {(d["record"], d["start"], d["end"]): d["identity"] for d in decisions if "identity" in d}
    changed_files: dict[Path, int] = {}
    for path in corpus_files(corpus):
        raw = path.read_text(encoding="utf-8").splitlines(keepends=True)
        out_lines, n = [], 0
        for line in raw:
            if not line.strip():
                out_lines.append(line)
                continue
            record = json.loads(line)
            if apply_record(record, finals, identities):
                n += 1
                ending = "\n" if line.endswith("\n") else ""
                out_lines.append(dump_record(record) + ending)
            else:
                out_lines.append(line)
        if n:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.writelines(out_lines)
            os.chmod(tmp, path.stat().st_mode & 0o777)
            os.replace(tmp, path)
            changed_files[path] = n
    return changed_files


# --------------------------------------------------------------------------- CLI


def show(candidates: list[Sentence], decided: dict[tuple[str, int, int], dict[str, Any]]) -> None:
    """Print candidates with their labels and neighbouring sentences, for reading."""
    for s in candidates:
        d = decided.get(s.key)
        mark = "" if d is None else (" -> " + " ".join(d["after"]) if d["changed"] else " (kept)")
        labels = " ".join(s.labels) or "(unlabelled)"
        print(f"== {s.record} [{s.start}:{s.end}] {s.section}/{s.doc_kind}  {labels}{mark}")
        comments = sorted({sp["comment"] for sp in s.spans if "comment" in sp})
        if s.context_before:
            print(f"   < {s.context_before}")
        print(f"   * {s.text}")
        if s.context_after:
            print(f"   > {s.context_after}")
        for c in comments:
            print(f"   // {c}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="corpus folder (or one .jsonl file)")
    parser.add_argument(
        "--decisions",
        type=Path,
        default=None,
        help="decisions file (default: adjudication.jsonl beside the corpus folder)",
    )
    parser.add_argument("--family", action="append", choices=FAMILIES, help="only these families (repeatable)")
    parser.add_argument("--show", action="store_true", help="print every candidate in context")
    parser.add_argument("--undecided", action="store_true", help="with --show: only candidates without a decision")
    parser.add_argument("--log", action="store_true", help="print the decisions file summary")
    parser.add_argument("--apply", action="store_true", help="write the decided labels into the corpus")
    args = parser.parse_args(argv)

    decisions_path = args.decisions or args.corpus.resolve().parent / "adjudication.jsonl"
    decisions = read_decisions(decisions_path)
    families = args.family or list(FAMILIES)

    if args.log:
        print(f"decisions: {decisions_path}")
        print(summarise_decisions([d for d in decisions if d["family"] in families]))
        return 0

    if args.apply:
        changed = apply_decisions(args.corpus, decisions)
        for path, n in changed.items():
            print(f"{path}: {n} record(s) changed")
        print(f"applied: {sum(changed.values())} record(s) in {len(changed)} file(s)")
        return 0

    sentences = load_sentences(args.corpus)
    candidates = find_candidates(sentences)
    by_family: dict[str, dict[tuple[str, int, int], dict[str, Any]]] = defaultdict(dict)
    for d in decisions:
        by_family[d["family"]][(d["record"], d["start"], d["end"])] = d
    n_labelled = sum(1 for x in sentences if x.spans)
    print(f"{n_labelled} labelled and {len(sentences) - n_labelled} unlabelled sentences under {args.corpus}")
    print(f"{'family':<8}{'candidates':>11}{'changed':>9}{'kept':>6}{'undecided':>11}")
    for fam in families:
        cands = candidates[fam]
        dec = by_family[fam]
        # A decided sentence stays counted after a change has taken it out of the family's label
        # condition (R6 drops the identity label that made it a candidate).
        keys = {s.key for s in cands} | set(dec)
        n_changed = sum(1 for k in keys if k in dec and dec[k]["changed"])
        n_kept = sum(1 for k in keys if k in dec and not dec[k]["changed"])
        undecided = len(keys) - n_changed - n_kept
        print(f"{fam:<8}{len(keys):>11}{n_changed:>9}{n_kept:>6}{undecided:>11}")
        if args.show:
            todo = [s for s in cands if s.key not in dec] if args.undecided else cands
            show(todo, dec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
