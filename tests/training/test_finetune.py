"""The fine-tuned backend end to end on a handful of sentences: train, export to ONNX int8, serve without torch."""

import re
from pathlib import Path

import numpy as np
import onnx

from reviewlens.models.backends.loading import build_scorer
from reviewlens.training.config import FinetuneConfig
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.data import make_split
from reviewlens.training.finetune import finetune

ROOT = Path(__file__).resolve().parents[2]


def test_finetune_exports_a_scorer_serving_can_load(tmp_path: Path) -> None:
    records = load_corpus([ROOT / "annotations" / "corpus" / "batch_a.jsonl"])[:4]
    units = [u for r in records for u in record_units(r)][:48]
    data = make_split(units)
    cfg = FinetuneConfig(epochs=1, batch_size=16, max_length=48, threads=2)
    scorer = finetune(data, tmp_path / "finetuned", cfg, seed=13, log=lambda _m: None)
    probs = scorer.predict_proba(data.texts[:5])
    assert probs.shape == (5, 3, 3)
    assert np.allclose(probs.sum(axis=2), 1.0, atol=1e-4)
    # what the model directory will hold is loadable through the serving-side loader alone
    served = build_scorer(tmp_path, {"type": "finetuned", "path": "finetuned"})
    assert np.allclose(served.predict_proba(data.texts[:5]), probs, atol=1e-5)
    assert {p.name for p in (tmp_path / "finetuned").iterdir()} == {"model.onnx", "tokenizer.json", "classifier.json"}


def test_static_int8_can_keep_the_feed_forward_outputs_in_fp32(tmp_path: Path) -> None:
    """mpnet needs it (issue 9): the projections fed by the GELU stay fp32, every other weight MatMul is int8."""
    records = load_corpus([ROOT / "annotations" / "corpus" / "batch_a.jsonl"])[:2]
    data = make_split([u for r in records for u in record_units(r)][:32])
    graphs = {}
    for keep in (True, False):
        cfg = FinetuneConfig(epochs=1, batch_size=16, max_length=32, threads=2, int8_ffn_output=keep)
        finetune(data, tmp_path / str(keep), cfg, seed=13, log=lambda _m: None)
        graphs[keep] = onnx.load(str(tmp_path / str(keep) / "model.onnx")).graph

    def dequantized_matmuls(graph: onnx.GraphProto) -> set[str]:
        made_by = {out: node for node in graph.node for out in node.output}
        return {
            n.name for n in graph.node
            if n.op_type == "MatMul" and all(made_by.get(i) is not None and made_by[i].op_type == "DequantizeLinear"
                                             for i in n.input)
        }

    ffn_out = {
        n.name for n in graphs[True].node if n.op_type == "MatMul" and re.search(r"layer\.\d+/output/dense/", n.name)
    }
    assert len(ffn_out) == 6  # one per MiniLM layer
    assert ffn_out <= dequantized_matmuls(graphs[True])
    assert not ffn_out & dequantized_matmuls(graphs[False])
    assert dequantized_matmuls(graphs[True]) - ffn_out == dequantized_matmuls(graphs[False])
