"""The corpus as Hugging Face datasets: one row per sentence unit, built offline without touching HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewlens.training.corpus.formats.sentences import parse_sentences
from reviewlens.training.corpus.hf_dataset import load_dataset_dict, to_dataset
from reviewlens.training.corpus.records import write_jsonl
from reviewlens.training.corpus.units import record_units

DRAFT = """\
@document d1 kind=lcspr
@excerpt d1-a section=analysis
The social worker visited the home on 3 May. || DESCRIPTIVE
Practitioners did not explore why the family avoided services. || ANALYTICAL RISK_UNSUPPORTED
The family moved to the area in 2019 and registered with a GP. ||
@excerpt d1-b section=learning
Nobody asked what the family's faith meant for their support. || CULTURAL_ANALYSIS
@document d2 kind=scr
@excerpt d2-a
The health visitor saw the baby twice before the incident. || DESCRIPTIVE
@document d3 kind=cpr
@excerpt d3-a section=chronology
The child's heritage was recorded but never discussed at all. || IDENTITY_MENTION(child;ethnicity_race)
"""
SPLITS = {"d1": "train", "d2": "dev", "d3": "test"}


def test_to_dataset_has_one_row_per_sentence_unit():
    records = parse_sentences(DRAFT)
    ds = to_dataset(records, SPLITS)
    assert ds.num_rows == sum(len(record_units(r)) for r in records) == 6
    assert set(ds.column_names) >= {
        "record_id",
        "document_id",
        "text",
        "section",
        "split",
        "analysis_depth",
        "cultural_competence",
        "risk_reasoning",
    }
    second = ds[1]
    assert second["record_id"] == "d1-a" and second["document_id"] == "d1" and second["split"] == "train"
    assert second["text"] == "Practitioners did not explore why the family avoided services."
    assert (second["analysis_depth"], second["cultural_competence"], second["risk_reasoning"]) == (
        "ANALYTICAL",
        "",
        "RISK_UNSUPPORTED",
    )
    unlabelled = ds[2]
    assert unlabelled["analysis_depth"] == unlabelled["risk_reasoning"] == ""
    assert ds[4]["section"] == "unknown"  # an excerpt with no section
    assert to_dataset(records, None)["split"] == [""] * 6
    assert ds.cache_files == []


def test_empty_corpus_keeps_the_schema():
    ds = to_dataset([], None)
    assert ds.num_rows == 0 and "analysis_depth" in ds.column_names


def write_corpus(tmp_path: Path, splits: dict[str, str]) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(parse_sentences(DRAFT), corpus)
    split_path = tmp_path / "splits.json"
    split_path.write_text(json.dumps(splits), encoding="utf-8")
    return corpus, split_path


def test_load_dataset_dict_splits_by_document(tmp_path):
    corpus, split_path = write_corpus(tmp_path, SPLITS)
    dd = load_dataset_dict([corpus], split_path)
    assert set(dd) == {"train", "dev", "test"}
    assert (dd["train"].num_rows, dd["dev"].num_rows, dd["test"].num_rows) == (4, 1, 1)
    assert set(dd["train"]["document_id"]) == {"d1"}
    assert dd["test"][0]["cultural_competence"] == "IDENTITY_MENTION"


def test_load_dataset_dict_refuses_unsplit_documents(tmp_path):
    corpus, split_path = write_corpus(tmp_path, {"d1": "train", "d2": "dev"})
    with pytest.raises(ValueError, match="no split for document"):
        load_dataset_dict([corpus], split_path)


@pytest.mark.slow  # starts a fresh interpreter so `datasets` is imported under the empty HOME
def test_offline_build_writes_nothing_under_home(tmp_path):
    corpus, split_path = write_corpus(tmp_path, SPLITS)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "XDG_"))}
    env.update(HOME=str(home), HF_DATASETS_OFFLINE="1")
    code = (
        "import sys; from reviewlens.training.corpus.hf_dataset import load_dataset_dict; "
        "dd = load_dataset_dict([sys.argv[1]], sys.argv[2]); print(dd['train'].num_rows)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(split_path)],
        env=env,
        cwd=Path.cwd(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert out.stdout.strip() == "4"
    assert list(home.rglob("*")) == []
