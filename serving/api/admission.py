"""Admission control: at most N analyses at once, a bounded queue with a wait limit, and time limits that stop work.

Analyses run in a dedicated pool of `max_concurrent` threads, never on the event loop and never in AnyIO's shared
pool (40 threads), so `/healthz` and `/readyz` are answered however much work is queued. A request that finds the
queue full, or waits in it longer than the queue limit, gets 503 with `Retry-After`. The request deadline counts
from arrival, queue time included; when it passes the caller gets 504 and the analysis is told to stop, which it
does at its next batch boundary (`Analyzer.analyze_many(should_stop=...)`). A slot is freed only once the work
has really stopped, so the bound on concurrent analyses holds even for timed-out requests.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from reviewlens.models.analyzer import Cancelled
from reviewlens.serving.api.errors import ApiError

T = TypeVar("T")
StopCheck = Callable[[], bool]


class AdmissionGate:
    """Bounds concurrent analyses and their queue; runs each with a deadline that really ends it."""

    def __init__(self, max_concurrent: int, max_queue: int, queue_timeout_s: float) -> None:
        self.max_concurrent = max_concurrent
        self.max_queue = max_queue
        self.queue_timeout_s = queue_timeout_s
        self._executor: ThreadPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0
        self.running = 0
        self.rejected = 0

    def _semaphore(self) -> asyncio.Semaphore:
        # Created lazily, inside the running loop, so one gate works whichever loop serves the app.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrent)
        return self._slots

    def _pool(self) -> ThreadPoolExecutor:
        # Lazily too: an app can be started, shut down and started again (tests do), each time with a fresh pool.
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self.max_concurrent, thread_name_prefix="reviewlens-analysis"
            )
        return self._executor

    def _overloaded(self, why: str) -> ApiError:
        self.rejected += 1
        retry = max(1, math.ceil(self.queue_timeout_s))
        return ApiError(
            503, "overloaded", f"The server is busy ({why}); retry in {retry} s.", {"Retry-After": str(retry)}
        )

    async def run(self, fn: Callable[[StopCheck], T], timeout_s: float, started: float | None = None) -> T:
        """Run `fn(should_stop)` in the analysis pool: 503 when the queue is full or the wait too long, 504 when
        `timeout_s` (counted from `started`, default now) passes; `fn` should poll `should_stop` and give up."""
        started = time.monotonic() if started is None else started
        deadline = started + timeout_s
        slots = self._semaphore()
        if slots.locked():
            if self.waiting >= self.max_queue:
                raise self._overloaded(f"{self.max_concurrent} analyses running and {self.waiting} queued")
            self.waiting += 1
            try:
                wait = min(self.queue_timeout_s, max(0.0, deadline - time.monotonic()))
                await asyncio.wait_for(slots.acquire(), timeout=wait)
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise _timeout(timeout_s) from None
                raise self._overloaded(f"no analysis slot freed within {self.queue_timeout_s:g} s") from None
            finally:
                self.waiting -= 1
        else:
            await slots.acquire()
        stop = threading.Event()

        def should_stop() -> bool:
            return stop.is_set() or time.monotonic() >= deadline

        loop = asyncio.get_running_loop()
        self.running += 1
        try:
            future = loop.run_in_executor(self._pool(), fn, should_stop)
        except BaseException:
            self.running -= 1
            slots.release()
            raise

        def release(_: object) -> None:
            # Freed when the work has stopped, not when the caller gave up on it.
            self.running -= 1
            slots.release()

        future.add_done_callback(release)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            stop.set()
            raise _timeout(timeout_s) from None
        except Cancelled:
            raise _timeout(timeout_s) from None
        except asyncio.CancelledError:
            # The client went away: nobody wants the result.
            stop.set()
            raise

    def shutdown(self) -> None:
        """Drop the pool (queued work is cancelled, running work is not waited for) and the loop-bound semaphore;
        a later start gets fresh ones."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = None
        self._slots = None


def _timeout(limit: float) -> ApiError:
    return ApiError(504, "timeout", f"Analysis took longer than {limit:g} s; send a shorter text.")
