"""Every store table written out as Parquet, CSV or JSONL, chunk by chunk (memory does not grow with the store)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from reviewlens.serving.bulk.store.schema import TABLES

EXPORT_FORMATS = (".parquet", ".csv", ".jsonl")
_EXPORT_CHUNK = 20_000


def export_tables(db: sqlite3.Connection, out: Path) -> list[Path]:
    """Write every table to `<stem>.<table><suffix>` beside `out` (Parquet, CSV or JSONL), chunk by chunk."""
    suffix = out.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"cannot export to {out.name}: use one of {', '.join(EXPORT_FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        target = out.with_name(f"{out.stem}.{table}{suffix}")
        _export_table(db, table, target, suffix)
        written.append(target)
    return written


def _export_table(db: sqlite3.Connection, table: str, target: Path, suffix: str) -> None:
    columns = [(r["name"], r["type"].upper()) for r in db.execute(f"PRAGMA table_info({table})")]
    names = [c for c, _ in columns]
    quoted = ", ".join(f'"{c}"' for c in names)
    cursor = db.execute(f"SELECT {quoted} FROM {table}")
    if suffix == ".parquet":
        # Types from the declared schema, so an all-null first chunk cannot pin a column to the null type.
        kinds = {"INTEGER": pa.int64(), "REAL": pa.float64()}
        schema = pa.schema([(c, kinds.get(t, pa.string())) for c, t in columns])
        with pq.ParquetWriter(target, schema) as writer:
            while chunk := cursor.fetchmany(_EXPORT_CHUNK):
                data = {c: [r[i] for r in chunk] for i, c in enumerate(names)}
                writer.write_table(pa.Table.from_pydict(data, schema=schema))
        return
    with target.open("w", encoding="utf-8", newline="") as handle:
        if suffix == ".csv":
            writer_csv = csv.writer(handle)
            writer_csv.writerow(names)
            while chunk := cursor.fetchmany(_EXPORT_CHUNK):
                writer_csv.writerows(tuple(r) for r in chunk)
        else:
            while chunk := cursor.fetchmany(_EXPORT_CHUNK):
                handle.writelines(
                    json.dumps(dict(zip(names, r, strict=True)), ensure_ascii=False) + "\n" for r in chunk
                )
