"""Time limits on work that hostile input can make long (a document in the steps, a page's extraction).

SIGALRM interrupts Python code and regex matching alike, but signals reach only a process's main thread:
elsewhere (some Ray set-ups) the limit does not apply. C code (resiliparse's extractor) is interrupted only when
it returns to Python, so its input is bounded in size and nesting before it starts (`html.check_depth`).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class OverTime(BaseException):
    """Raised into the code under a limit: not an Exception, so no `except Exception` in a step or a library
    swallows it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"over {seconds:g} s")
        self.seconds = seconds


def available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise OverTime in this block after `seconds` (0: no limit). A limit already running outside this block
    (an outer `time_limit`) is paused here and resumes with what it had left, less the time spent here."""
    if not seconds or not available():
        yield
        return

    def ring(signum: int, frame: Any) -> None:
        raise OverTime(seconds)

    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    old = signal.signal(signal.SIGALRM, ring)
    began = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        while True:  # the alarm may ring on the way out: the work is done by then, so it is not an overrun
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                break
            except OverTime:
                continue
        signal.signal(signal.SIGALRM, old)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - began), 1e-6))
