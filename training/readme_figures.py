"""Rewrite the README's model figures from each tier's model's own metrics, so the two cannot drift
(`make readme-figures`, after `make train` or `make thorough`).

The figures live between `<!-- model-figures:start -->` and `<!-- model-figures:end -->`; everything else in the
README is left as it is.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewlens.models.labels import LABELS
from reviewlens.models.model_dir import ModelDirectory
from reviewlens.models.registry import promoted_name, resolve_model
from reviewlens.models.tiers import FAST, THOROUGH

START = "<!-- model-figures:start -->"
END = "<!-- model-figures:end -->"


@dataclass(frozen=True)
class TierFigures:
    """One tier's model and its metrics.json."""

    tier: str
    name: str
    version: str
    metrics: dict[str, Any]


def figures_block(models: list[TierFigures]) -> str:
    """A Markdown table of each tier's test and (if present) challenge F1 per label, with macro-F1 and its
    interval: one column per tier and split."""
    columns = [(m, s) for m in models for s in ("test", "challenge") if m.metrics.get(s)]
    named = ", ".join(f"the {m.tier} tier's `{m.name}-{m.version}`" for m in models)
    lines = [
        f"Generated from the `metrics.json` of {named} by `make readme-figures`; do not edit by hand.",
        "",
        "| label | " + " | ".join(f"{m.tier}: {s} F1" for m, s in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for label in LABELS:
        lines.append(f"| {label} | " + " | ".join(f"{m.metrics[s]['per_label'][label]['f1']:.3f}" for m, s in columns)
                     + " |")
    cells = []
    for m, s in columns:
        low, high = m.metrics[s]["macro_f1_ci"]
        cells.append(f"**{m.metrics[s]['macro_f1']:.3f}** [{low:.2f}, {high:.2f}]")
    lines.append("| macro-F1 [95% CI] | " + " | ".join(cells) + " |")
    first = models[0].metrics
    sizes = " · ".join(f"{s}: {first[s]['documents']} documents, {first[s]['sentences']} sentences"
                       for s in ("test", "challenge") if first.get(s))
    return "\n".join([*lines, "", sizes])


def _figures(tier: str, spec: str) -> TierFigures:
    model = ModelDirectory.open(resolve_model(spec))
    metrics = model.metrics()
    if not metrics:
        raise SystemExit(f"{model.path} has no metrics.json to take the figures from")
    return TierFigures(tier, model.name, model.version, metrics)


def rewrite(readme: str, block: str) -> str:
    """The README with the text between the markers replaced; ValueError if the markers are missing."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no {START} … {END} block")
    return readme[: start + len(START)] + "\n" + block + "\n" + readme[end:]


def main() -> None:
    """Rewrite README.md's figures from each tier's model (default: the promoted ones)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=FAST, help="fast-tier model directory or name (default: the promoted)")
    parser.add_argument("--thorough", default=None,
                        help="thorough-tier model directory or name (default: the promoted one, if any)")
    parser.add_argument("--readme", type=Path, default=Path(__file__).resolve().parents[1] / "README.md")
    args = parser.parse_args()
    models = [_figures(FAST, args.model)]
    thorough = args.thorough or (THOROUGH if promoted_name(THOROUGH) else None)
    if thorough:
        models.append(_figures(THOROUGH, thorough))
    text = rewrite(args.readme.read_text(encoding="utf-8"), figures_block(models))
    args.readme.write_text(text, encoding="utf-8")
    print("README figures rewritten from " + ", ".join(f"{m.name}-{m.version}" for m in models))


if __name__ == "__main__":
    main()
