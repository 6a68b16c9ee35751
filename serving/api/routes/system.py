"""Health, readiness, model information and metrics."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from reviewlens.models.registry import default_name, list_models
from reviewlens.serving.api.deps import AnalyzerDep, get_settings, is_authenticated, require_api_key
from reviewlens.serving.api.errors import error_responses
from reviewlens.serving.api.static import DOCS_STATIC_URL, html_page

router = APIRouter(tags=["system"])
secured = APIRouter(tags=["system"], dependencies=[Depends(require_api_key)], responses=error_responses(401))


# An absolute POSIX path; group 1 is its last component.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[^\s/:'\"]+/)*([^\s/:'\"]+)")


class Readiness(BaseModel):
    """Whether the model is loaded; `reason` says why not."""

    status: str
    model: str | None = None
    reason: str | None = None


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no model needed)."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "Not ready"}})
async def readyz(request: Request) -> JSONResponse:
    """Ready only once the model is loaded."""
    analyzer = getattr(request.app.state, "analyzer", None)
    if analyzer is None:
        reason = getattr(request.app.state, "load_error", None) or "model loading"
        settings = get_settings(request)
        if settings.api_keys and not is_authenticated(request, settings):
            # /readyz is open to anyone when keys are on: say what is wrong, but not where the files live.
            reason = _ABSOLUTE_PATH.sub(lambda m: f".../{m.group(1)}", reason)
        return JSONResponse({"status": "not_ready", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ready", "model": f"{analyzer.model.name} {analyzer.model.version}"})


@secured.get("/v1/models", responses=error_responses(503))
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
            "flags": md.flags.model_dump(),
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


@secured.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    """The OpenAPI document (behind the API key like every route but health)."""
    return JSONResponse(request.app.openapi())


@secured.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    """Swagger UI, from assets served by this app (no CDN)."""
    root = request.scope.get("root_path", "").rstrip("/")
    return html_page(get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json", title="reviewlens - Swagger UI",
        swagger_js_url=f"{root}{DOCS_STATIC_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_STATIC_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{DOCS_STATIC_URL}/favicon.png",
    ))


@secured.get("/redoc", include_in_schema=False)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc, from assets served by this app (no CDN, no Google Fonts)."""
    root = request.scope.get("root_path", "").rstrip("/")
    return html_page(get_redoc_html(
        openapi_url=f"{root}/openapi.json", title="reviewlens - ReDoc",
        redoc_js_url=f"{root}{DOCS_STATIC_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{DOCS_STATIC_URL}/favicon.png", with_google_fonts=False,
    ))
