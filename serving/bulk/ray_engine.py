"""The Ray engine: the same scoring on a Ray cluster with Ray Data, results loaded into the store afterwards.

read_binary_files → map_batches(_RayScorer) → write_parquet, in chunks of files. `_RayScorer` is an actor
class, so the model loads once per actor, and it calls the very `score_documents` the local engine calls
(extraction included: a document's bytes go in, its row comes out). Each chunk's Parquet is loaded into the
store as soon as the chunk finishes, so a killed run loses at most one chunk.
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from reviewlens.models.analyzer import Analyzer
from reviewlens.models.model_dir import ModelDirectory
from reviewlens.serving.bulk.scoring import ROW_COLUMNS, DocInput, failed_row, model_key, score_documents
from reviewlens.serving.bulk.sink import Sink

# Files per Ray Data job. Each job starts its actors (and so loads the model) afresh, so a chunk is large
# enough to make that cheap beside the scoring, and small enough that a killed run loses little.
CHUNK_FILES = 1000
BATCH_SIZE = 4

_INT_COLUMNS = {"size", "pages", "characters", "words"}
ROW_SCHEMA = pa.schema(
    [
        (c, pa.int64() if c in _INT_COLUMNS else pa.float64() if c == "seconds" else pa.string())
        for c in ROW_COLUMNS
    ]
)


class _RayScorer:
    """A Ray Data actor: loads the Analyzer once, then scores batches of files."""

    def __init__(self, model_path: str, threads: int, doc_kinds: dict[str, str | None]) -> None:
        self.analyzer = Analyzer.load(model_path, threads=threads)
        self.doc_kinds = doc_kinds

    def __call__(self, batch: dict[str, Any]) -> pa.Table:
        items = [
            DocInput(name=Path(str(p)).name, path=str(p), data=bytes(b), doc_kind=self.doc_kinds.get(str(p)))
            for b, p in zip(batch["bytes"], batch["path"], strict=True)
        ]
        # An explicit schema: a batch where a column is all empty must not write it as the null type.
        return pa.Table.from_pylist(score_documents(items, self.analyzer), schema=ROW_SCHEMA)


def score_ray(
    items: Iterator[DocInput],
    sink: Sink,
    ready: Callable[[], None],
    model_path: Path,
    workers: int,
    threads: int,
    address: str | None,
) -> None:
    """Score `items` on Ray (`address`, or the running instance, or a new local one with `workers` CPUs).

    `ready` is called once Ray is up (actors load the model inside each chunk's job).
    """
    first = next(items, None)
    if first is None:
        return  # nothing missing: no reason to start Ray
    items = itertools.chain([first], items)
    # Ray is an optional extra (reviewlens[ray]) that takes seconds to import: only runs that ask for it pay.
    import ray
    import ray.data

    model = ModelDirectory.open(model_path)
    key = model_key(model.name, model.version)
    started_here = not ray.is_initialized()
    if started_here:
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
        if address is None:
            kwargs["num_cpus"] = workers * threads
        ray.init(address=address, **kwargs)
    ctx = ray.data.DataContext.get_current()
    # The driver's bar counts documents; Ray Data's bars and per-job INFO lines would fight it on stderr.
    ctx.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    ready()
    try:
        while chunk := list(itertools.islice(items, CHUNK_FILES)):
            _score_chunk(chunk, sink, model_path, key, workers, threads)
    finally:
        if started_here:
            ray.shutdown()


def _score_chunk(chunk: list[DocInput], sink: Sink, model_path: Path, key: str, workers: int, threads: int) -> None:
    import ray.data  # optional extra, deferred as in score_ray

    # One unreadable file would fail the whole Ray job: record those here, as the local engine would.
    readable = []
    for item in chunk:
        if item.path and os.access(item.path, os.R_OK):
            readable.append(item)
        else:
            sink(failed_row(item, key, "cannot read file: permission denied or gone"))
    if not readable:
        return
    # Ray reports each file under its absolute path; map it back to the path the driver planned with.
    planned = {str(Path(item.path or item.name).absolute()): item for item in readable}
    doc_kinds = {p: item.doc_kind for p, item in planned.items()}
    with tempfile.TemporaryDirectory(prefix="reviewlens-ray-") as out:
        # Reading and writing files claim no CPU: were they to wait for one, actors holding every CPU would
        # starve them and the job would never finish.
        ds = ray.data.read_binary_files(list(planned), include_paths=True, num_cpus=0)
        ds = ds.map_batches(
            _RayScorer,
            fn_constructor_kwargs={"model_path": str(model_path), "threads": threads, "doc_kinds": doc_kinds},
            batch_size=BATCH_SIZE,
            compute=ray.data.ActorPoolStrategy(size=min(workers, len(readable))),
            num_cpus=threads,
        )
        ds.write_parquet(out, ray_remote_args={"num_cpus": 0})
        for file in sorted(Path(out).glob("*.parquet")):
            for batch in pq.ParquetFile(file).iter_batches():
                for row in batch.to_pylist():
                    source = planned.get(row["path"])
                    if source is not None:
                        row["path"] = source.path
                    sink(row)
