"""Progress while scanning: a rich progress bar on a terminal, one line per target otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scanner.termsafe import clean


@contextmanager
def progress_bar(console: Console, total: int, quiet: bool, opts: Any) -> Iterator[None]:
    """Set `opts.progress`/`opts.done` (ScanOptions) for the duration of a scan."""
    if quiet:
        yield
        return
    if not console.is_terminal:
        opts.progress = lambda name: console.print(f"scanning {clean(name)} ...", style="dim", markup=False)
        yield
        return
    # names come from scanned folders and servers: never markup, never control sequences
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("scanning", total=total)
        opts.progress = lambda name: bar.update(task, description=f"scanning {clean(name, newlines=False)}")
        opts.done = lambda _name: bar.advance(task)
        yield
