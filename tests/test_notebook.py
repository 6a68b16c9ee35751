"""The error-analysis notebook is executed against a small model so it cannot rot."""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def test_error_analysis_notebook_runs(tiny_model_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("REVIEWLENS_MODEL", str(tiny_model_dir))
    nb = nbformat.read(ROOT / "notebooks" / "error_analysis.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "test sentences" in outputs and "risk_reasoning" in outputs
    assert os.environ["REVIEWLENS_MODEL"] == str(tiny_model_dir)
