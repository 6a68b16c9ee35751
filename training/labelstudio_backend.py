"""A Label Studio ML backend: serves a reviewlens model's suggestions to a running Label Studio.

Label Studio calls `GET /health`, `POST /setup` when the backend is connected, and `POST /predict` with a batch
of tasks; each task's `data.text` (the `$text` of `annotations/labelstudio.xml`) gets the model's spans back as a
prediction, in Label Studio's UTF-16 offsets. `POST /webhook` accepts Label Studio's events and ignores them
(this backend does not train online: retrain with `reviewlens train`). Task text is never logged.
"""

from __future__ import annotations

from typing import Any

from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse

from reviewlens.models.analyzer import Analyzer
from reviewlens.training.suggest import suggest, suggestion_tasks


def create_backend(analyzer: Analyzer) -> FastAPI:
    """The backend app for one loaded model."""
    version = f"{analyzer.model.name}-{analyzer.model.version}"
    app = FastAPI(title="reviewlens Label Studio ML backend", version=version, docs_url=None, redoc_url=None)

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Label Studio's liveness check."""
        return {"status": "UP", "model_class": "reviewlens", "model_version": version}

    @app.post("/setup")
    def setup(body: dict[str, Any] = Body(default_factory=dict)) -> dict[str, Any]:  # noqa: B008
        """Called when Label Studio connects the backend to a project; answers with the model version."""
        return {"model_version": version}

    @app.post("/predict")
    def predict(body: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
        """One prediction per task, in the order given."""
        tasks = body.get("tasks")
        if not isinstance(tasks, list):
            return JSONResponse({"error": "the body needs a `tasks` list"}, status_code=422)
        texts = []
        for i, task in enumerate(tasks):
            text = (task.get("data") or {}).get("text") if isinstance(task, dict) else None
            if not isinstance(text, str):
                return JSONResponse({"error": f"task {i} has no data.text string"}, status_code=422)
            texts.append((str(i), text))
        documents = suggest(analyzer, texts)
        results = [t["predictions"][0] for t in suggestion_tasks(documents, "labelstudio", version)]
        return JSONResponse({"results": results, "model_version": version})

    @app.post("/webhook")
    def webhook(body: dict[str, Any] = Body(default_factory=dict)) -> dict[str, str]:  # noqa: B008
        """Label Studio's annotation events: acknowledged, not acted on."""
        return {"status": "ignored"}

    return app
