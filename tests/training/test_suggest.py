"""Pre-annotation and uncertainty selection (issue 11, items 1 and 2): tasks carry the model's spans, survive a
round trip through the Label Studio importer, and the selection goes where the model is unsure, spread out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from reviewlens.cli.main import app
from reviewlens.models.analyzer import Analyzer
from reviewlens.training.corpus.formats.import_checks import utf16_to_code_points
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.documents import assemble_documents
from reviewlens.training.suggest import select_random, select_uncertain, suggest

ROOT = Path(__file__).resolve().parents[2]


def _documents(n: int = 3) -> list[tuple[str, str]]:
    records = load_corpus([ROOT / "annotations" / "corpus" / "batch_k.jsonl"])
    docs = assemble_documents(records)[:n]
    # An emoji early on: Label Studio counts it as two UTF-16 units, so every later offset must shift.
    return [(f"doc{i}", ("Mum 😀 note. " if i == 0 else "") + d.text) for i, d in enumerate(docs)]


def test_labelstudio_predictions_round_trip_through_the_importer(tiny_model_dir: Path, tmp_path: Path) -> None:
    for name, text in _documents(2):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "tasks.json"
    result = CliRunner().invoke(
        app, ["annotations", "suggest", str(tmp_path), "-o", str(out), "--model", str(tiny_model_dir)]
    )
    assert result.exit_code == 0, result.output
    tasks = json.loads(out.read_text())
    assert len(tasks) == 2
    total = 0
    for task in tasks:
        text = task["data"]["text"]
        prediction = task["predictions"][0]
        assert prediction["model_version"].startswith("tiny-") and prediction["result"]
        for r in prediction["result"]:
            start = utf16_to_code_points(text, r["value"]["start"])
            end = utf16_to_code_points(text, r["value"]["end"])
            assert start is not None and end is not None and text[start:end] == r["value"]["text"]
            assert 0.0 <= r["score"] <= 1.0
        total += len(prediction["result"])
        # An annotator who accepts every suggestion: the predictions become the annotation.
        task["annotations"] = [{"result": prediction["result"]}]
    accepted = tmp_path / "accepted.json"
    accepted.write_text(json.dumps(tasks), encoding="utf-8")
    imported = CliRunner().invoke(app, ["annotations", "import", str(accepted), "-o", str(tmp_path / "back.jsonl"),
                                        "-f", "labelstudio", "--source", "authored"])
    assert imported.exit_code == 0, imported.output
    back = load_corpus([tmp_path / "back.jsonl"])
    assert sum(len(r.spans) for r in back) == total, "no span lost on the way back"


def test_uncertain_selection_is_unsure_and_spread(analyzer: Analyzer) -> None:
    documents = suggest(analyzer, _documents(3))
    pool = [s.margin for d in documents for s in d.sentences]
    chosen = select_uncertain(documents, 30)
    assert len(chosen) == 30
    places = [(d.document, s.paragraph) for d, s in chosen]
    assert len(set(places)) == len(places), "no two sentences from one paragraph"
    assert len({d.document for d, _ in chosen}) == 3, "spread over the documents"
    assert np.median([s.margin for _, s in chosen]) < np.median(pool)
    randomly = select_random(documents, 30)
    assert np.mean([s.margin for _, s in chosen]) < np.mean([s.margin for _, s in randomly])


def test_prodigy_and_doccano_tasks_for_a_selection(tiny_model_dir: Path, tmp_path: Path) -> None:
    for name, text in _documents(2):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    for fmt in ("prodigy", "doccano"):
        out = tmp_path / f"{fmt}.jsonl"
        result = CliRunner().invoke(app, ["annotations", "suggest", str(tmp_path), "-o", str(out), "-f", fmt,
                                          "--select", "uncertain", "--n", "5", "--model", str(tiny_model_dir)])
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(lines) == 5
        # An unsure sentence may have no label over its thresholds (then the annotator starts from blank).
        all_spans = []
        for task in lines:
            if fmt == "prodigy":
                spans = [(s["start"], s["end"]) for s in task["spans"]]
            else:
                spans = [(start, end) for start, end, _label in task["label"]]
            assert all(0 <= start < end <= len(task["text"]) for start, end in spans)
            all_spans += spans
        assert all_spans


def test_active_learning_simulation_adds_step_sentences_a_round() -> None:
    from reviewlens.models.paths import paths
    from reviewlens.training.active_learning import simulate
    from reviewlens.training.data import load_splits

    splits, _, _ = load_splits([str(paths().corpus)], str(paths().splits))
    curves = simulate(splits["train"], splits["dev"], seed_docs=8, step=50, rounds=1)
    for strategy in ("uncertainty", "random"):
        curve = curves[strategy]
        assert [c["labelled"] - curve[0]["labelled"] for c in curve] == [0, 50]
        assert all(0.0 < c["dev_macro_f1"] <= 1.0 for c in curve)
    # Both strategies start from the same seed documents, so they start level.
    assert curves["uncertainty"][0] == curves["random"][0]


def test_labelstudio_ml_backend_speaks_the_protocol(analyzer: Analyzer) -> None:
    from fastapi.testclient import TestClient

    from reviewlens.training.labelstudio_backend import create_backend

    client = TestClient(create_backend(analyzer))
    assert client.get("/health").json()["status"] == "UP"
    version = client.post("/setup", json={"project": "1", "schema": "<View/>"}).json()["model_version"]
    texts = [text for _, text in _documents(2)]
    tasks = [{"id": i, "data": {"text": text}} for i, text in enumerate(texts, start=1)]
    r = client.post("/predict", json={"tasks": tasks})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 2 and all(p["model_version"] == version for p in results)
    for text, prediction in zip(texts, results, strict=True):
        assert prediction["result"]
        for region in prediction["result"]:
            start = utf16_to_code_points(text, region["value"]["start"])
            end = utf16_to_code_points(text, region["value"]["end"])
            assert start is not None and end is not None and text[start:end] == region["value"]["text"]
    assert client.post("/predict", json={"tasks": [{"data": {}}]}).status_code == 422
    assert client.post("/webhook", json={"action": "ANNOTATION_CREATED"}).status_code == 200
