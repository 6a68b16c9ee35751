"""Foreign annotation formats: importers' checks and warnings, and lossless exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.tokens import DocBin

from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.corpus.formats.foreign import EXPORTERS, IMPORTERS
from reviewlens.training.corpus.formats.import_checks import utf16_to_code_points
from reviewlens.training.corpus.formats.registry import export_records, import_file
from reviewlens.training.corpus.formats.sentences import parse_sentences
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.validate import check_record

S1 = "The social worker visited the home on 3 May."
S2 = "Practitioners did not explore why the family avoided services."
TEXT = f"{S1} {S2}"
S2_START = len(S1) + 1

DRAFT = """\
@document d1 kind=lcspr
@excerpt d1-analysis section=analysis
The social worker visited the home on 3 May. || DESCRIPTIVE
Practitioners did not explore why the family avoided services. || ANALYTICAL RISK_UNSUPPORTED
Her heritage was not considered. || DESCRIPTIVE IDENTITY_MENTION(child;ethnicity_race,religion)? // unsure

Nobody asked what the family's faith meant for their support. || CULTURAL_ANALYSIS
@document d2 kind=rapid_review
@excerpt d2-background section=background
The family moved to the area in 2019 and registered with a GP. ||
Health visitors saw the baby twice before the incident. || DESCRIPTIVE
"""


def canonical() -> list[Record]:
    recs = parse_sentences(DRAFT)
    recs[0].meta = {"ethnicity_withheld": True, "title": "Child D"}
    recs[1].annotator = "ann-2"
    for rec in recs:
        assert check_record(rec.to_json()) == []
    return recs


def write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def jsonl(path: Path, objs: list[dict]) -> Path:
    return write(path, "".join(json.dumps(o) + "\n" for o in objs))


def spans_of(rec: Record) -> list[tuple[int, int, str]]:
    return sorted((s.start, s.end, s.label) for s in rec.spans)


def test_registry_offers_every_foreign_format():
    assert set(IMPORTERS) == {"labelstudio", "prodigy", "doccano", "brat"}
    assert set(EXPORTERS) == {"prodigy", "docbin"}


# --- Label Studio -----------------------------------------------------------------------------------------


def ls_region(rid: str, start: int, end: int, label: str, text: str = TEXT) -> dict:
    value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    return {"id": rid, "type": "labels", "from_name": "label", "to_name": "text", "value": value}


def test_labelstudio_import_uses_first_completed_annotation_and_task_data(tmp_path):
    tasks = [
        {
            "id": 11,
            "data": {
                "text": TEXT,
                "id": "ex-1",
                "document": "doc-1",
                "doc_kind": "scr",
                "section": "analysis",
            },
            "annotations": [
                {
                    "was_cancelled": True,
                    "completed_by": 1,
                    "result": [ls_region("x", 0, len(S1), "ANALYTICAL")],
                },
                {
                    "completed_by": {"id": 2, "email": "b@example.org"},
                    "result": [
                        ls_region("a", 0, len(S1), "DESCRIPTIVE"),
                        ls_region("b", S2_START, len(TEXT), "ANALYTICAL"),
                    ],
                },
            ],
        },
        {"id": 12, "data": {"text": S2}, "annotations": [{"completed_by": 3, "result": []}]},
        {"id": 13, "data": {"text": S1}, "annotations": [{"was_cancelled": True, "result": []}]},
    ]
    path = write(tmp_path / "ls.json", json.dumps(tasks))
    result = import_file(path, "labelstudio", source="published:test", doc_kind="lcspr")
    first, second = result.records
    assert (first.id, first.document, first.doc_kind, first.section) == ("ex-1", "doc-1", "scr", "analysis")
    assert first.annotator == "b@example.org" and first.source == "published:test"
    assert spans_of(first) == [(0, len(S1), "DESCRIPTIVE"), (S2_START, len(TEXT), "ANALYTICAL")]
    assert (second.id, second.doc_kind, second.annotator, second.spans) == ("ls-12", "lcspr", "3", [])
    assert "1 task(s) without a completed annotation skipped" in result.warnings
    assert all(check_record(r.to_json()) == [] for r in result.records)


def test_labelstudio_misaligned_span_is_snapped_and_reported(tmp_path):
    start, end = 5, 22  # "ocial worker visi": starts and ends inside words
    tasks = [
        {
            "id": 1,
            "data": {"text": TEXT},
            "annotations": [{"result": [ls_region("a", start, end, "DESCRIPTIVE")]}],
        }
    ]
    result = import_file(write(tmp_path / "ls.json", json.dumps(tasks)), "labelstudio")
    (rec,) = result.records
    assert spans_of(rec) == [(4, 25, "DESCRIPTIVE")]
    assert TEXT[4:25] == "social worker visited"
    snapped = [w for w in result.warnings if "snapped" in w and "[ls-1]" in w]
    assert len(snapped) == 1
    assert f"{start}-{end}" in snapped[0] and repr(TEXT[start:end]) in snapped[0] and "4-25" in snapped[0]
    assert "1 span(s) snapped to token boundaries" in result.warnings
    assert check_record(rec.to_json()) == []


def test_labelstudio_unknown_label_is_reported_and_skipped(tmp_path):
    results = [ls_region("a", 0, len(S1), "DESCRIPTIV"), ls_region("b", S2_START, len(TEXT), "ANALYTICAL")]
    tasks = [{"id": 1, "data": {"text": TEXT}, "annotations": [{"result": results}]}]
    result = import_file(write(tmp_path / "ls.json", json.dumps(tasks)), "labelstudio")
    assert spans_of(result.records[0]) == [(S2_START, len(TEXT), "ANALYTICAL")]
    assert any("[ls-1]" in w and "unknown label 'DESCRIPTIV'" in w for w in result.warnings)
    assert "1 span(s) with unknown labels skipped" in result.warnings


def test_labelstudio_utf16_offsets_and_region_identity_choices(tmp_path):
    text = "Mum 😀 said she was Somali. The child was fine."
    sent = "Mum 😀 said she was Somali."
    # Label Studio counts the emoji as two UTF-16 units, so its end offset is one past ours.
    results = [
        {
            "id": "r1",
            "type": "labels",
            "value": {"start": 0, "end": len(sent) + 1, "text": sent, "labels": ["IDENTITY_MENTION"]},
        },
        {
            "id": "r1",
            "type": "choices",
            "from_name": "identity_subject",
            "value": {"choices": ["parent_carer"]},
        },
        {
            "id": "r1",
            "type": "choices",
            "from_name": "identity_facet",
            "value": {"choices": ["ethnicity_race"]},
        },
        {"id": "r9", "type": "textarea", "from_name": "notes", "value": {"text": ["hmm"]}},
    ]
    tasks = [{"id": 4, "data": {"text": text}, "annotations": [{"result": results}]}]
    result = import_file(write(tmp_path / "ls.json", json.dumps(tasks)), "labelstudio")
    (span,) = result.records[0].spans
    assert (span.start, span.end, span.label) == (0, len(sent), "IDENTITY_MENTION")
    assert (span.identity_subject, span.identity_facet) == ("parent_carer", ["ethnicity_race"])
    assert "1 span(s) converted from UTF-16 offsets" in result.warnings
    assert "1 Label Studio result(s) of type 'textarea' ignored" in result.warnings


def test_utf16_offset_conversion():
    assert utf16_to_code_points("a😀b", 3) == 2
    assert utf16_to_code_points("a😀b", 2) is None  # inside the surrogate pair
    assert utf16_to_code_points("a😀b", 4) == 3


def test_labelstudio_malformed_input_names_file_and_task(tmp_path):
    bad = write(tmp_path / "bad.json", "[{")
    with pytest.raises(ValueError, match=r"bad\.json: invalid JSON"):
        import_file(bad, "labelstudio")
    no_text = write(tmp_path / "nt.json", json.dumps([{"id": 5, "data": {"title": "x"}, "annotations": []}]))
    with pytest.raises(ValueError, match=r"nt\.json task 5: missing or empty `text`"):
        import_file(no_text, "labelstudio")


# --- Prodigy ----------------------------------------------------------------------------------------------


def test_prodigy_import_skips_rejected_and_ignored_with_counts(tmp_path):
    spans = [{"start": 0, "end": len(S1), "label": "DESCRIPTIVE"}]
    path = jsonl(
        tmp_path / "p.jsonl",
        [
            {
                "text": TEXT,
                "spans": spans,
                "answer": "accept",
                "_input_hash": 42,
                "_annotator_id": "ds-alice",
                "meta": {"doc_kind": "cpr", "section": "chronology", "document": "rev-9"},
            },
            {"text": S1, "spans": spans, "answer": "reject"},
            {"text": S1, "spans": [], "answer": "ignore"},
            {"text": S2, "spans": [], "answer": "reject"},
            {"text": S2, "meta": {"id": "mine"}},
        ],
    )
    result = import_file(path, "prodigy")
    first, second = result.records
    assert (first.id, first.doc_kind, first.section, first.document) == (
        "prodigy-42",
        "cpr",
        "chronology",
        "rev-9",
    )
    assert first.annotator == "ds-alice" and spans_of(first) == [(0, len(S1), "DESCRIPTIVE")]
    assert second.id == "mine" and second.spans == []
    assert "2 task(s) answered 'reject' skipped" in result.warnings
    assert "1 task(s) answered 'ignore' skipped" in result.warnings


def test_prodigy_import_snaps_and_reports_unknown_labels(tmp_path):
    path = jsonl(
        tmp_path / "p.jsonl",
        [
            {
                "text": TEXT,
                "meta": {"id": "r1"},
                "spans": [
                    {"start": 1, "end": len(S1), "label": "DESCRIPTIVE"},
                    {"start": S2_START, "end": len(TEXT), "label": "analytical"},
                ],
            }
        ],
    )
    result = import_file(path, "prodigy")
    assert spans_of(result.records[0]) == [(0, len(S1), "DESCRIPTIVE")]
    assert any("[r1]" in w and "1-44" in w and "snapped to 0-44" in w for w in result.warnings)
    assert any("[r1]" in w and "unknown label 'analytical'" in w for w in result.warnings)


def test_prodigy_malformed_lines_name_the_line(tmp_path):
    bad = write(tmp_path / "p.jsonl", json.dumps({"text": S1}) + "\n{not json\n")
    with pytest.raises(ValueError, match=r"p\.jsonl:2: invalid JSON"):
        import_file(bad, "prodigy")
    no_text = jsonl(tmp_path / "q.jsonl", [{"spans": []}])
    with pytest.raises(ValueError, match=r"q\.jsonl:1: missing or empty `text`"):
        import_file(no_text, "prodigy")


def test_canonical_prodigy_canonical_round_trip(tmp_path):
    records = canonical()
    out = tmp_path / "out.jsonl"
    assert export_records(records, out, "prodigy") == len(records)
    task = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert task["meta"]["id"] == "d1-analysis" and task["meta"]["document"] == "d1"
    assert task["meta"]["doc_kind"] == "lcspr" and task["meta"]["section"] == "analysis"
    assert task["meta"]["source"] == "authored" and task["answer"] == "accept"
    tokens = task["tokens"]
    for span in task["spans"]:  # Prodigy renders spans from token indices; they must agree with the offsets
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]
    back = import_file(out, "prodigy", source="ignored-when-meta-has-one", doc_kind="other")
    assert back.warnings == []
    assert [r.to_json() for r in back.records] == [r.to_json() for r in records]


# --- doccano ----------------------------------------------------------------------------------------------


def test_doccano_both_forms(tmp_path):
    path = jsonl(
        tmp_path / "d.jsonl",
        [
            {
                "id": 3,
                "text": TEXT,
                "label": [[0, len(S1), "DESCRIPTIVE"], [S2_START, len(TEXT) - 4, "ANALYTICAL"]],
            },
            {
                "text": TEXT,
                "document": "doc-7",
                "entities": [
                    {"id": 1, "start_offset": S2_START, "end_offset": len(TEXT), "label": "RISK_UNSUPPORTED"},
                    {"id": 2, "start_offset": 0, "end_offset": 3, "label": "NOPE"},
                ],
                "relations": [],
            },
        ],
    )
    result = import_file(path, "doccano", doc_kind="scr")
    first, second = result.records
    assert first.id == "doccano-3" and first.doc_kind == "scr"
    # The end offset fell inside "services": the span now ends with the word (the full stop is its own token).
    assert spans_of(first) == [(0, len(S1), "DESCRIPTIVE"), (S2_START, len(TEXT) - 1, "ANALYTICAL")]
    assert second.id == "doccano-line2" and second.document == "doc-7"
    assert spans_of(second) == [(S2_START, len(TEXT), "RISK_UNSUPPORTED")]
    assert "1 span(s) snapped to token boundaries" in result.warnings
    assert "1 span(s) with unknown labels skipped" in result.warnings


def test_doccano_offsets_outside_text_and_classification_exports(tmp_path):
    path = jsonl(tmp_path / "d.jsonl", [{"id": 1, "text": S1, "label": [[0, 500, "DESCRIPTIVE"]]}])
    result = import_file(path, "doccano")
    assert result.records[0].spans == []
    assert "1 span(s) with bad offsets skipped" in result.warnings
    classification = jsonl(tmp_path / "c.jsonl", [{"id": 1, "text": S1, "label": ["positive"]}])
    with pytest.raises(ValueError, match=r"c\.jsonl:1 \[doccano-1\]: `label` must be"):
        import_file(classification, "doccano")


# --- brat -------------------------------------------------------------------------------------------------


def test_brat_single_file_with_discontinuous_and_ignored_lines(tmp_path):
    write(tmp_path / "case 1.txt", TEXT + "\n")
    ann = write(
        tmp_path / "case 1.ann",
        "\n".join(
            [
                f"T1\tDESCRIPTIVE 0 {len(S1)}\t{S1}",
                f"T2\tANALYTICAL {S2_START} {S2_START + 13};{S2_START + 22} {len(TEXT)}\t"
                "Practitioners services.",
                f"T3\tRISK_REASONED {S2_START + 1} {len(TEXT)}\t{TEXT[S2_START + 1 :]}",
                "T4\tFEELING 0 3\tThe",
                "A1\tUncertain T1",
                "#1\tAnnotatorNotes T1\tcheck this",
            ]
        )
        + "\n",
    )
    result = import_file(ann, "brat", source="published:x", doc_kind="cpr")
    (rec,) = result.records
    assert rec.id == "case_1" and rec.text == TEXT + "\n" and rec.doc_kind == "cpr"
    assert spans_of(rec) == [
        (0, len(S1), "DESCRIPTIVE"),
        (S2_START, len(TEXT), "ANALYTICAL"),
        (S2_START, len(TEXT), "RISK_REASONED"),
    ]
    assert "1 discontinuous span(s) widened to their outer range" in result.warnings
    assert "1 span(s) snapped to token boundaries" in result.warnings
    assert "1 span(s) with unknown labels skipped" in result.warnings
    assert "1 brat attribute (A) line(s) ignored" in result.warnings
    assert "1 brat note (#) line(s) ignored" in result.warnings
    assert "1 id(s) renamed" in result.warnings


def test_brat_folder_of_pairs_and_malformed_lines(tmp_path):
    for name, label in (("a", "DESCRIPTIVE"), ("b", "ANALYTICAL")):
        write(tmp_path / f"{name}.txt", S1)
        write(tmp_path / f"{name}.ann", f"T1\t{label} 0 {len(S1)}\t{S1}\n")
    write(tmp_path / "orphan.txt", S2)
    result = import_file(tmp_path, "brat")
    assert [(r.id, spans_of(r)) for r in result.records] == [
        ("a", [(0, len(S1), "DESCRIPTIVE")]),
        ("b", [(0, len(S1), "ANALYTICAL")]),
    ]
    assert "1 text file(s) without .ann skipped" in result.warnings
    write(tmp_path / "b.ann", "T1\tANALYTICAL zero 4\tThe\n")
    with pytest.raises(ValueError, match=r"b\.ann:1 \[b\]: malformed text-bound annotation"):
        import_file(tmp_path / "b.ann", "brat")


def test_brat_text_mismatch_is_reported(tmp_path):
    write(tmp_path / "x.txt", TEXT)
    ann = write(tmp_path / "x.ann", f"T1\tDESCRIPTIVE 0 {len(S1)}\tSomething else entirely.\n")
    result = import_file(ann, "brat")
    assert result.records[0].spans == []
    assert any("differs from the text at these offsets" in w for w in result.warnings)


# --- DocBin -----------------------------------------------------------------------------------------------


def test_canonical_docbin_round_trip_through_spacy(tmp_path):
    records = canonical()
    out = tmp_path / "corpus.spacy"
    assert export_records(records, out, "docbin") == len(records)
    nlp = tokenizer_nlp()
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert len(docs) == len(records)
    for doc, rec in zip(docs, records, strict=True):
        assert doc.text == rec.text
        got = sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["sc"])
        assert got == spans_of(rec)
        assert doc.user_data["id"] == rec.id and doc.user_data["doc_kind"] == rec.doc_kind
        assert doc.user_data.get("document") == rec.document and doc.user_data.get("section") == rec.section
    assert docs[0].user_data["meta"] == {"ethnicity_withheld": True, "title": "Child D"}
    assert docs[1].user_data["annotator"] == "ann-2"
    (attrs,) = [a for a in docs[0].user_data["span_attrs"] if a["label"] == "IDENTITY_MENTION"]
    assert attrs["identity_subject"] == "child" and list(attrs["identity_facet"]) == [
        "ethnicity_race",
        "religion",
    ]
    assert attrs["uncertain"] is True and attrs["comment"] == "unsure"
    # Two themes on one sentence: the span group keeps both overlapping spans.
    assert len({(s.start_char, s.end_char) for s in docs[0].spans["sc"]}) < len(docs[0].spans["sc"])


def test_exporters_refuse_spans_off_token_boundaries(tmp_path):
    rec = canonical()[0]
    rec.spans[0].start += 1
    for fmt in ("prodigy", "docbin"):
        with pytest.raises(ValueError, match="does not align to tokens"):
            export_records([rec], tmp_path / f"x.{fmt}", fmt)
