"""A sentence's scores do not depend on what shares its batch (issue 9, item 4).

A model with a fine-tuned ONNX member (the default's recipe, shrunk: a few dozen sentences, one epoch) scores one
draft alone, beside other texts in one call (as `/v1/analyze/batch` and `analyze --jsonl` do), and in bulk; the
findings must be the same and every score equal to 1e-6. The same model quantised dynamically, whose activation
scales come from each batch, is the control: its scores move, so the comparison can fail.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from reviewlens.models.analyzer import Analyzer, sentence_context
from reviewlens.models.backends.context import SentenceContext, reads_context
from reviewlens.models.segmentation import is_classifiable, segment
from reviewlens.serving.bulk.scoring import DocInput, score_documents
from reviewlens.training.config import FinetuneConfig
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.data import make_split
from reviewlens.training.finetune import finetune
from reviewlens.training.finetune_context import finetune_in_context

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _model(tiny_model_dir: Path, out: Path, quantize: str, context: bool = False) -> Analyzer:
    """The tiny linear model with a fine-tuned member beside it, as the default ensemble is built."""
    shutil.copytree(tiny_model_dir, out)
    records = load_corpus([ROOT / "annotations" / "corpus" / "batch_a.jsonl"])[:6]
    units = [u for r in records for u in record_units(r)][:64]
    cfg = FinetuneConfig(epochs=1, batch_size=16, max_length=64, threads=2, quantize=quantize, context=context,
                         window_tokens=160)
    tune = finetune_in_context if context else finetune
    tune(make_split(units), out / "finetuned", cfg, seed=13, log=lambda _m: None)
    manifest = json.loads((out / "model.json").read_text(encoding="utf-8"))
    manifest["backend"] = {"type": "ensemble", "members": [
        {"type": "linear", "path": "linear", "weight": 0.5}, {"type": "finetuned", "path": "finetuned", "weight": 0.5}
    ]}
    (out / "model.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Analyzer.load(out)


def _three_ways(analyzer: Analyzer, draft: str, others: list[str]) -> list[dict]:
    alone = analyzer.analyze(draft).model_dump(mode="json")
    beside = analyzer.analyze_many([others[0], draft, others[1]])[1].model_dump(mode="json")
    rows = score_documents(
        [DocInput(name="a.txt", data=others[1].encode()), DocInput(name="draft.txt", data=draft.encode()),
         DocInput(name="b.txt", data=others[0].encode())],
        analyzer,
    )
    assert [r["status"] for r in rows] == ["ok"] * 3
    return [alone, beside, json.loads(rows[1]["result"])]


@pytest.fixture(scope="module")
def texts(sample_review: str) -> tuple[str, list[str]]:
    """A review draft, and two other texts of different lengths to share its batches."""
    from reviewlens.training.documents import assemble_documents

    docs = assemble_documents(load_corpus([ROOT / "annotations" / "corpus" / "batch_k.jsonl"]))
    return sample_review, [docs[0].text[:6000], docs[1].text]


def test_static_int8_scores_do_not_depend_on_batch_neighbours(
    tiny_model_dir: Path, tmp_path: Path, texts: tuple[str, list[str]]
) -> None:
    analyzer = _model(tiny_model_dir, tmp_path / "static", "static")
    draft, others = texts
    alone, beside, bulk = _three_ways(analyzer, draft, others)
    assert len(alone["findings"]) > 20
    for other in (beside, bulk):
        assert other["findings"] == alone["findings"], "the same findings, messages and (rounded) scores"
        assert other["flags"] == alone["flags"] and other["summary"] == alone["summary"]
    # Findings carry scores rounded to four places; the probabilities under them agree to 1e-6.
    sentences = [f["text"] for f in alone["findings"] if f["scope"] == "span"]
    by_itself = analyzer.score(sentences)
    in_company = analyzer.score(others[1].split(". ")[:40] + sentences)[40:]
    one_at_a_time = np.concatenate([analyzer.score([s]) for s in sentences[:30]])
    assert np.abs(by_itself - in_company).max() <= 1e-6
    assert np.abs(by_itself[:30] - one_at_a_time).max() <= 1e-6


def test_dynamic_int8_is_the_control_whose_scores_move(
    tiny_model_dir: Path, tmp_path: Path, texts: tuple[str, list[str]]
) -> None:
    analyzer = _model(tiny_model_dir, tmp_path / "dynamic", "dynamic")
    draft, others = texts
    sentences = [f["text"] for f in analyzer.analyze(draft).model_dump(mode="json")["findings"]]
    by_itself = analyzer.score(sentences)
    in_company = analyzer.score(others[1].split(". ")[:40] + sentences)[40:]
    assert np.abs(by_itself - in_company).max() > 1e-4


def test_a_context_model_reads_a_draft_the_same_whatever_shares_its_call(
    tiny_model_dir: Path, tmp_path: Path, texts: tuple[str, list[str]]
) -> None:
    """Context comes from the draft's own paragraphs, so other texts in the call or the batch change nothing."""
    analyzer = _model(tiny_model_dir, tmp_path / "context", "static", context=True)
    assert reads_context(analyzer.scorer)
    draft, others = texts
    alone, beside, bulk = _three_ways(analyzer, draft, others)
    assert len(alone["findings"]) > 20
    for other in (beside, bulk):
        assert other["findings"] == alone["findings"] and other["flags"] == alone["flags"]
    seg = segment(draft)
    sents = [s for s in seg.sentences if is_classifiable(s)]
    ctx = sentence_context(seg, sents, "draft")
    by_itself = analyzer.score([s.text for s in sents], ctx)
    other_seg = segment(others[1])
    other_sents = [s for s in other_seg.sentences if is_classifiable(s)][:60]
    other_ctx = sentence_context(other_seg, other_sents, "other")
    in_company = analyzer.score(
        [s.text for s in other_sents] + [s.text for s in sents],
        SentenceContext([*other_ctx.passage, *ctx.passage], [*other_ctx.section, *ctx.section]),
    )[len(other_sents):]
    assert np.abs(by_itself - in_company).max() <= 1e-6
