"""Rewrite the README's model figures from a model's own metrics, so the two cannot drift
(`make readme-figures`, after `make train`).

The figures live between `<!-- model-figures:start -->` and `<!-- model-figures:end -->`; everything else in the
README is left as it is.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from reviewlens.models.labels import LABELS
from reviewlens.models.model_dir import ModelDirectory
from reviewlens.models.registry import resolve_model

START = "<!-- model-figures:start -->"
END = "<!-- model-figures:end -->"


def figures_block(name: str, version: str, metrics: dict[str, Any]) -> str:
    """A Markdown table of test and (if present) challenge F1 per label, with macro-F1 and its interval."""
    splits = [s for s in ("test", "challenge") if metrics.get(s)]
    header = "| label | " + " | ".join(f"{s} F1" for s in splits) + " |"
    lines = [
        f"Generated from `{name}-{version}`'s `metrics.json` by `make readme-figures`; do not edit by hand.",
        "",
        header,
        "|---|" + "---|" * len(splits),
    ]
    for label in LABELS:
        lines.append(f"| {label} | " + " | ".join(f"{metrics[s]['per_label'][label]['f1']:.3f}" for s in splits) + " |")
    cells = []
    for s in splits:
        low, high = metrics[s]["macro_f1_ci"]
        cells.append(f"**{metrics[s]['macro_f1']:.3f}** [{low:.2f}, {high:.2f}]")
    lines.append("| macro-F1 [95% CI] | " + " | ".join(cells) + " |")
    sizes = " · ".join(f"{s}: {metrics[s]['documents']} documents, {metrics[s]['sentences']} sentences" for s in splits)
    return "\n".join([*lines, "", sizes])


def rewrite(readme: str, block: str) -> str:
    """The README with the text between the markers replaced; ValueError if the markers are missing."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no {START} … {END} block")
    return readme[: start + len(START)] + "\n" + block + "\n" + readme[end:]


def main() -> None:
    """Rewrite README.md's figures from a model (default: the promoted one)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model directory or registry name (default: the promoted)")
    parser.add_argument("--readme", type=Path, default=Path(__file__).resolve().parents[1] / "README.md")
    args = parser.parse_args()
    model = ModelDirectory.open(resolve_model(args.model))
    metrics = json.loads((model.path / "metrics.json").read_text(encoding="utf-8"))
    text = rewrite(args.readme.read_text(encoding="utf-8"), figures_block(model.name, model.version, metrics))
    args.readme.write_text(text, encoding="utf-8")
    print(f"README figures rewritten from {model.path.name}")


if __name__ == "__main__":
    main()
