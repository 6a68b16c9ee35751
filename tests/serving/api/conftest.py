"""Fixtures for the API tests: apps over the session's tiny model, awkward texts and files built from the corpus."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reviewlens.serving.api.main import create_app
from reviewlens.serving.api.settings import Settings
from tests.support.processes import free_port, stop

# A string that appears nowhere else; privacy tests assert it never leaves the request.
MARKER = "Zqxw7Marker-Child-Q-9Vbn"


# A draft that always raises a document flag: no sentence states ethnicity (a rule, not a model score).
FLAG_DRAFT = (
    "Review of services\n\nAnalysis\n\nThe social worker visited the home on 3 May. The health visitor saw the "
    "baby on 10 May. The school nurse phoned the mother on 12 May. The GP saw the child on 20 May. Professionals "
    "accepted the mother's account without checking it. The risk was judged to be low."
)
# Long enough (45+ sentences) for every document flag to be judged; it never states an ethnicity, so at least
# ETHNICITY_NOT_RECORDED is raised.
LONG_FLAG_DRAFT = FLAG_DRAFT + " " + " ".join(
    f"The {who} saw the family again on day {day} of the plan and recorded the visit."
    for day, who in enumerate(["social worker", "health visitor", "school nurse", "family support worker"] * 11)
)


def tricky(text: str) -> str:
    """The text with CRLF line ends, tabs, astral emoji (ZWJ sequences, skin tones) and combining marks.

    The substitutions hit words every review uses, so they land inside findings whatever the corpus holds.
    """
    text = re.sub(r"\band\b", "and 🧕🏽", text)
    text = re.sub(r"\b(was|were)\b", lambda m: m.group(1)[:-1] + m.group(1)[-1] + "\u0308", text)
    text = re.sub(r"\. (?=[A-Z])", ".\t", text)
    return "\ufeff📄 Draft 👩\u200d👧\u200d👦 review\r\n\r\n" + text.replace("\n", "\r\n")


ROOT = Path(__file__).resolve().parents[3]
SERVER_TEXT_LIMIT = 100_000


class LiveServer:
    """`reviewlens serve` in a subprocess on a free loopback port, its stderr captured to a file."""

    def __init__(self, model_dir: Path, stderr: Path, extra_env: dict[str, str] | None = None) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.stderr = stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWLENS_")}
        # Limits from the environment, to show `serve` reads REVIEWLENS_* settings.
        env |= {"REVIEWLENS_MAX_TEXT_CHARS": str(SERVER_TEXT_LIMIT), "REVIEWLENS_MAX_UPLOAD_BYTES": "200000"}
        env |= extra_env or {}
        with stderr.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "reviewlens.cli", "serve", "--model", str(model_dir), "--port", str(port)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err,
            )

    def log(self) -> str:
        """Everything the server has written to stderr."""
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 120) -> None:
        """Block until /readyz answers 200; fail with the server's log if it exits or takes too long."""
        import httpx

        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"server exited:\n{self.log()}"
            assert time.monotonic() < deadline, f"server not ready:\n{self.log()}"
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop)."""
        stop(self.process)


@pytest.fixture(scope="session", autouse=True)
def live_server(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Start the real server as soon as the model exists, so its model load overlaps the in-process tests."""
    server = LiveServer(tiny_model_dir, tmp_path_factory.mktemp("server") / "stderr.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tricky_review(sample_review: str) -> str:
    """The sample review made awkward for offset arithmetic."""
    return tricky(sample_review)


@pytest.fixture()
def make_client(analyzer: Any) -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient over a fresh app with the session analyzer (or another one) and some settings."""
    clients: list[TestClient] = []

    def make(analyzer_: Any = analyzer, raise_server_exceptions: bool = True, **settings: Any) -> TestClient:
        client = TestClient(
            create_app(Settings(**settings), analyzer=analyzer_), raise_server_exceptions=raise_server_exceptions
        )
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture()
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A client over an app with default settings."""
    return make_client()


@pytest.fixture()
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog capturing DEBUG from every logger, including ones that set their own level."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def make_pdf(pages: list[str]) -> bytes:
    """A real PDF with one page per string (fpdf2's core font, so Latin-1 only)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for page in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, page.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


def make_docx(paragraphs: list[str]) -> bytes:
    """A real DOCX with one paragraph per string."""
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


class SlowAnalyzer:
    """Wraps a real analyzer but sleeps after analysing, to trip the request time limit.

    Sleeping after the work means a timed-out thread only sleeps on; were it still inferring when the test
    process exits, the native runtime could abort the interpreter.
    """

    def __init__(self, real: Any, delay: float) -> None:
        self.real = real
        self.model = real.model
        self.info = real.info
        self.delay = delay

    def analyze(self, *args: Any, **kwargs: Any) -> Any:
        result = self.real.analyze(*args, **kwargs)
        time.sleep(self.delay)
        return result

    def analyze_many(self, *args: Any, **kwargs: Any) -> Any:
        results = self.real.analyze_many(*args, **kwargs)
        time.sleep(self.delay)
        return results


class BrokenAnalyzer:
    """An analyzer whose failure message quotes the draft, as a careless library error might."""

    def __init__(self, real: Any) -> None:
        self.model = real.model
        self.info = real.info

    def analyze(self, text: Any, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"cannot segment {text!r}")

    def analyze_many(self, texts: Any, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"cannot segment {texts!r}")

