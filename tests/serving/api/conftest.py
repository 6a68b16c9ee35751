"""Fixtures for the API tests: apps over the session's tiny model, awkward texts and files built from the corpus."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from serving.api.main import create_app
from serving.api.settings import Settings

# A string that appears nowhere else; privacy tests assert it never leaves the request.
MARKER = "Zqxw7Marker-Child-Q-9Vbn"


def tricky(text: str) -> str:
    """The review with CRLF line ends, tabs, astral emoji (ZWJ sequences, skin tones) and combining marks."""
    return (
        "\ufeff📄 Draft 👩\u200d👧\u200d👦 review\r\n\r\n"
        + text.replace("\n", "\r\n")
        .replace("Mother", "Mo\u0308ther 🧕🏽")
        .replace("Father", "Fa\u0301ther")
        .replace(". The", ".\tThe")
    )


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


# DEV-ONLY-OVERRIDE (remove before handing back)
import os as _os  # noqa: E402
from pathlib import Path as _Path  # noqa: E402

if _os.environ.get("RL_DEV_MODEL"):

    @pytest.fixture(scope="session")
    def tiny_model_dir() -> _Path:
        return _Path(_os.environ["RL_DEV_MODEL"])
