"""Bulk-scoring benchmark: review-like PDFs built from the corpus excerpts, scored with 1 and with 2 workers.

    python -m benchmarks.bulk --docs 200 --words 10000 --tier fast

prints, per setting, wall time, the workers' model-loading time, documents/minute (over the whole wall time
and once the model is loaded), words/second and CPU utilisation (CPU seconds of the driver and its workers
over wall seconds × cores).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewlens.models.model_dir import ModelDirectory
from reviewlens.models.registry import choose_model, resolve_model
from reviewlens.models.tiers import THOROUGH, TIERS, Tier
from reviewlens.serving.bulk.run import ScoreOptions, score_inputs
from tests.support.reviews import DEFAULT_CORPUS, generate_corpus


@dataclass(frozen=True)
class Timing:
    """One timed scoring run."""

    workers: int
    threads: int
    seconds: float
    startup: float
    cpu_seconds: float
    documents: int
    words: int

    def row(self, cores: int) -> str:
        """Setting, wall time, model loading, documents/minute (wall and after loading), words/s, CPU use."""
        busy = self.seconds - self.startup
        return (
            f"{self.workers:>7} {self.threads:>7} {self.seconds:>7.1f} {self.startup:>7.1f} "
            f"{self.documents / self.seconds * 60:>9.1f} {self.documents / busy * 60:>10.1f} "
            f"{self.words / busy:>9.0f} {self.cpu_seconds / self.seconds / cores:>7.0%}"
        )


HEADER = (
    f"{'workers':>7} {'threads':>7} {'wall s':>7} {'load s':>7} {'docs/min':>9} {'docs/min*':>10} "
    f"{'words/s*':>9} {'CPU':>7}"
)


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_score(folder: Path, store: Path, workers: int, threads: int, model: str | None, words: int,
               tier: Tier | None = None) -> Timing:
    """Score `folder` into a fresh store with the local engine; wall and CPU time (worker processes included)."""
    cpu = _cpu()
    options = ScoreOptions(model=model, tier=tier, workers=workers, threads=threads, progress=False)
    summary = score_inputs([folder], store, options)
    # Workers are waited for when the pool shuts down, so their CPU time is in RUSAGE_CHILDREN by now.
    return Timing(workers, threads, summary.seconds, summary.startup, _cpu() - cpu, summary.counts.scored, words)


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the PDFs, time 1 and 2 workers (threads so that workers × threads = cores), print a table."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bulk", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--docs", type=int, default=200, help="PDFs to generate (default 200)")
    parser.add_argument("--words", type=int, default=10_000, help="words per PDF (default 10000)")
    parser.add_argument("--model", default=None, help="model directory or name (default: the tier's promoted model)")
    parser.add_argument("--tier", choices=TIERS, default=None,
                        help="fast or thorough (default: as `reviewlens score`, thorough where one is promoted)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--keep", type=Path, default=None, help="generate into (and keep) this folder")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="reviewlens-bench-") as tmp:
        folder = args.keep or Path(tmp) / "pdfs"
        start = time.perf_counter()
        words = generate_corpus(folder, args.docs, args.words, corpus=args.corpus)
        print(f"generated {args.docs} PDFs, {words} words, in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        timings = []
        for workers in args.workers:
            threads = max(1, cores // workers)
            timings.append(time_score(folder, Path(tmp) / f"w{workers}.sqlite", workers, threads, args.model, words,
                                      args.tier))
    model = ModelDirectory.open(resolve_model(choose_model(args.model, args.tier, THOROUGH)))
    print(f"{model.tier} tier, model {model.name} {model.version}: {args.docs} documents, {words} words, {cores} "
          "cores; * = after the workers loaded the model")
    print(HEADER)
    for timing in timings:
        print(timing.row(cores))


if __name__ == "__main__":
    main()
