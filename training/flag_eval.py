"""Document-flag accuracy: flags the model raises on rebuilt test documents vs flags from their gold labels."""

from __future__ import annotations

from typing import Any

from reviewlens.models.analyzer import Analyzer
from reviewlens.training.corpus.records import Record
from reviewlens.training.documents import assemble_documents, gold_flags


def flag_accuracy(analyzer: Analyzer, records: list[Record]) -> dict[str, Any]:
    """Per flag, how often the predicted status (raised / not raised / insufficient text) equals the gold one."""
    docs = assemble_documents(records)
    per_flag: dict[str, dict[str, int]] = {}
    details = []
    results = analyzer.analyze_many([d.text for d in docs], doc_kinds=[d.doc_kind for d in docs])
    for doc, result in zip(docs, results, strict=True):
        gold = {_family(f.id): _status(f.id, f.status) for f in gold_flags(doc, analyzer.model.flags)}
        pred = {_family(f.id): _status(f.id, f.status) for f in result.flags}
        for flag_id, g in gold.items():
            p = pred.get(flag_id, "missing")
            stats = per_flag.setdefault(flag_id, {"agree": 0, "total": 0})
            stats["total"] += 1
            stats["agree"] += int(p == g)
            details.append({"document": doc.document_id, "flag": flag_id, "gold": g, "predicted": p})
    total = sum(s["total"] for s in per_flag.values())
    agree = sum(s["agree"] for s in per_flag.values())
    return {
        "accuracy": round(agree / total, 4) if total else None,
        "documents": len(docs),
        "per_flag": {k: {**v, "accuracy": round(v["agree"] / v["total"], 4)} for k, v in per_flag.items()},
        "details": details,
    }


def _family(flag_id: str) -> str:
    # ETHNICITY_WITHHELD replaces ETHNICITY_NOT_RECORDED for the same question, so compare them as one flag.
    return "ETHNICITY_NOT_RECORDED" if flag_id == "ETHNICITY_WITHHELD" else flag_id


def _status(flag_id: str, status: str) -> str:
    return "withheld" if flag_id == "ETHNICITY_WITHHELD" else status
