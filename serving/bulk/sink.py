"""What an engine hands each scored (or failed) document's row to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Sink = Callable[[dict[str, Any]], None]
