"""The packaged encoder is the real all-MiniLM-L6-v2, and its ONNX export behaves like a sentence encoder."""

from pathlib import Path

import numpy as np

from reviewlens.training.config import EncoderConfig
from reviewlens.training.fit_encoder import MINILM_SHA256, export_encoder, load_encoder, pretrained_dir, sha256_file


def test_packaged_weights_are_the_pinned_upstream_release() -> None:
    assert sha256_file(pretrained_dir() / "model.safetensors") == MINILM_SHA256


def test_onnx_export_embeds_offline_and_keeps_meaning(tmp_path: Path) -> None:
    encoder = load_encoder(export_encoder(tmp_path / "enc", EncoderConfig()), threads=2)
    emb = encoder.run(
        [
            "The social worker visited the child at home.",
            "A social worker went to see the child at their house.",
            "The quarterly earnings report exceeded analyst expectations.",
        ]
    )
    assert emb.shape == (3, 384)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-3)
    assert emb[0] @ emb[1] > 0.8 and emb[0] @ emb[2] < 0.2
