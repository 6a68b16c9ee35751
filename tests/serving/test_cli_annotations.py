"""`reviewlens annotations import/export/agree` end to end through the Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.tokens import DocBin
from typer.testing import CliRunner

from reviewlens.cli.main import app
from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.corpus.formats.sentences import parse_sentences
from reviewlens.training.corpus.records import write_jsonl
from reviewlens.training.corpus.validate import load_corpus

S1 = "The social worker visited the home on 3 May."
S2 = "Practitioners did not explore why the family avoided services."
TEXT = f"{S1} {S2}"
S2_START = len(S1) + 1

DRAFT = """\
@document d1 kind=lcspr
@excerpt d1-a section=analysis
The social worker visited the home on 3 May. || DESCRIPTIVE
Practitioners did not explore why the family avoided services. || ANALYTICAL RISK_UNSUPPORTED
@document d2 kind=scr
@excerpt d2-a section=learning
Nobody asked what the family's faith meant for their support. || CULTURAL_ANALYSIS
"""

runner = CliRunner()


def run(*args: str | Path):
    return runner.invoke(app, ["annotations", *map(str, args)])


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    write_jsonl(parse_sentences(DRAFT), path)
    return path


def test_import_labelstudio_reports_snapped_span(tmp_path):
    value = {"start": 1, "end": len(S1), "text": S1[1:], "labels": ["DESCRIPTIVE"]}
    tasks = [
        {
            "id": 8,
            "data": {"text": TEXT, "id": "ex-8"},
            "annotations": [{"completed_by": 2, "result": [{"id": "a", "type": "labels", "value": value}]}],
        }
    ]
    src = tmp_path / "ls.json"
    src.write_text(json.dumps(tasks), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("import", src, "-o", out, "--format", "labelstudio", "--doc-kind", "lcspr", "--source", "published:t")
    assert result.exit_code == 0, result.output
    assert "[ex-8]" in result.stderr and "snapped to 0-44" in result.stderr
    assert "wrote 1 record(s) with 1 span(s)" in result.stdout
    (rec,) = load_corpus([out])
    assert (rec.id, rec.doc_kind, rec.annotator) == ("ex-8", "lcspr", "2")
    assert [(s.start, s.end, s.label) for s in rec.spans] == [(0, len(S1), "DESCRIPTIVE")]


def test_import_prodigy_counts_rejected_answers(tmp_path):
    src = tmp_path / "p.jsonl"
    lines = [
        {
            "text": TEXT,
            "meta": {"id": "p1"},
            "answer": "accept",
            "spans": [{"start": S2_START, "end": len(TEXT), "label": "ANALYTICAL"}],
        },
        {"text": S1, "answer": "reject", "spans": []},
    ]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("import", src, "-o", out, "-f", "prodigy", "--source", "published:test")
    assert result.exit_code == 0, result.output
    assert "warning: 1 task(s) answered 'reject' skipped" in result.stderr
    (rec,) = load_corpus([out])
    assert rec.id == "p1" and rec.source == "published:test"


def test_import_doccano_both_forms(tmp_path):
    src = tmp_path / "d.jsonl"
    lines = [
        {"id": 1, "text": TEXT, "label": [[0, len(S1), "DESCRIPTIVE"], [S2_START, len(TEXT), "BOGUS"]]},
        {
            "id": 2,
            "text": S2,
            "entities": [{"start_offset": 0, "end_offset": len(S2), "label": "ANALYTICAL"}],
        },
    ]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("import", src, "-o", out, "-f", "doccano", "--source", "published:t")
    assert result.exit_code == 0, result.output
    assert "unknown label 'BOGUS'" in result.stderr
    assert [(r.id, len(r.spans)) for r in load_corpus([out])] == [("doccano-1", 1), ("doccano-2", 1)]


def test_import_brat_folder(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "rev1.txt").write_text(TEXT, encoding="utf-8")
    (folder / "rev1.ann").write_text(
        f"T1\tDESCRIPTIVE 0 {len(S1)}\t{S1}\n"
        f"T2\tRISK_REASONED {S2_START} {len(TEXT)}\t{S2}\n"
        "#1\tAnnotatorNotes T1\tok\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run("import", folder, "-o", out, "-f", "brat", "--source", "published:t")
    assert result.exit_code == 0, result.output
    assert "1 brat note (#) line(s) ignored" in result.stderr
    (rec,) = load_corpus([out])
    assert rec.id == "rev1" and {s.label for s in rec.spans} == {"DESCRIPTIVE", "RISK_REASONED"}


def test_import_refuses_malformed_input_and_invalid_records(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"text": "fine text here"}\n{broken\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("import", src, "-o", out, "-f", "prodigy", "--source", "published:t")
    assert result.exit_code == 1 and "bad.jsonl:2: invalid JSON" in result.stderr
    # Two labels of one theme overlapping survive import but fail validation: nothing may be written.
    spans = [
        {"start": 0, "end": len(S1), "label": "DESCRIPTIVE"},
        {"start": 4, "end": len(TEXT), "label": "ANALYTICAL"},
    ]
    src.write_text(json.dumps({"text": TEXT, "spans": spans}) + "\n", encoding="utf-8")
    result = run("import", src, "-o", out, "-f", "prodigy", "--source", "published:t")
    assert result.exit_code == 1 and "two analysis_depth labels" in result.stderr
    assert not out.exists()


def test_export_prodigy_and_docbin(tmp_path, corpus):
    prodigy_out = tmp_path / "out" / "tasks.jsonl"
    result = run("export", corpus, "-o", prodigy_out, "--format", "prodigy")
    assert result.exit_code == 0, result.output
    assert "wrote 2 record(s)" in result.stdout
    tasks = [json.loads(line) for line in prodigy_out.read_text(encoding="utf-8").splitlines()]
    assert [t["meta"]["id"] for t in tasks] == ["d1-a", "d2-a"] and len(tasks[0]["spans"]) == 3

    docbin_out = tmp_path / "out" / "train.spacy"
    result = run("export", corpus, "-o", docbin_out, "-f", "docbin")
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(docbin_out).get_docs(tokenizer_nlp().vocab))
    assert [d.user_data["id"] for d in docs] == ["d1-a", "d2-a"]
    assert sorted(s.label_ for s in docs[0].spans["sc"]) == ["ANALYTICAL", "DESCRIPTIVE", "RISK_UNSUPPORTED"]


def test_agree_prints_kappa_and_span_tables(tmp_path, corpus):
    records = load_corpus([corpus])
    records[0].spans = [s for s in records[0].spans if s.label != "RISK_UNSUPPORTED"]
    other = tmp_path / "b.jsonl"
    write_jsonl(records, other)
    result = run("agree", corpus, other)
    assert result.exit_code == 0, result.output
    assert "records compared: 2" in result.stdout
    depth = next(line for line in result.stdout.splitlines() if line.startswith("analysis_depth"))
    assert depth.split()[-1] == "1.000"
    overall = next(line for line in result.stdout.splitlines() if line.startswith("all"))
    assert overall.split()[1:4] == ["4", "3", "3"]


def test_agree_fails_without_shared_ids(tmp_path, corpus):
    other = tmp_path / "b.jsonl"
    records = load_corpus([corpus])
    for r in records:
        r.id = f"x-{r.id}"
    write_jsonl(records, other)
    result = run("agree", corpus, other)
    assert result.exit_code == 1 and "share no record ids" in result.stderr


def test_import_of_foreign_data_must_say_where_it_came_from(tmp_path):
    src = tmp_path / "d.jsonl"
    src.write_text(json.dumps({"id": 1, "text": TEXT, "label": [[0, len(S1), "DESCRIPTIVE"]]}) + "\n")
    out = tmp_path / "out.jsonl"
    result = run("import", src, "-o", out, "-f", "doccano")
    assert result.exit_code == 1 and "--source" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["annotations", "export", "annotations/corpus", "-o", "x.jsonl", "--format", "xml"],
        ["annotations", "import", "x.txt", "-o", "x.jsonl", "--format", "csv"],
        ["annotations", "import", "x.txt", "-o", "x.jsonl", "--doc-kind", "novel"],
        ["analyze", "x.txt", "--format", "pdf"],
        ["analyze", "x.txt", "--doc-kind", "novel"],
        ["score", "x", "--store", "s.sqlite", "--engine", "spark"],
        ["evaluate", "default", "--split", "holdout"],
        ["compare", "a", "b", "--split", "holdout"],
    ],
)
def test_enumerated_options_take_only_their_choices(args: list[str]) -> None:
    """Issue 11: `--format` accepted free text; now a typo is a usage error (exit 2) naming the choices."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "is not one of" in result.output
