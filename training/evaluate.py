"""Evaluating a built model on annotated data, and comparing two models on the same data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.labels import LABELS, THEMES
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.splits import read_splits
from reviewlens.training.corpus.units import record_units
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.data import make_split, split_breakdowns
from reviewlens.training.flag_eval import flag_accuracy
from reviewlens.training.metrics import evaluate_predictions, paired_difference
from reviewlens.training.thresholds import predicted_ids


def select_records(data: list[str | Path], split: str | None, splits_path: str | Path) -> list[Record]:
    """Load annotated data; with `split`, keep only that split's documents."""
    records = load_corpus(list(data))
    if split:
        mapping = read_splits(Path(splits_path))
        records = [r for r in records if mapping.get(r.document_id) == split]
        if not records:
            raise ValueError(f"no documents of split {split!r} in the data")
    return records


def evaluate_model(analyzer: Analyzer, records: list[Record], n_bootstrap: int = 1000) -> dict[str, Any]:
    """Per-label P/R/F1 (with document-bootstrap CIs), macro-F1, confusion per theme and flag accuracy."""
    data = make_split([u for r in records for u in record_units(r)])
    probs = analyzer.score(data.texts, data.context())
    pred = predicted_ids(probs, analyzer.model.thresholds)
    metrics = evaluate_predictions(data.y, pred, [u.document_id for u in data.units], n_bootstrap)
    metrics["breakdowns"] = split_breakdowns(data, pred, probs)
    metrics["document_flags"] = flag_accuracy(analyzer, records)
    metrics["model"] = f"{analyzer.model.name} {analyzer.model.version}"
    return metrics


def compare_models(a: Analyzer, b: Analyzer, records: list[Record], n_bootstrap: int = 1000) -> dict[str, Any]:
    """Both models' metrics on the same records, and B − A per label with a paired document-bootstrap interval."""
    data = make_split([u for r in records for u in record_units(r)])
    documents = [u.document_id for u in data.units]
    preds = [predicted_ids(m.score(data.texts, data.context()), m.model.thresholds) for m in (a, b)]
    both = []
    for model, pred in zip((a, b), preds, strict=True):
        metrics = evaluate_predictions(data.y, pred, documents, n_bootstrap)
        metrics["document_flags"] = flag_accuracy(model, records)
        metrics["model"] = f"{model.model.name} {model.model.version}"
        both.append(metrics)
    difference = paired_difference(data.y, preds[0], preds[1], documents, n_bootstrap)
    return {"a": both[0], "b": both[1], "difference": difference}


def render_metrics(metrics: dict[str, Any]) -> str:
    """Plain-text report of one evaluation."""
    lines = [f"model {metrics['model']}: {metrics['sentences']} sentences in {metrics['documents']} documents", ""]
    lines.append(f"{'label':<18} {'P':>6} {'R':>6} {'F1':>6}  {'F1 95% CI':<14} {'support':>7}")
    for label in LABELS:
        m = metrics["per_label"][label]
        ci = m["f1_ci"]
        lines.append(
            f"{label:<18} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f}  "
            f"[{ci[0]:.2f}, {ci[1]:.2f}]   {m['support']:>7}"
        )
    ci = metrics["macro_f1_ci"]
    lines.append(f"{'macro-F1':<18} {'':>6} {'':>6} {metrics['macro_f1']:>6.3f}  [{ci[0]:.2f}, {ci[1]:.2f}]")
    for theme in THEMES:
        conf = metrics["confusion"][theme.name]
        lines += ["", f"confusion {theme.name} (rows gold, columns predicted)"]
        header = "".join(f"{n[:12]:>14}" for n in conf["labels"])
        lines.append(f"{'':<18}{header}")
        for name, row in zip(conf["labels"], conf["matrix"], strict=True):
            lines.append(f"{name[:18]:<18}" + "".join(f"{v:>14}" for v in row))
    flags = metrics.get("document_flags") or {}
    if flags.get("accuracy") is not None:
        lines += ["", f"document-flag accuracy {flags['accuracy']:.3f} over {flags['documents']} documents"]
        for flag, v in flags["per_flag"].items():
            lines.append(f"  {flag:<30} {v['agree']}/{v['total']}")
    return "\n".join(lines)


def render_comparison(a: dict[str, Any], b: dict[str, Any], difference: dict[str, Any] | None = None) -> str:
    """Two evaluations side by side, with B − A per label and, given `difference`, its paired 95% interval
    (marked * where the interval excludes zero)."""
    lines = [
        f"A = {a['model']}",
        f"B = {b['model']}",
        "",
        f"{'label':<18} {'F1 A':>7} {'F1 B':>7} {'B-A':>7}   {'B-A 95% CI (paired)':<22} {'CI A':<14} {'CI B':<14}",
    ]
    for label in [*LABELS, "macro_f1"]:
        if label == "macro_f1":
            fa, fb, ca, cb = a["macro_f1"], b["macro_f1"], a["macro_f1_ci"], b["macro_f1_ci"]
        else:
            fa, fb = a["per_label"][label]["f1"], b["per_label"][label]["f1"]
            ca, cb = a["per_label"][label]["f1_ci"], b["per_label"][label]["f1_ci"]
        paired = ""
        if difference is not None:
            d = difference[label]
            paired = f"[{d['ci'][0]:+.3f}, {d['ci'][1]:+.3f}]{' *' if d['clear'] else ''}"
        name = "macro-F1" if label == "macro_f1" else label
        lines.append(
            f"{name:<18} {fa:>7.3f} {fb:>7.3f} {fb - fa:>+7.3f}   {paired:<22} [{ca[0]:.2f}, {ca[1]:.2f}]   "
            f"[{cb[0]:.2f}, {cb[1]:.2f}]"
        )
    fa_acc = (a.get("document_flags") or {}).get("accuracy")
    fb_acc = (b.get("document_flags") or {}).get("accuracy")
    if fa_acc is not None and fb_acc is not None:
        lines.append(f"{'flag accuracy':<18} {fa_acc:>7.3f} {fb_acc:>7.3f} {fb_acc - fa_acc:>+7.3f}")
    if difference is not None:
        lines += ["", "* the paired interval excludes zero: on these documents the difference is not resampling noise"]
    return "\n".join(lines)
