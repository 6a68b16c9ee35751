"""`reviewlens report`: one self-contained HTML page about everything a store holds for one model.

`data` aggregates in SQL, `plots` draws, `page` assembles the template's context and writes the page.
"""

from reviewlens.serving.bulk.report.data import ReportError
from reviewlens.serving.bulk.report.page import collect, render, write_report

__all__ = ["ReportError", "collect", "render", "write_report"]
