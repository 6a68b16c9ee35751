"""Helpers for tests that start real servers in subprocesses on loopback ports."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A loopback port nobody is listening on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float, expect: str = "") -> None:
    """Block until GET `url` answers 200 (with `expect` in its body); fail with the process's log if it exits
    or takes longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        tail = lambda: log.read_text(encoding="utf-8", errors="replace")[-4000:]  # noqa: E731
        assert process.poll() is None, f"{url}: the process exited ({process.returncode}):\n{tail()}"
        assert time.monotonic() < deadline, f"{url}: not ready after {timeout:.0f} s:\n{tail()}"
        try:
            r = httpx.get(url, timeout=2)
            if r.status_code == 200 and expect in r.text:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process, killing it if it does not stop within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
