"""The context tagger end to end on a few paragraphs: train, export to ONNX int8, serve without torch (issue 9,
item 1). Sentences are read with their paragraph and section; read alone they are read as a context-free model
reads them, and the reading never depends on the other passages in the call."""

import random
from pathlib import Path

import numpy as np
import pytest

from reviewlens.models.backends.context import SentenceContext, reads_context
from reviewlens.models.backends.loading import build_scorer
from reviewlens.models.labels import LABELS
from reviewlens.training.config import FinetuneConfig
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.data import SplitData, make_split
from reviewlens.training.finetune_context import finetune_in_context, training_pieces
from reviewlens.training.model_card import _context_table
from reviewlens.training.trainer import context_readings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data() -> SplitData:
    """Whole paragraphs of a few corpus records (so passages have several sentences)."""
    records = load_corpus([ROOT / "annotations" / "corpus" / "batch_a.jsonl"])[:3]
    return make_split([u for r in records for u in record_units(r)][:60])


@pytest.fixture(scope="module")
def tagger(data: SplitData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tagger fine-tuned for one epoch and exported with static int8, as the default is."""
    root = tmp_path_factory.mktemp("tagger")
    cfg = FinetuneConfig(epochs=1, batch_size=16, max_length=48, window_tokens=128, threads=2, context=True)
    finetune_in_context(data, root / "finetuned", cfg, seed=13, log=lambda _m: None)
    return root


def test_the_served_tagger_reads_context_and_needs_no_torch(tagger: Path, data: SplitData) -> None:
    served = build_scorer(tagger, {"type": "finetuned", "path": "finetuned"})
    assert reads_context(served)
    assert {p.name for p in (tagger / "finetuned").iterdir()} == {
        "model.onnx", "tokenizer.json", "classifier.json", "head.npz"
    }
    in_doc = served.predict_proba(data.texts, data.context("document"))
    assert in_doc.shape == (len(data.texts), 3, 3)
    assert np.allclose(in_doc.sum(axis=2), 1.0, atol=1e-6)
    # Without a context every sentence is read alone, exactly as the `sentence` reading says.
    assert np.allclose(served.predict_proba(data.texts), served.predict_proba(data.texts, data.context("sentence")))
    # Neighbours and the section name are read: the document reading differs from reading sentences alone.
    passages = data.context().passages()
    shared = [i for p in passages if len(p) > 1 for i in p]
    assert shared, "the fixture must hold paragraphs of several sentences"
    alone = served.predict_proba(data.texts, data.context("sentence"))
    assert np.abs(in_doc[shared] - alone[shared]).max() > 1e-3


def test_a_passage_is_read_the_same_whatever_else_is_in_the_call(tagger: Path, data: SplitData) -> None:
    served = build_scorer(tagger, {"type": "finetuned", "path": "finetuned"})
    ctx = data.context()
    passages = ctx.passages()
    whole = served.predict_proba(data.texts, ctx)
    first = passages[0]
    own = served.predict_proba([data.texts[i] for i in first],
                               SentenceContext([ctx.passage[i] for i in first], [ctx.section[i] for i in first]))
    assert np.abs(own - whole[first]).max() < 1e-6
    # Passage keys only group: the same paragraph under another key in reverse call order scores the same.
    order = [i for p in reversed(passages) for i in p]
    shuffled = served.predict_proba([data.texts[i] for i in order],
                                    SentenceContext([("x", *map(str, ctx.passage[i])) for i in order],
                                                    [ctx.section[i] for i in order]))
    assert np.abs(shuffled - whole[order]).max() < 1e-6


def test_training_reads_paragraphs_whole_cut_and_alone(data: SplitData) -> None:
    cfg = FinetuneConfig(context=True, context_alone=0.25, context_cut=0.25, section_drop=0.3)
    pieces, sections = training_pieces(data, cfg, random.Random(1))
    assert sorted(i for p in pieces for i in p) == list(range(len(data.units)))
    assert any(len(p) == 1 for p in pieces) and any(len(p) > 1 for p in pieces)
    assert "unknown" in sections and set(sections) - {"unknown"}
    whole, _ = training_pieces(data, FinetuneConfig(context=True, context_alone=0.0, context_cut=0.0), random.Random(1))
    assert whole == data.context().passages()
    with pytest.raises(ValueError, match="must not exceed 1"):
        training_pieces(data, FinetuneConfig(context=True, context_alone=0.6, context_cut=0.6), random.Random(1))


def test_the_card_reports_each_reading_of_a_context_model(tagger: Path, data: SplitData) -> None:
    served = build_scorer(tagger, {"type": "finetuned", "path": "finetuned"})
    thresholds = dict.fromkeys(LABELS, 0.3)
    readings = context_readings(served, thresholds, {"test": data})
    assert set(readings) == {"test"} and set(readings["test"]) == {"document", "paragraph", "sentence"}
    table = "\n".join(_context_table({"context_readings": readings}))
    for words in ("in its document", "in its paragraph, no section", "alone (a pasted sentence)"):
        assert f"| test | {words}" in table
    assert f"{readings['test']['sentence']['macro_f1']:.3f}" in table
