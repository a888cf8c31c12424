"""A time limit for the scan of one repo, so that no file and no probe can hang a run.

The runner checks the deadline between probes. In the main thread (one scan job) a SIGALRM timer also
interrupts a probe or collector that is stuck: CPython's regex engine and loops check for signals, so
the handler's exception ends them. Worker threads (`--jobs` >= 2) cannot be interrupted: there a stuck
probe delays its repo until it returns, and only the probes after it are cut off.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class DeadlinePassed(BaseException):
    """Raised by the alarm inside whatever was running. A BaseException, so that the `except Exception`
    of a probe or collector does not swallow it."""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end

    @property
    def reason(self) -> str:
        return f"scan deadline of {self.seconds:g} s passed"

    @contextmanager
    def alarm(self) -> Iterator[None]:
        """Raise DeadlinePassed where the code is when the deadline passes (main thread only)."""
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
            yield
            return

        def on_alarm(signum: int, frame: FrameType | None) -> None:
            raise DeadlinePassed(self.reason)

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(self.end - time.monotonic(), 0.001))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
