"""Process-wide settings that keep reviewlens offline and silent: no downloads, no telemetry.

Must run before onnxruntime, transformers or datasets are imported: they read these variables at import time.
"""

from __future__ import annotations

import importlib.abc
import os
import sys

from reviewlens.models.paths import paths

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
    """Set the offline/telemetry variables (and keep Hugging Face's cache in the data root) unless already set."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("HF_HOME", str(paths().hf_home))


class _TorchBlocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {name!r} (not used in serving processes)", name=name)
        return None


def block_torch() -> None:
    """Make torch unimportable in a serving process.

    Serving never needs torch, but spaCy's thinc imports it whenever it is installed (as in a training
    environment), costing about a second of start-up and a few hundred MB of memory per process. A finder that
    refuses the import (rather than a None in sys.modules, which other libraries probe) makes thinc fall back.
    """
    if "torch" not in sys.modules and not any(isinstance(f, _TorchBlocker) for f in sys.meta_path):
        sys.meta_path.insert(0, _TorchBlocker())


def allow_torch() -> None:
    """Lift `block_torch` in a process that is about to train (the CLI blocks torch until a command needs it)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _TorchBlocker)]
