"""A run stopped by SIGTERM (a CI job cancelled, `timeout`, a container stopped) or Ctrl-C ends cleanly:
this run's temporary files are removed, the callbacks registered here run, and the exit code is 143
(130 for SIGINT). Nothing half-written is left behind; outputs of an earlier run are left as they were.

Run as a program (`install(hard=True)`), the process then exits at once, without waiting for the repo
scans running in worker threads to finish. Called in-process (tests), the signal is raised as
`Terminated` in the main thread instead.

Other parts register what must be undone on such an exit with `on_interrupt(callback)` (e.g. killing
child processes); callbacks run once, in the main thread, before the exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from scanner.reporters.evidence import PENDING

EXIT_SIGINT, EXIT_SIGTERM = 130, 143
_CALLBACKS: list[Callable[[], object]] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread (a KeyboardInterrupt, so code that cleans up on Ctrl-C does here)."""


def on_interrupt(callback: Callable[[], object]) -> None:
    _CALLBACKS.append(callback)


_STATE: dict[str, Any] = {"deferring": False, "pending": None}


def _raise(signum: int, _frame: FrameType | None) -> None:
    if _STATE["deferring"]:
        _STATE["pending"] = signum
        return
    raise Terminated(f"signal {signum}") if signum == signal.SIGTERM else KeyboardInterrupt()


def _exit(signum: int, _frame: FrameType | None) -> None:
    if _STATE["deferring"]:
        _STATE["pending"] = signum
        return
    cleanup()
    with contextlib.suppress(Exception):
        if sys.stdout.isatty():
            sys.stdout.write("\x1b[?25h\n")  # show the cursor a progress bar hid
        sys.stdout.flush()
        name = "terminated" if signum == signal.SIGTERM else "interrupted"
        sys.stderr.write(f"aiops-scan: {name}; temporary files removed\n")
        sys.stderr.flush()
    os._exit(EXIT_SIGTERM if signum == signal.SIGTERM else EXIT_SIGINT)


_HANDLER: list[Callable[[int, FrameType | None], None]] = [_raise]


def install(*, hard: bool = False) -> None:
    """Handle SIGTERM (and SIGINT when `hard`): exit at once when `hard`, else raise `Terminated` in the
    main thread. A no-op outside the main thread (signals can only be handled there)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _HANDLER[0] = _exit if hard else _raise
    signal.signal(signal.SIGTERM, _HANDLER[0])
    if hard:
        signal.signal(signal.SIGINT, _exit)


def cleanup() -> None:
    """Remove this run's temporary files and run the registered callbacks (each at most once)."""
    for path in list(PENDING):
        with contextlib.suppress(OSError):
            path.unlink()
        PENDING.discard(path)
    while _CALLBACKS:
        with contextlib.suppress(Exception):
            _CALLBACKS.pop()()


def exit_code(exc: KeyboardInterrupt) -> int:
    return EXIT_SIGTERM if isinstance(exc, Terminated) else EXIT_SIGINT


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGTERM and SIGINT while a few renames make a run's outputs visible together: a signal
    arriving then is acted on after the block, never between two renames."""
    _STATE["deferring"] = True
    try:
        yield
    finally:
        _STATE["deferring"] = False
        pending, _STATE["pending"] = _STATE["pending"], None
        if pending is not None:
            _HANDLER[0](pending, None)
