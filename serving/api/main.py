"""Assembles the FastAPI app: settings, the Analyzer loaded once in the lifespan, routers, limits, metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.formparsers import MultiPartParser

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.model_dir import ModelError
from reviewlens.models.schema import RESULT_SCHEMA_VERSION
from reviewlens.models.score_cache import ScoreCache
from reviewlens.serving.api.admission import AdmissionGate
from reviewlens.serving.api.deps import check_api_key, require_api_key, served_analyzers
from reviewlens.serving.api.errors import UnhandledErrors, install_error_handlers
from reviewlens.serving.api.limits import ApiKeyFirst, BodySizeLimit
from reviewlens.serving.api.metrics import Metrics, install_metrics
from reviewlens.serving.api.routes import analyze, check, system, workspace
from reviewlens.serving.api.settings import Settings
from reviewlens.serving.api.static import DOCS_ASSETS, DOCS_STATIC_URL

log = logging.getLogger("reviewlens.api")


def _load(settings: Settings, spec: str | None) -> Analyzer:
    """Load one tier's model, with its own re-check cache (the namespace names the model, so tiers never mix)."""
    loaded = Analyzer.load(spec, settings.threads)
    if settings.score_cache_entries:
        # Only for analyzers the app loads: an injected one (tests, embedding) keeps its own cache.
        loaded.use_cache(ScoreCache(settings.score_cache_entries, f"{loaded.model.name}@{loaded.model.version}"))
    return loaded


def _load_error(exc: Exception) -> str:
    """What a failed load reports: a ModelError says what is wrong; anything else is named by its type."""
    return str(exc) if isinstance(exc, ModelError) else f"the model could not be loaded: {type(exc).__name__}"


def _logged(exc: Exception) -> str:
    """What the log says of a failed load: the operator's view, with an unforeseen fault's own message."""
    return str(exc) if isinstance(exc, ModelError) else f"{type(exc).__name__}: {exc}"


def create_app(settings: Settings | None = None, analyzer: Analyzer | None = None,
               thorough: Analyzer | None = None) -> FastAPI:
    """Build the app. `analyzer` (the fast tier) and `thorough` may be injected (tests); when `analyzer` is not,
    both tiers' models are loaded at start-up as the settings say."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.analyzer is None:
            try:
                app.state.analyzer = await asyncio.to_thread(_load, settings, settings.model)
                log.info("fast tier: model %s %s loaded", app.state.analyzer.model.name,
                         app.state.analyzer.model.version)
            except Exception as exc:  # a fault Analyzer.load did not foresee is still a state, never a crash
                # Stay up so /healthz answers and /readyz explains; analysis routes return 503 with this message.
                app.state.load_error = _load_error(exc)
                log.error("model not loaded: %s", _logged(exc))
            spec = settings.thorough_spec()
            if spec is not None and app.state.analyzer is not None:
                try:
                    app.state.thorough = await asyncio.to_thread(_load, settings, spec)
                    log.info("thorough tier: model %s %s loaded", app.state.thorough.model.name,
                             app.state.thorough.model.version)
                except Exception as exc:
                    # The fast tier still serves; asking for the thorough tier gets this message with a 503.
                    app.state.thorough_error = _load_error(exc)
                    log.error("thorough-tier model not loaded: %s", _logged(exc))
        try:
            yield
        finally:
            app.state.gate.shutdown()

    app = FastAPI(
        title="reviewlens",
        version=RESULT_SCHEMA_VERSION,
        description="Highlights descriptive analysis, unexamined identity and unsupported risk judgements in "
        "child-safeguarding practice reviews. Request text is never logged or stored.",
        lifespan=lifespan,
        openapi_tags=[
            {"name": "analyze", "description": "Analyse a draft (JSON, plain text or a file); JSON or HTML back."},
            {"name": "languagetool", "description": "LanguageTool's API, for editors and LanguageTool clients."},
            {"name": "system", "description": "Health, readiness, the loaded model and metrics."},
        ],
        # Served by system.secured instead, so that with API keys set only /healthz and /readyz are open.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.analyzer = analyzer
    app.state.thorough = thorough
    app.state.load_error = None
    app.state.thorough_error = None
    app.state.metrics = Metrics(lambda: served_analyzers(app.state))
    app.state.gate = AdmissionGate(settings.max_concurrent, settings.max_queue, settings.queue_timeout_s)
    # Starlette spools uploads over 1 MB to a temporary file; keep every accepted upload in memory so that no
    # draft touches the disk. Process-wide, but the limit only ever grows, and uploads are read into memory anyway.
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, settings.max_upload_bytes + 65_536)
    install_error_handlers(app)
    # Middleware added later wraps the earlier ones. Outermost first: metrics (so 413s and 500s are counted), CORS
    # (so browsers can read error responses), JSON 500s, then the body limit nearest the routes.
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes, chunk_timeout_s=settings.body_timeout_s)
    if settings.api_keys:
        # The routes that read a body are checked before it is read; the route dependency stays (and guards the
        # docs and metrics), so the OpenAPI document shows the requirement. The page and the probes stay open.
        app.add_middleware(
            ApiKeyFirst, check=lambda headers: check_api_key(headers, settings), guarded_prefixes=("/v1/", "/v2/")
        )
    app.add_middleware(UnhandledErrors)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    install_metrics(app, app.state.metrics)
    secured = [Depends(require_api_key)]
    # Swagger UI and ReDoc assets ship in a Python package, so /docs and /redoc work without internet.
    app.mount(DOCS_STATIC_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.include_router(workspace.router)
    app.include_router(system.router)
    app.include_router(system.secured)
    app.include_router(analyze.router, dependencies=secured)
    app.include_router(check.router, dependencies=secured)
    return app
