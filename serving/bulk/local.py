"""The local engine: a process pool, one Analyzer per worker, a bounded number of documents in flight.

Each worker loads the model once (in the pool initializer) and scores one document per task with the shared
`score_documents`; the driver writes each result as it arrives. Only `2 × workers` documents are ever in
flight, so a killed run loses at most those, and memory stays flat however many files there are.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.model_dir import ModelDirectory
from reviewlens.serving.bulk.scoring import DocInput, DocLimits, failed_row, model_key, score_documents
from reviewlens.serving.bulk.sink import Sink

IN_FLIGHT_PER_WORKER = 2
CRASH_MESSAGE = "the worker process died while reading this file (a file that crashes the PDF library?)"

_analyzer: Analyzer | None = None
_limits: DocLimits | None = None


# How often a worker checks that its driver is still alive.
PARENT_WATCH_S = 0.5


def _watch_parent(parent: int) -> None:
    """Exit when the driver dies (even by kill -9): re-parented workers would otherwise sit blocked for ever,
    holding a model's memory each."""
    while os.getppid() == parent:
        time.sleep(PARENT_WATCH_S)
    os._exit(1)


def _init_worker(model_path: str, threads: int, limits: DocLimits, driver: int) -> None:
    global _analyzer, _limits
    # The driver's pid comes from the driver itself: had it died while this worker was still importing,
    # os.getppid() here would already name init.
    threading.Thread(target=_watch_parent, args=(driver,), name="parent-watch", daemon=True).start()
    _limits = limits
    _analyzer = Analyzer.load(model_path, threads=threads)


def _ready() -> bool:
    return _analyzer is not None


def _score_one(item: DocInput) -> list[dict[str, Any]]:
    assert _analyzer is not None, "worker initializer did not run"
    return score_documents([item], _analyzer, _limits)


class _Pool:
    """A process pool that can be rebuilt after a worker dies."""

    def __init__(self, model_path: Path, workers: int, threads: int, limits: DocLimits) -> None:
        self.args = (str(model_path), threads, limits, os.getpid())
        self.workers = workers
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # spawn, not fork: the driver holds an SQLite connection and tqdm's thread, which a fork would copy.
        return ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
            initargs=self.args,
        )

    def submit(self, item: DocInput) -> Future[list[dict[str, Any]]]:
        return self.pool.submit(_score_one, item)

    def check(self) -> None:
        """Raise if the workers cannot start, so a broken model or environment never reads as failed documents."""
        try:
            for future in [self.pool.submit(_ready) for _ in range(self.workers)]:
                future.result()
        except BrokenProcessPool as exc:
            raise RuntimeError("the worker processes could not load the model (see the error above)") from exc

    def restart(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new()
        self.check()

    def shutdown(self, wait: bool = True) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=True)


def score_local(
    items: Iterator[DocInput], sink: Sink, ready: Callable[[], None], model_path: Path, workers: int, threads: int,
    limits: DocLimits | None = None,
) -> None:
    """Score `items` with `workers` processes of `threads` threads each, handing every row to `sink`.

    `ready` is called once the workers have loaded the model.
    """
    first = next(items, None)
    if first is None:
        return  # nothing missing: no reason to start workers and load the model
    model = ModelDirectory.open(model_path)
    key = model_key(model.name, model.version)  # for a crash row, written without a worker's Analyzer
    pool = _Pool(model_path, workers, threads, limits or DocLimits())
    in_flight: dict[Future[list[dict[str, Any]]], DocInput] = {}
    try:
        pool.check()
        ready()
        for item in itertools.chain([first], items):
            while len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                _collect(pool, in_flight, sink, key)
            in_flight[pool.submit(item)] = item
        while in_flight:
            _collect(pool, in_flight, sink, key)
    except BaseException:
        # Ctrl-C reaches the workers too; waiting on them could hang, and what is stored is already safe.
        pool.shutdown(wait=False)
        raise
    pool.shutdown()


def _collect(pool: _Pool, in_flight: dict[Future[list[dict[str, Any]]], DocInput], sink: Sink, key: str) -> None:
    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
    broken = False
    for future in done:
        item = in_flight.pop(future)
        try:
            rows = future.result()
        except BrokenProcessPool:
            broken = True
            in_flight[future] = item  # retried below, with the rest of the pool's documents
            continue
        for row in rows:
            sink(row)
    if broken:
        _isolate_crash(pool, in_flight, sink, key)


def _isolate_crash(
    pool: _Pool, in_flight: dict[Future[list[dict[str, Any]]], DocInput], sink: Sink, key: str
) -> None:
    """A worker died and took the pool's queue with it: retry each lost document alone to find the culprit."""
    suspects = list(in_flight.values())
    in_flight.clear()
    for item in suspects:
        pool.restart()
        try:
            rows = pool.submit(item).result()
        except BrokenProcessPool:
            rows = [failed_row(item, key, CRASH_MESSAGE)]
        for row in rows:
            sink(row)
    pool.restart()
