"""Health, readiness, model information and metrics."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from models.registry import default_name, list_models
from serving.api.deps import AnalyzerDep, require_api_key

router = APIRouter(tags=["system"])
secured = APIRouter(tags=["system"], dependencies=[Depends(require_api_key)])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no model needed)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready only once the model is loaded."""
    analyzer = getattr(request.app.state, "analyzer", None)
    if analyzer is None:
        reason = getattr(request.app.state, "load_error", None) or "model loading"
        return JSONResponse({"status": "not_ready", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ready", "model": f"{analyzer.model.name} {analyzer.model.version}"})


@secured.get("/v1/models")
async def models_info(analyzer: AnalyzerDep) -> dict[str, Any]:
    """The loaded model (with its thresholds, flag settings and test metrics) and the models available."""
    md = analyzer.model
    metrics_path = md.path / "metrics.json"
    test: dict[str, Any] = {}
    if metrics_path.is_file():
        full = json.loads(metrics_path.read_text(encoding="utf-8"))
        test = {"macro_f1": full["test"]["macro_f1"],
                "per_label_f1": {k: v["f1"] for k, v in full["test"]["per_label"].items()}}
    return {
        "loaded": {
            **analyzer.info.model_dump(),
            "thresholds": md.thresholds,
            "flags": md.flags.__dict__,
            "data_hash": md.manifest.get("data_hash"),
            "created": md.manifest.get("created"),
            "test_metrics": test,
        },
        "default": default_name(),
        "available": [{"name": m.name, "version": m.version, "directory": m.path.name, "backend": m.backend["type"]}
                      for m in list_models()],
    }


@secured.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus exposition."""
    return request.app.state.metrics.render()
