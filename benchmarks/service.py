"""`make bench` (service part): start-up time, latency and memory of the API with the default model.

Prints figures and their ratio to the targets (1,000-word p95 ≤ 150 ms, 10,000-word p95 ≤ 1.5 s, start to ready
≤ 10 s, resident memory ≤ 1.5 GB); it measures, it does not pass or fail. Drafts are assembled from the
project's own corpus, so the text has real review structure.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from reviewlens.models.paths import paths
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.documents import assemble_documents

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"p95_1k_ms": 150.0, "p95_10k_ms": 1500.0, "ready_s": 10.0, "rss_mb": 1536.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc (Linux)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def drafts(words: int) -> str:
    """A draft of about `words` words, built from corpus excerpts under section headings."""
    docs = assemble_documents(load_corpus([paths().corpus]))
    parts: list[str] = []
    count = 0
    i = 0
    while count < words:
        text = docs[i % len(docs)].text
        parts.append(text)
        count += len(text.split())
        i += 1
    joined = "\n\n".join(parts).split(" ")
    return " ".join(joined[: len(joined) * words // max(count, 1)])


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None, help="model directory (default: the promoted model)")
    parser.add_argument("--requests", type=int, default=40, help="requests per draft size")
    args = parser.parse_args()
    port = _free_port()
    cmd = [sys.executable, "-m", "reviewlens.cli", "serve", "--port", str(port)]
    if args.model:
        cmd += ["--model", args.model]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            ready_s = None
            while time.perf_counter() - started < 120:
                try:
                    if client.get("/readyz").status_code == 200:
                        ready_s = time.perf_counter() - started
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            if ready_s is None:
                raise SystemExit("the service did not become ready within 120 s")
            rows = []
            for words in (1000, 10000):
                text = drafts(words)
                client.post("/v1/analyze", json={"text": text})  # warm-up
                times = []
                n = args.requests if words == 1000 else max(5, args.requests // 4)
                for _ in range(n):
                    t0 = time.perf_counter()
                    r = client.post("/v1/analyze", json={"text": text})
                    times.append((time.perf_counter() - t0) * 1000)
                    r.raise_for_status()
                rows.append((words, len(text.split()), n, statistics.median(times), _percentile(times, 0.95)))
            rss = _rss_mb(proc.pid)
            model = client.get("/v1/models").json()["loaded"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"reviewlens service benchmark — model {model['name']} {model['version']} ({model['backend']}), "
          f"{os.cpu_count()} cores")
    print(f"{'measure':<28}{'value':>12}{'target':>12}{'value/target':>14}")
    print(f"{'start → ready':<28}{ready_s:>11.2f}s{TARGETS['ready_s']:>11.1f}s{ready_s / TARGETS['ready_s']:>14.2f}")
    for words, actual, n, p50, p95 in rows:
        key = "p95_1k_ms" if words == 1000 else "p95_10k_ms"
        print(f"{f'{actual}-word draft p50 (n={n})':<28}{p50:>10.0f}ms{'':>12}")
        print(f"{f'{actual}-word draft p95':<28}{p95:>10.0f}ms{TARGETS[key]:>10.0f}ms{p95 / TARGETS[key]:>14.2f}")
    print(f"{'resident memory':<28}{rss:>10.0f}MB{TARGETS['rss_mb']:>10.0f}MB{rss / TARGETS['rss_mb']:>14.2f}")


if __name__ == "__main__":
    main()
