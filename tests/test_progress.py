"""The scan progress: a bar on a terminal (advanced as targets finish), plain lines elsewhere."""

from __future__ import annotations

import io

from rich.console import Console

from scanner.reporters.progress import progress_bar
from scanner.runner import ScanOptions


def test_bar_on_a_terminal_counts_finished_targets() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    opts = ScanOptions()
    with progress_bar(console, 2, False, opts):
        assert opts.progress and opts.done
        for name in ("repo-a", "repo-b"):
            opts.progress(name)
            opts.done(name)
    assert "2/2" in out.getvalue()


def test_plain_lines_when_not_a_terminal_and_nothing_when_quiet() -> None:
    out = io.StringIO()
    opts = ScanOptions()
    with progress_bar(Console(file=out, force_terminal=False), 1, False, opts):
        assert opts.progress
        opts.progress("repo-a")
    assert "scanning repo-a ..." in out.getvalue() and opts.done is None
    quiet = ScanOptions()
    with progress_bar(Console(file=out), 1, True, quiet):
        assert quiet.progress is None
