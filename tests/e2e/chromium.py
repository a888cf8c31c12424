"""Headless Chromium for the HTML report tests: a screenshot, the rendered DOM and the console messages."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium is not installed (`make test` installs Debian's chromium)")
    return found


def _run(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="aiops-chromium-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )


def console_messages(log: str) -> list[str]:
    """The page's console output, as Chromium logs it (`INFO:CONSOLE...] "message", source: ...`)."""
    return [line for line in log.splitlines() if ":CONSOLE" in line]


def screenshot(page: Path, png: Path, size: str = "1280,2000") -> list[str]:
    """Take a screenshot; returns the console messages of the page."""
    proc = _run(page, f"--screenshot={png}", f"--window-size={size}", "--hide-scrollbars")
    assert png.is_file(), proc.stderr[-2000:]
    return console_messages(proc.stderr)


def dump_dom(page: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, serialised, and the console messages."""
    proc = _run(page, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, console_messages(proc.stderr)
