"""Injected resources: settings, the loaded Analyzer, API-key checks, and running analysis off the event loop."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.tiers import FAST, THOROUGH, Tier
from reviewlens.serving.api.admission import AdmissionGate, StopCheck
from reviewlens.serving.api.errors import ApiError
from reviewlens.serving.api.metrics import ARRIVED
from reviewlens.serving.api.settings import Settings

T = TypeVar("T")
# RFC 9110: a 401 must say which scheme to use.
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_analyzer(request: Request) -> Analyzer:
    """The Analyzer loaded at start-up (503 until it is ready)."""
    analyzer: Analyzer | None = getattr(request.app.state, "analyzer", None)
    if analyzer is None:
        error = getattr(request.app.state, "load_error", None)
        raise ApiError(503, "model_not_ready", error or "The model is still loading; retry shortly.")
    return analyzer


def served_analyzers(state: Any) -> dict[Tier, Analyzer]:
    """The loaded analyzer of each tier an app serves (`state` is the app's state), fast first."""
    served: dict[Tier, Analyzer] = {}
    for tier, attribute in ((FAST, "analyzer"), (THOROUGH, "thorough")):
        loaded = getattr(state, attribute, None)
        if loaded is not None:
            served[tier] = loaded
    return served


def analyzer_for(request: Request, tier: Tier | None, default: Tier) -> Analyzer:
    """The analyzer of the tier a request asks for, or of the route's `default` tier when it asks for none.

    A route's default falls back to the fast tier where no thorough model is served (the result names the tier that
    answered); a request that names the thorough tier gets 409 where none is served, 503 where it failed to load.
    """
    fast = get_analyzer(request)
    if (tier or default) == FAST:
        return fast
    thorough: Analyzer | None = getattr(request.app.state, "thorough", None)
    if thorough is not None:
        return thorough
    if tier is None:
        return fast
    error = getattr(request.app.state, "thorough_error", None)
    if error:
        raise ApiError(503, "model_not_ready", error)
    raise ApiError(409, "tier_not_available", "This service has no thorough-tier model: ask for tier=fast, or build "
                   "one with `make thorough` (or promote one) and restart the service.")


def supplied_key(headers: Mapping[str, str]) -> str | None:
    """The API key a request carries: `X-API-Key`, else `Authorization: Bearer`; an empty header counts as none
    (an empty X-API-Key once overrode a valid Bearer token)."""
    supplied = (headers.get("x-api-key") or "").strip()
    if supplied:
        return supplied
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and auth[7:].strip():
        return auth[7:].strip()
    return None


def key_is_valid(supplied: str, keys: list[str]) -> bool:
    """Compare against every key in constant time, so timing reveals neither a key nor which one matched."""
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(supplied.encode(), key.encode())
    return ok


def is_authenticated(request: Request, settings: Settings) -> bool:
    """Whether the request carries a valid key (False when no keys are configured: nobody is then known)."""
    supplied = supplied_key(request.headers)
    return bool(settings.api_keys) and supplied is not None and key_is_valid(supplied, settings.api_keys)


def check_api_key(headers: Mapping[str, str], settings: Settings) -> None:
    """Raise 401 unless keys are off or `headers` carry a valid one."""
    if not settings.api_keys:
        return
    supplied = supplied_key(headers)
    if supplied is None:
        raise ApiError(
            401, "unauthorized", "An API key is required (Authorization: Bearer <key> or X-API-Key).", _CHALLENGE
        )
    if not key_is_valid(supplied, settings.api_keys):
        raise ApiError(401, "unauthorized", "The API key is not valid.", _CHALLENGE)


def require_api_key(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> None:
    """When API keys are configured, accept `Authorization: Bearer <key>` or `X-API-Key: <key>`."""
    check_api_key(request.headers, settings)


def require_json(request: Request) -> None:
    """JSON routes refuse other content types with 415 rather than a confusing validation error."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", f"Send JSON (Content-Type: application/json), not "
                       f"{content_type or 'no content type'}.")


async def run_bounded(request: Request, fn: Callable[[StopCheck], T]) -> T:
    """Run CPU-bound work through the app's admission gate: `fn(should_stop)` runs in the analysis pool and
    should poll `should_stop`; 503 + Retry-After when overloaded, 504 when the request's time limit passes."""
    settings = get_settings(request)
    gate: AdmissionGate = request.app.state.gate
    started = request.scope.get(ARRIVED, time.monotonic())
    return await gate.run(fn, settings.request_timeout_s, started=started)


SettingsDep = Annotated[Settings, Depends(get_settings)]
AnalyzerDep = Annotated[Analyzer, Depends(get_analyzer)]
