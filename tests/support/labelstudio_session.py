"""The annotator's side of the Label Studio round trip, run by Label Studio's own Python (`make labelstudio`).

It lives apart from the test because `label-studio-sdk` is installed only in `.labelstudio-venv`, whose pins
never touch the project's. Through the SDK it does what a data scientist and an annotator do in the browser:

1. create a project from `annotations/labelstudio.xml`;
2. import the tasks `reviewlens annotations suggest` wrote (each with the model's spans as a prediction), and one
   task with text only;
3. connect the reviewlens ML backend and open every task, which makes Label Studio fetch a prediction from the
   backend for the task that has none;
4. accept each task's prediction as its annotation;
5. export the project as Label Studio JSON.

It prints one JSON object (what Label Studio held) for the test to check; the export goes to `--export`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="Label Studio's base URL")
    parser.add_argument("--token", required=True, help="the user's API token")
    parser.add_argument("--config", type=Path, required=True, help="the labelling config (XML)")
    parser.add_argument("--tasks", type=Path, required=True, help="suggested tasks (Label Studio JSON)")
    parser.add_argument("--plain", type=Path, required=True, help="a text file imported as a task with no prediction")
    parser.add_argument("--backend", required=True, help="the reviewlens ML backend's URL")
    parser.add_argument("--export", type=Path, required=True, help="where to write the project's JSON export")
    return parser.parse_args()


def main() -> None:
    """Run the session and print a summary as JSON."""
    args = _args()
    client = LabelStudio(base_url=args.url, api_key=args.token)
    project = client.projects.create(title="reviewlens round trip", label_config=args.config.read_text())
    assert project.id is not None
    suggested = json.loads(args.tasks.read_text(encoding="utf-8"))
    plain = [{"data": {"text": args.plain.read_text(encoding="utf-8"), "id": "plain-1"}}]
    client.projects.import_tasks(id=project.id, request=suggested)
    client.projects.import_tasks(id=project.id, request=plain)

    backend = client.ml.create(project=project.id, url=args.backend, title="reviewlens")
    # As when an annotator opens a task in the labelling stream: tasks without a prediction get one from the backend.
    client.projects.update(id=project.id, evaluate_predictions_automatically=True)

    tasks: list[dict[str, Any]] = []
    for task in client.tasks.list(project=project.id):
        assert task.id is not None
        client.tasks.get(id=str(task.id))
        predictions = client.predictions.list(task=task.id)
        data = task.data or {}
        summary: dict[str, Any] = {
            "id": task.id,
            "data_id": data.get("id"),
            "predictions": [{"model_version": p.model_version, "spans": len(p.result or [])} for p in predictions],
        }
        if predictions:
            chosen = predictions[0]
            client.annotations.create(id=task.id, result=chosen.result, parent_prediction=chosen.id)
            summary["accepted"] = len(chosen.result or [])
        tasks.append(summary)

    state = client.ml.get(id=backend.id) if backend.id is not None else None
    args.export.write_bytes(b"".join(client.projects.exports.download_sync(id=project.id, export_type="JSON")))
    print(json.dumps({
        "project": project.id,
        "backend_state": getattr(state, "state", None),
        "tasks": tasks,
    }))


if __name__ == "__main__":
    main()
