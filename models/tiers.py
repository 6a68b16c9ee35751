"""The two serving tiers: `fast` (MiniLM: editor checks, very long texts) and `thorough` (mpnet-base: the page,
`/v1/analyze`, bulk). A model belongs to the tier its training config names; each tier has one promoted model."""

from __future__ import annotations

from typing import Literal, get_args

Tier = Literal["fast", "thorough"]
TIERS: tuple[Tier, ...] = get_args(Tier)
FAST: Tier = "fast"
THOROUGH: Tier = "thorough"

