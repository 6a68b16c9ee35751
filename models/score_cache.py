"""A bounded cache of sentence scores, so a re-checked draft costs only the sentences that changed.

Reviewers and editor add-ons send the same draft again and again with one paragraph edited. The cache maps a
digest of (model version, the exact input the scorer sees) to that input's probabilities. It holds digests and
numbers, never text: a digest cannot be turned back into the sentence, so the cache stores nothing a draft's
author would need to trust us with.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CacheStats:
    """Counters since start-up (monotonic, for Prometheus counters) and the current size."""

    hits: int
    misses: int
    entries: int
    capacity: int


class ScoreCache:
    """A thread-safe LRU from input digests to score arrays, at most `capacity` entries."""

    def __init__(self, capacity: int, namespace: str) -> None:
        """`namespace` is the model's name and version: scores of another model are never returned."""
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._salt = namespace.encode("utf-8") + b"\x00"
        self._entries: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def key(self, model_input: str) -> bytes:
        """Digest of one scorer input under this cache's model; 16 bytes are ample against collisions."""
        return hashlib.blake2b(self._salt + model_input.encode("utf-8"), digest_size=16).digest()

    def get_many(self, keys: Sequence[bytes]) -> list[np.ndarray | None]:
        """Cached scores for each key (None where absent); found entries become the most recently used."""
        found: list[np.ndarray | None] = []
        with self._lock:
            for k in keys:
                value = self._entries.get(k)
                if value is not None:
                    self._entries.move_to_end(k)
                found.append(value)
            hits = sum(v is not None for v in found)
            self._hits += hits
            self._misses += len(found) - hits
        return found

    def put_many(self, keys: Sequence[bytes], values: np.ndarray) -> None:
        """Store one row of `values` per key, evicting the least recently used beyond capacity."""
        with self._lock:
            for k, row in zip(keys, values, strict=True):
                # A copy, read-only: callers must not be able to change what later requests are served.
                stored = np.array(row, copy=True)
                stored.setflags(write=False)
                self._entries[k] = stored
                self._entries.move_to_end(k)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def stats(self) -> CacheStats:
        """Hit and miss counts and the number of entries now held."""
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries), self.capacity)
