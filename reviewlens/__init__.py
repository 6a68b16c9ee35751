"""reviewlens: flags descriptive analysis, missing cultural competence and weak risk reasoning in reviews.

The import namespace: ``reviewlens.models`` (the core: documents, segmentation, scoring, findings, the
result schema), ``reviewlens.training`` (corpus tooling, fitting, evaluation, model cards),
``reviewlens.serving`` (the API, bulk scoring, reports) and ``reviewlens.cli`` (the command front door).
"""

from importlib.metadata import PackageNotFoundError, version

from reviewlens.models.runtime import configure_offline_env

# The one place the offline and no-telemetry variables are set: every reviewlens import passes through here
# before onnxruntime, transformers or datasets can be imported, and those read the variables at import time.
configure_offline_env()

try:
    __version__ = version("reviewlens")
except PackageNotFoundError:  # running from a tree that was never installed
    __version__ = "0+unknown"
