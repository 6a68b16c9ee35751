"""Process-wide settings that keep reviewlens offline and silent: no downloads, no telemetry.

Must run before onnxruntime, transformers or datasets are imported: they read these variables at import time.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime otherwise writes a device id and event queue under ~/.cache
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",  # we parallelise across documents; nested pools oversubscribe 2 cores
    "RAY_USAGE_STATS_ENABLED": "0",
}


def configure_offline_env() -> None:
    """Set the offline/telemetry variables unless the user already chose a value."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
