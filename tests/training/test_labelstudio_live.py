"""The Label Studio round trip for real (issue 11, item 1): a running Label Studio (the PyPI package, in its own
virtualenv made by `make labelstudio`, on a loopback port, offline) takes the project's labelling config and
`annotations suggest` tasks through `label-studio-sdk`, fetches a prediction from `reviewlens annotations backend`,
and its export comes back through `reviewlens annotations import` with every span where the model put it.

Skipped only where `.labelstudio-venv` is missing and CI is not set; `make test` builds it, so in CI a missing
Label Studio is a failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reviewlens.cli.main import app
from reviewlens.models.analyzer import Analyzer
from reviewlens.training.corpus.formats.import_checks import utf16_to_code_points
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.documents import assemble_documents
from tests.support.processes import free_port, stop, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LS_VENV = ROOT / ".labelstudio-venv"
SESSION = ROOT / "tests" / "support" / "labelstudio_session.py"
TOKEN = "0123456789abcdef0123456789abcdef01234567"
# Label Studio's defaults phone home (a PyPI version check, Sentry, analytics) and refuse ML backends and
# webhooks on loopback addresses; a local install talking to a local backend turns those off.
OFFLINE_LOCAL = {
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "ML_BLOCK_LOCAL_IP": "false",
    "SSRF_PROTECTION_ENABLED": "false",
}


def _server(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(args, cwd=log.parent, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh Label Studio with one user whose legacy API token is TOKEN; yields its URL."""
    exe = LS_VENV / "bin" / "label-studio"
    if not exe.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{exe} is missing; `make test` runs `make labelstudio` first")
        pytest.skip("Label Studio is not installed: run `make labelstudio`")
    home = tmp_path_factory.mktemp("label-studio")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_"))} | OFFLINE_LOCAL
    process = _server(
        [str(exe), "start", "--no-browser", "--data-dir", str(home / "data"), "--internal-host", "127.0.0.1",
         "--port", str(port), "--username", "annotator@example.org", "--password", "round-trip-only",
         "--user-token", TOKEN, "--enable-legacy-api-token", "--log-level", "WARNING"],
        home / "label-studio.log", env,
    )
    try:
        # First start applies Label Studio's migrations to a new SQLite database: about 30 s on two cores.
        wait_for(f"http://127.0.0.1:{port}/health", process, home / "label-studio.log", timeout=240, expect="UP")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def backend(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`reviewlens annotations backend` serving the tiny model; yields its URL."""
    home = tmp_path_factory.mktemp("backend")
    port = free_port()
    process = _server(
        [sys.executable, "-m", "reviewlens.cli", "annotations", "backend", "--model", str(tiny_model_dir),
         "--port", str(port)],
        home / "backend.log",
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process, home / "backend.log", timeout=120, expect="UP")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def _spans(text: str, results: list[dict[str, Any]]) -> set[tuple[int, int, str]]:
    """Label Studio results as code-point spans (Label Studio counts UTF-16 units)."""
    out = set()
    for r in results:
        start = utf16_to_code_points(text, r["value"]["start"])
        end = utf16_to_code_points(text, r["value"]["end"])
        assert start is not None and end is not None
        assert text[start:end] == r["value"]["text"]
        out |= {(start, end, label) for label in r["value"]["labels"]}
    return out


def test_round_trip_through_a_running_label_studio(
    label_studio: str, backend: str, analyzer: Analyzer, tmp_path: Path
) -> None:
    docs = assemble_documents(load_corpus([ROOT / "annotations" / "corpus" / "batch_k.jsonl"]))[:3]
    # Emoji before most spans: Label Studio counts each as two UTF-16 units, so every later offset shifts.
    texts = {f"doc{i}": f"Mum 😀 wrote a note. {d.text}" for i, d in enumerate(docs)}
    folder = tmp_path / "unlabelled"
    folder.mkdir()
    for name in ("doc0", "doc1"):
        (folder / f"{name}.txt").write_text(texts[name], encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_text(texts["doc2"], encoding="utf-8")
    tasks_file = tmp_path / "tasks.json"
    runner = CliRunner()
    model = str(analyzer.model.path)
    result = runner.invoke(app, ["annotations", "suggest", str(folder), "-o", str(tasks_file), "--model", model])
    assert result.exit_code == 0, result.output
    suggested = {t["data"]["id"]: t["predictions"][0] for t in json.loads(tasks_file.read_text(encoding="utf-8"))}

    export = tmp_path / "export.json"
    session = subprocess.run(
        [str(LS_VENV / "bin" / "python"), str(SESSION), "--url", label_studio, "--token", TOKEN,
         "--config", str(ROOT / "annotations" / "labelstudio.xml"), "--tasks", str(tasks_file),
         "--plain", str(plain), "--backend", backend, "--export", str(export)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert session.returncode == 0, session.stderr[-4000:]
    held = json.loads(session.stdout)
    assert held["backend_state"] == "CO", "Label Studio reports the backend connected"
    version = f"{analyzer.model.name}-{analyzer.model.version}"
    by_id = {t["data_id"]: t for t in held["tasks"]}
    assert set(by_id) == {"doc0", "doc1", "plain-1"}
    for t in by_id.values():
        # One prediction per task: the imported ones were not predicted again, the plain one was fetched.
        assert [p["model_version"] for p in t["predictions"]] == [version]
        assert t["accepted"] > 0

    # The backend's prediction for the plain task is what the model gives that text directly.
    direct = runner.invoke(app, ["annotations", "suggest", str(plain), "-o", str(tmp_path / "direct.json"),
                                 "--model", model])
    assert direct.exit_code == 0, direct.output
    suggested["plain-1"] = json.loads((tmp_path / "direct.json").read_text(encoding="utf-8"))[0]["predictions"][0]
    assert by_id["plain-1"]["accepted"] == len(suggested["plain-1"]["result"])

    back = tmp_path / "back.jsonl"
    imported = runner.invoke(app, ["annotations", "import", str(export), "-f", "labelstudio", "--source", "authored",
                                   "-o", str(back)])
    assert imported.exit_code == 0, imported.output
    records = {r.id: r for r in load_corpus([back])}
    assert set(records) == {"doc0", "doc1", "plain-1"}
    for rid, record in records.items():
        text = texts["doc2"] if rid == "plain-1" else texts[rid]
        assert record.text == text
        expected = _spans(text, suggested[rid]["result"])
        assert {(s.start, s.end, s.label) for s in record.spans} == expected, f"{rid}: a span moved or was lost"
