"""Prometheus metrics and the access log: method, route template, status and latency. Never any text, body or
query string (a LanguageTool client may put the draft in the query)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.tiers import Tier

access_log = logging.getLogger("reviewlens.access")
# The scope key holding a request's arrival time (time.monotonic()): deadlines count from it (deps.run_bounded).
ARRIVED = "reviewlens.arrived"


class _ScoreCacheCollector(Collector):
    """Reads each tier's re-check cache counters at scrape time (the analyzers, and so their caches, load after
    start-up)."""

    def __init__(self, analyzers: Callable[[], Mapping[Tier, Analyzer]]) -> None:
        self.analyzers = analyzers

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        """Hits, misses and entries of each tier's score cache, labelled by tier (zeros where a tier has none)."""
        hits = CounterMetricFamily(
            "reviewlens_score_cache_hits", "Sentences whose scores came from the re-check cache", labels=["tier"]
        )
        misses = CounterMetricFamily(
            "reviewlens_score_cache_misses", "Sentences scored by the model (not in the cache)", labels=["tier"]
        )
        entries = GaugeMetricFamily(
            "reviewlens_score_cache_entries", "Sentence scores held for re-checks", labels=["tier"]
        )
        for tier, analyzer in self.analyzers().items():
            # getattr: an injected analyzer (a test double, an embedding application's wrapper) may have no cache.
            cache = getattr(analyzer, "cache", None)
            stats = cache.stats() if cache is not None else None
            hits.add_metric([tier], stats.hits if stats else 0)
            misses.add_metric([tier], stats.misses if stats else 0)
            entries.add_metric([tier], stats.entries if stats else 0)
        yield from (hits, misses, entries)


class Metrics:
    """One registry per app, so several apps (tests) never collide."""

    def __init__(self, analyzers: Callable[[], Mapping[Tier, Analyzer]] = dict) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_ScoreCacheCollector(analyzers))
        self.requests = Counter(
            "reviewlens_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "reviewlens_request_seconds", "HTTP request latency", ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )

    def render(self) -> Response:
        """The exposition-format response."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def _route_template(request: Request) -> str:
    route = request.scope.get("route")
    # The template (e.g. /v1/analyze), never the raw path: unmatched paths would otherwise grow the label set.
    return getattr(route, "path", "unmatched")


def install_metrics(app: FastAPI, metrics: Metrics) -> None:
    """Count and time every request."""

    @app.middleware("http")
    async def _measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        # Read by deps.run_bounded: a request's deadline counts from here, so queue and upload time are included.
        request.scope[ARRIVED] = time.monotonic()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = _route_template(request)
            metrics.requests.labels(request.method, route, str(status)).inc()
            elapsed = time.perf_counter() - start
            metrics.latency.labels(request.method, route, str(status)).observe(elapsed)
            access_log.info("%s %s %d %.1fms", request.method, route, status, elapsed * 1000)
