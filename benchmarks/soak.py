"""`make soak`: load a real server on 127.0.0.1 for a fixed time and report how it holds up.

Two phases against one `reviewlens serve` process: closed-loop (N clients, each sending a 1,000-word draft as soon
as its last answer came back) and open-loop (a fixed arrival rate, whatever the server does), while a prober asks
`/healthz` ten times a second. Prints throughput, p50/p95/p99 of successful analyses, responses by status
(503s are the admission control refusing work, not failures), resident memory before and after, and the
`/healthz` p99. Bounded: every phase stops at its duration and every request has a client time-out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.service import _free_port, _percentile, _rss_mb, drafts
from reviewlens.models.tiers import FAST, TIERS

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Phase:
    """What one load phase saw."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # successful analyses, seconds
    statuses: Counter[str] = field(default_factory=Counter)
    health: list[float] = field(default_factory=list)

    def render(self) -> str:
        """The phase as a few lines."""
        ok = self.latencies
        pct = (
            " ".join(f"p{int(q * 100)} {_percentile(ok, q) * 1000:.0f} ms" for q in (0.5, 0.95, 0.99)) if ok else "-"
        )
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        health = f"{_percentile(self.health, 0.99) * 1000:.1f} ms (max {max(self.health) * 1000:.1f})" \
            if self.health else "-"
        return (
            f"{self.name}\n  {len(ok) / self.seconds:.2f} analyses/s ({len(ok)} in {self.seconds:.0f} s); {pct}\n"
            f"  responses by status: {statuses}\n  /healthz p99 {health} over {len(self.health)} probes"
        )


async def _post(client: httpx.AsyncClient, body: dict[str, str], phase: Phase, retry_after: bool = False) -> None:
    t0 = time.perf_counter()
    try:
        r = await client.post("/v1/analyze", json=body)
    except httpx.TimeoutException:
        phase.statuses["client time-out"] += 1
        return
    except httpx.TransportError as exc:
        phase.statuses[type(exc).__name__] += 1
        return
    phase.statuses[str(r.status_code)] += 1
    if r.status_code == 200:
        phase.latencies.append(time.perf_counter() - t0)
    elif r.status_code == 503 and retry_after:
        # A well-behaved client waits as told (closed loop); an open-loop arrival does not retry at all.
        await asyncio.sleep(float(r.headers.get("retry-after", "1")))


async def _probe(client: httpx.AsyncClient, phase: Phase, until: float) -> None:
    while time.perf_counter() < until:
        t0 = time.perf_counter()
        try:
            await client.get("/healthz")
            phase.health.append(time.perf_counter() - t0)
        except httpx.TransportError:
            phase.statuses["healthz error"] += 1
        await asyncio.sleep(0.1)


async def closed_loop(url: str, text: str, clients: int, seconds: float) -> Phase:
    """`clients` clients each sending the next request when the last is answered."""
    phase = Phase(f"closed loop: {clients} clients x {len(text.split())} words for {seconds:g} s")
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client, \
            httpx.AsyncClient(base_url=url, timeout=5) as prober:
        start = time.perf_counter()
        until = start + seconds

        async def worker() -> None:
            while time.perf_counter() < until:
                await _post(client, {"text": text}, phase, retry_after=True)

        await asyncio.gather(_probe(prober, phase, until), *(worker() for _ in range(clients)))
        phase.seconds = time.perf_counter() - start
    return phase


async def open_loop(url: str, text: str, rate: float, seconds: float) -> Phase:
    """Requests arriving at `rate` per second for `seconds`, answered or not."""
    phase = Phase(f"open loop: {rate:g} requests/s x {len(text.split())} words for {seconds:g} s")
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=1000)) as client, \
            httpx.AsyncClient(base_url=url, timeout=5) as prober:
        start = time.perf_counter()
        until = start + seconds
        probe = asyncio.create_task(_probe(prober, phase, until))
        tasks = []
        n = 0
        while (now := time.perf_counter()) < until:
            tasks.append(asyncio.create_task(_post(client, {"text": text}, phase)))
            n += 1
            await asyncio.sleep(max(0.0, start + n / rate - now))
        await asyncio.gather(probe, *tasks)
        phase.seconds = time.perf_counter() - start
    return phase


def main() -> None:
    """Start the server, run both phases, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None, help="model directory (default: the promoted model)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--closed-seconds", type=float, default=40)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--open-seconds", type=float, default=10)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--tier", choices=TIERS, default=FAST,
                        help="the tier to load: fast serves the fast model alone; thorough needs a promoted one")
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "reviewlens.cli", "serve", "--port", str(port)]
    if args.model:
        cmd += ["--model", args.model]
    if args.tier == FAST:
        # One tier in the process, so /v1/analyze (thorough by default) is answered by the fast model.
        cmd += ["--thorough-model", "none"]
    # The score cache off: every request repeats one draft, and re-checks served from the cache would measure the
    # cache, not the load the service can carry when drafts differ.
    env = {**os.environ, "REVIEWLENS_SCORE_CACHE_ENTRIES": "0"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.perf_counter() + 120
        while True:
            if proc.poll() is not None or time.perf_counter() > deadline:
                raise SystemExit("the server did not become ready within 120 s (is a model built? `make model`)")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        text = drafts(args.words)
        httpx.post(f"{url}/v1/analyze", json={"text": text}, timeout=60)  # warm-up
        rss_before = _rss_mb(proc.pid)
        phases = [
            asyncio.run(closed_loop(url, text, args.clients, args.closed_seconds)),
            asyncio.run(open_loop(url, text, args.rate, args.open_seconds)),
        ]
        rss_after = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"reviewlens soak: {args.tier} tier, {os.cpu_count()} cores, server on 127.0.0.1")
    for phase in phases:
        print(phase.render())
    print(f"resident memory: {rss_before:.0f} MB before, {rss_after:.0f} MB after")


if __name__ == "__main__":
    main()
