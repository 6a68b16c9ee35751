"""`annotations export --format spacy`: one DocBin per split that `spacy debug data` accepts (issue 11, item 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from spacy.tokens import DocBin
from typer.testing import CliRunner

from reviewlens.cli.main import app
from reviewlens.models.labels import LABELS, THEMES
from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.corpus.records import write_jsonl
from reviewlens.training.corpus.splits import read_splits, write_splits
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus

ROOT = Path(__file__).resolve().parents[3]


def test_spacy_export_per_split_with_sentences_span_groups_and_cats(tmp_path: Path) -> None:
    splits = read_splits(ROOT / "annotations" / "splits.json")
    chosen = {
        doc: split for split in ("train", "dev", "test")
        for doc in sorted(k for k, v in splits.items() if v == split)[:1]
    }
    records = [r for r in load_corpus([ROOT / "annotations" / "corpus"]) if r.document_id in chosen]
    write_jsonl(records, tmp_path / "c.jsonl")
    write_splits(chosen, tmp_path / "splits.json")
    out = tmp_path / "spacy"
    result = CliRunner().invoke(app, ["annotations", "export", str(tmp_path / "c.jsonl"), "-o", str(out), "-f",
                                      "spacy", "--splits", str(tmp_path / "splits.json")])
    assert result.exit_code == 0, result.output
    vocab = tokenizer_nlp().vocab
    span_docs = list(DocBin().from_disk(out / "spans" / "train.spacy").get_docs(vocab))
    train_records = [r for r in records if chosen[r.document_id] == "train"]
    assert len(span_docs) == len(train_records)
    for doc, record in zip(span_docs, train_records, strict=True):
        units = record_units(record)
        starts = [s.start_char for s in doc.sents]
        assert all(u.start in starts for u in units), "every corpus sentence starts a spaCy sentence"
        for theme in THEMES:
            assert {s.label_ for s in doc.spans[theme.name]} <= set(theme.labels)
        assert len(doc.spans["sc"]) == len(record.spans)
    cat_docs = list(DocBin().from_disk(out / "textcat" / "train.spacy").get_docs(vocab))
    assert len(cat_docs) == sum(len(record_units(r)) for r in train_records)
    assert all(set(d.cats) == set(LABELS) and set(d.cats.values()) <= {0.0, 1.0} for d in cat_docs)
    assert any(d.cats["RISK_UNSUPPORTED"] == 1.0 for d in cat_docs)
    debug = subprocess.run(
        [sys.executable, "-m", "spacy", "debug", "data", str(ROOT / "training" / "configs" / "spacy_textcat.cfg"),
         "--paths.train", str(out / "textcat" / "train.spacy"), "--paths.dev", str(out / "textcat" / "dev.spacy")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert debug.returncode == 0, debug.stdout[-2000:] + debug.stderr[-2000:]
    assert "Corpus is loadable" in debug.stdout
