"""Health, readiness, model information and metrics."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.registry import default_name, list_models, promoted_name
from reviewlens.models.tiers import FAST, TIERS
from reviewlens.serving.api.deps import (
    AnalyzerDep,
    get_settings,
    is_authenticated,
    require_api_key,
    served_analyzers,
)
from reviewlens.serving.api.errors import error_responses
from reviewlens.serving.api.static import DOCS_STATIC_URL, html_page

router = APIRouter(tags=["system"])
secured = APIRouter(tags=["system"], dependencies=[Depends(require_api_key)], responses=error_responses(401))


# An absolute POSIX path; group 1 is its last component.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[^\s/:'\"]+/)*([^\s/:'\"]+)")


class Readiness(BaseModel):
    """Whether the model is loaded; `reason` says why not. `tiers` names each tier's model (null: not served)."""

    status: str
    model: str | None = None
    tiers: dict[str, str | None] | None = None
    reason: str | None = None


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no model needed)."""
    return {"status": "ok"}


def _public(request: Request, reason: str) -> str:
    """A load error as /readyz may show it: whole to a caller with a key (or where keys are off); otherwise what is
    wrong but not where the files live, since /readyz is open to anyone."""
    settings = get_settings(request)
    if settings.api_keys and not is_authenticated(request, settings):
        return _ABSOLUTE_PATH.sub(lambda m: f".../{m.group(1)}", reason)
    return reason


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "Not ready"}})
async def readyz(request: Request) -> JSONResponse:
    """Ready once the fast tier's model is loaded; `tiers` names each tier's model, and `reason` says why a tier is
    not served where its model failed to load."""
    analyzer = getattr(request.app.state, "analyzer", None)
    if analyzer is None:
        reason = getattr(request.app.state, "load_error", None) or "model loading"
        return JSONResponse({"status": "not_ready", "reason": _public(request, reason)}, status_code=503)
    served = served_analyzers(request.app.state)
    tiers = {tier: f"{a.model.name} {a.model.version}" if (a := served.get(tier)) else None for tier in TIERS}
    body: dict[str, Any] = {"status": "ready", "model": tiers[FAST], "tiers": tiers}
    if request.app.state.thorough_error:
        body["reason"] = _public(request, f"thorough tier not loaded: {request.app.state.thorough_error}")
    return JSONResponse(body)


def _split_metrics(full: dict[str, Any], split: str) -> dict[str, Any]:
    """Macro-F1 and F1 per label on one split of a model's metrics.json (empty where it was not measured)."""
    if split not in full:
        return {}
    return {"macro_f1": full[split]["macro_f1"],
            "per_label_f1": {k: v["f1"] for k, v in full[split]["per_label"].items()}}


def _describe(analyzer: Analyzer) -> dict[str, Any]:
    """A loaded model: what every result names, its thresholds and flag settings, and its measured F1."""
    md = analyzer.model
    full = md.metrics()
    return {
        **analyzer.info.model_dump(),
        "thresholds": md.thresholds,
        "flags": md.flags.model_dump(),
        "data_hash": md.manifest.get("data_hash"),
        "created": md.manifest.get("created"),
        "test_metrics": _split_metrics(full, "test"),
        "challenge_metrics": _split_metrics(full, "challenge"),
    }


@secured.get("/v1/models", responses=error_responses(503))
async def models_info(request: Request, analyzer: AnalyzerDep) -> dict[str, Any]:
    """The model each tier serves (thresholds, flag settings, test and challenge F1) and the models available.

    `loaded` is the fast tier's model (as before there were tiers); `tiers` has both, null where a tier is not
    served; `promoted` names each tier's promoted model in the registry.
    """
    served = served_analyzers(request.app.state)
    return {
        "loaded": _describe(analyzer),
        "tiers": {tier: _describe(a) if (a := served.get(tier)) else None for tier in TIERS},
        "default": default_name(),
        "promoted": {tier: promoted_name(tier) for tier in TIERS},
        "available": [{"name": m.name, "version": m.version, "directory": m.path.name, "backend": m.backend["type"],
                       "tier": m.tier} for m in list_models()],
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
