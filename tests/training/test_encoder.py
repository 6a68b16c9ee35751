"""The ONNX export of the packaged all-MiniLM-L6-v2 behaves like a sentence encoder, whatever shares its batch."""

from pathlib import Path

import numpy as np

from reviewlens.training.config import EncoderConfig
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.fit_encoder import export_encoder, load_encoder

ROOT = Path(__file__).resolve().parents[2]


def test_onnx_export_embeds_offline_keeps_meaning_and_ignores_batch_neighbours(tmp_path: Path) -> None:
    records = load_corpus([ROOT / "annotations" / "corpus" / "batch_a.jsonl"])[:4]
    calibration = [u.text for r in records for u in record_units(r)][:64]
    encoder = load_encoder(export_encoder(tmp_path / "enc", EncoderConfig(), calibration), threads=2)
    sentences = [
        "The social worker visited the child at home.",
        "A social worker went to see the child at their house.",
        "The quarterly earnings report exceeded analyst expectations.",
    ]
    emb = encoder.run(sentences)
    assert emb.shape == (3, 384)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-3)
    assert emb[0] @ emb[1] > 0.8 and emb[0] @ emb[2] < 0.2
    # Static int8: the activation scales are fixed at export, so company in the batch changes nothing.
    alone = encoder.run(sentences[:1])
    beside = encoder.run(sentences[:1] + calibration[:20])[:1]
    assert np.abs(alone - beside).max() <= 1e-6
