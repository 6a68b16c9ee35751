"""reviewlens: flags descriptive analysis, missing cultural competence and weak risk reasoning in reviews.

The import namespace: ``reviewlens.models`` (the core: documents, segmentation, scoring, findings, the
result schema), ``reviewlens.training`` (corpus tooling, fitting, evaluation, model cards),
``reviewlens.serving`` (the API, bulk scoring, reports) and ``reviewlens.cli`` (the command front door).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reviewlens")
except PackageNotFoundError:  # running from a tree that was never installed
    __version__ = "0+unknown"
