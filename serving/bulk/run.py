"""A scoring run, whichever engine does the work: find the files, decide what is missing, store what comes back.

The driver streams: files are found one folder at a time, hashed one at a time, and each result is written as
it arrives, so memory does not grow with the number of documents (the Ray engine, which needs its file list up
front, works through it in chunks).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from reviewlens.models.extract import SUPPORTED_SUFFIXES
from reviewlens.models.model_dir import ModelDirectory
from reviewlens.models.registry import choose_model, resolve_model
from reviewlens.models.tiers import THOROUGH, Tier
from reviewlens.serving.bulk.local import score_local
from reviewlens.serving.bulk.metadata import Metadata
from reviewlens.serving.bulk.ray_engine import score_ray
from reviewlens.serving.bulk.scoring import DocInput, DocLimits, model_key
from reviewlens.serving.bulk.store import RunCounts, Store, StoreError

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class ScoreOptions:
    """How to score: model, engine, parallelism and what to retry."""

    model: str | None = None
    tier: Tier | None = None  # neither model nor tier: the thorough model where one is promoted, else the fast one
    engine: str = "local"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    threads: int | None = None
    address: str | None = None
    retry_failed: bool = False
    progress: bool = True
    metadata: Metadata | None = None
    limits: DocLimits = field(default_factory=DocLimits)

    def threads_per_worker(self) -> int:
        """Threads for each worker's model: the given number, or the cores shared out among the workers."""
        return self.threads or max(1, (os.cpu_count() or 1) // max(1, self.workers))


@dataclass(frozen=True)
class Failure:
    """A document this run could not score."""

    name: str
    path: str | None
    error: str


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the closing summary."""

    counts: RunCounts
    seconds: float
    startup: float  # until the workers had loaded the model (0 when nothing needed scoring)
    ignored: int
    failures: list[Failure]
    earlier_failures: int
    skipped_files: list[Failure] = field(default_factory=list)
    tier: Tier | None = None

    @property
    def docs_per_minute(self) -> float:
        """Documents scored (or failed) per minute of scoring, model loading excluded."""
        busy = self.seconds - self.startup
        return (self.counts.scored + self.counts.failed) / busy * 60 if busy > 0 else 0.0

    def render(self) -> str:
        """A few lines for the terminal: counts, speed, and every document that failed."""
        c = self.counts
        lines = [
            f"run {c.run_id} ({c.model}{f', {self.tier} tier' if self.tier else ''}): "
            f"{c.scored} scored, {c.failed} failed, {c.skipped} already in the store, "
            f"{c.duplicates} duplicate(s), {self.ignored} other file(s) ignored; {c.pages} pages in "
            f"{self.seconds:.1f} s ({self.startup:.1f} s loading the model, then {self.docs_per_minute:.1f} "
            "documents/minute)",
        ]
        if self.failures:
            lines.append(f"{len(self.failures)} document(s) could not be scored:")
            lines += [f"  {f.path or f.name}: {f.error}" for f in self.failures]
        if self.skipped_files:
            lines.append(f"{len(self.skipped_files)} path(s) skipped:")
            lines += [f"  {f.path}: {f.error}" for f in self.skipped_files]
        if self.earlier_failures:
            lines.append(f"{self.earlier_failures} document(s) failed in earlier runs (see `reviewlens report`; "
                         "--retry-failed tries them again)")
        return "\n".join(lines)


class FileWalk:
    """The files named by the inputs: files as given, folders recursively (supported types only, sorted)."""

    def __init__(self, inputs: Sequence[Path]) -> None:
        missing = [str(p) for p in inputs if not p.exists()]
        if missing:
            raise FileNotFoundError(f"no such file or folder: {', '.join(missing)}")
        self.inputs = list(inputs)
        self.ignored = 0
        self.skipped: list[Failure] = []

    def _regular(self, path: Path) -> bool:
        """Whether `path` is a regular file; anything else (a FIFO, device or socket, which would block or never
        end when read, or a broken or looping link) is recorded in `skipped` with the reason."""
        try:
            mode = path.stat().st_mode
        except OSError as exc:  # ELOOP for a symlink loop, ENOENT for a dangling link
            self.skipped.append(Failure(path.name, str(path), f"cannot be opened: {exc.strerror or exc}"))
            return False
        if stat.S_ISREG(mode):
            return True
        kind = (
            "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device or special file"
        )
        self.skipped.append(Failure(path.name, str(path), f"not a regular file ({kind}); skipped"))
        return False

    def __iter__(self) -> Iterator[Path]:
        self.ignored = 0
        self.skipped = []
        for root in self.inputs:
            if not root.is_dir():
                # Named explicitly, so an unsupported type is reported as a failure rather than ignored.
                if self._regular(root):
                    yield root
                continue
            # os.walk does not follow symlinked folders, so a link loop cannot make it cycle.
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if Path(name).suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith((".", "~$")):
                        if self._regular(Path(folder) / name):
                            yield Path(folder) / name
                    else:
                        self.ignored += 1

    def count(self) -> int:
        """Number of files a walk yields (a second, name-only pass, so the progress bar can show an ETA)."""
        return sum(1 for _ in self)


def file_hash(path: Path) -> str | None:
    """SHA-256 of a file's bytes, read in blocks; None when it cannot be read (scoring then records why)."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


class Planner:
    """Decides for each file: score it, skip it (the model has it), or note it as a duplicate of another."""

    def __init__(self, store: Store, model: str, run_id: int, options: ScoreOptions, progress: Progress) -> None:
        self.store = store
        self.model = model
        self.run_id = run_id
        self.options = options
        self.progress = progress
        # Documents handed to the engine and not yet stored: a copy arriving meanwhile is a duplicate too.
        self.pending: dict[str, str] = {}  # path → hash
        self.pending_hashes: set[str] = set()
        self.extra_metadata: dict[str, dict[str, str]] = {}  # hash → metadata of in-flight duplicates

    def items(self, files: Iterator[Path]) -> Iterator[DocInput]:
        """The files still to score for this model, each distinct content once."""
        metadata = self.options.metadata
        for path in files:
            doc_hash = file_hash(path)
            if doc_hash is not None:
                done_by = self.store.result_run(doc_hash, self.model, self.options.retry_failed)
                in_flight = doc_hash in self.pending_hashes
                if done_by is not None or in_flight:
                    meta = metadata.lookup(path) if metadata else None
                    if in_flight and meta:
                        # The copy being scored may have no metadata row: keep this one's for when it is stored.
                        self.extra_metadata.setdefault(doc_hash, {}).update(meta)
                    self.store.add_source(str(path), doc_hash, path.name, meta)
                    duplicate = in_flight or done_by == self.run_id
                    self.store.count_run(self.run_id, skipped=int(not duplicate), duplicates=int(duplicate))
                    self.progress.advance(pages=0)
                    continue
                self.pending[str(path)] = doc_hash
                self.pending_hashes.add(doc_hash)
            yield DocInput(name=path.name, path=str(path), doc_kind=metadata.doc_kind(path) if metadata else None)

    def sink(self, row: dict[str, Any]) -> None:
        """Store one engine result (with its metadata) and advance the progress bar."""
        own = self.options.metadata.lookup(row["path"]) if self.options.metadata and row.get("path") else {}
        metadata = {**self.extra_metadata.pop(row["doc_hash"], {}), **own}
        self.store.add_row(row, self.run_id, metadata)
        self.pending_hashes.discard(self.pending.pop(row.get("path") or "", ""))
        self.progress.advance(pages=row.get("pages") or 0)


class Progress:
    """A tqdm bar on stderr: documents, pages per second and ETA (silent when disabled)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = tqdm(total=total, unit="doc", file=sys.stderr, disable=not enabled, dynamic_ncols=True,
                        smoothing=0.1, desc="loading model")
        self.start = time.perf_counter()
        self.ready_at: float | None = None
        self.pages = 0

    def ready(self) -> None:
        """Workers are up: restart the clock so rates and ETA measure scoring, not model loading."""
        self.start = self.ready_at = time.perf_counter()
        self.bar.start_t = time.time()  # tqdm's clock is time.time
        self.bar.set_description_str("scoring", refresh=False)

    def advance(self, pages: int) -> None:
        """One more document done (scored, failed or skipped)."""
        self.pages += pages
        elapsed = time.perf_counter() - self.start
        self.bar.set_postfix_str(f"{self.pages / elapsed if elapsed else 0:.1f} pages/s", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        """Finish the bar."""
        self.bar.close()


@contextmanager
def run_lock(store_path: Path) -> Iterator[None]:
    """Hold `<store>.lock` for a run, so a second `score` on the same store refuses instead of scoring the same
    documents again (two runs once scored 31 documents 59 times). An flock is released by the kernel when its
    holder dies, even by kill -9, so a crashed run never leaves a stale lock behind."""
    lock_path = Path(f"{store_path}.lock")
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreError(
                f"{store_path} is being scored by another `reviewlens score` ({holder}); wait for it to finish "
                "(what it stores is kept) and run this again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        yield
    finally:
        handle.close()


def score_inputs(inputs: Sequence[Path], store_path: Path, options: ScoreOptions) -> RunSummary:
    """Score every file under `inputs` that the store lacks for the model, with the chosen engine."""
    if options.engine not in ENGINES:
        raise ValueError(f"unknown engine {options.engine!r}; use one of {', '.join(ENGINES)}")
    walk = FileWalk(inputs)
    model_dir = ModelDirectory.open(resolve_model(choose_model(options.model, options.tier, THOROUGH)))
    model = model_key(model_dir.name, model_dir.version)
    threads = options.threads_per_worker()
    start = time.perf_counter()
    with run_lock(store_path), Store(store_path) as store:
        run_id = store.begin_run(
            model, model_dir.name, model_dir.version, options.engine, options.workers, threads,
            [str(p) for p in inputs],
        )
        progress = Progress(walk.count() if options.progress else 0, options.progress)
        planner = Planner(store, model, run_id, options, progress)
        try:
            if options.engine == "ray":
                score_ray(planner.items(iter(walk)), planner.sink, progress.ready, model_dir.path, options.workers,
                          threads, options.address)
            else:
                score_local(planner.items(iter(walk)), planner.sink, progress.ready, model_dir.path, options.workers,
                            threads, options.limits)
        except BaseException:
            progress.close()
            store.finish_run(run_id, "interrupted")
            raise
        progress.close()
        counts = store.finish_run(run_id)
        failures = [Failure(r["name"], r["path"], r["error"]) for r in store.failures(model, run_id=run_id)]
        earlier = len(store.failures(model)) - len(failures)
    startup = progress.ready_at - start if progress.ready_at else 0.0
    return RunSummary(counts, time.perf_counter() - start, startup, walk.ignored, failures, earlier, walk.skipped,
                      model_dir.tier)
