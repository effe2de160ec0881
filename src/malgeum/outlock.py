"""One run at a time per output folder: every command that writes OUT holds OUT/.lock while it runs.

An advisory lock (flock) goes with its process however that ends, so a killed run never leaves a stale lock.
Re-entrant within a process: a recipe that ends in dedup writes OUT in two stages under the one lock.
Object stores have no locks: two runs on one URL are not detected there.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from malgeum import storage
from malgeum.identity import Refused, text

_held: dict[str, int] = {}  # resolved OUT -> how many holders in this process


@contextlib.contextmanager
def hold(out: storage.Location, create: bool = True) -> Iterator[None]:
    """Hold OUT's lock (creating OUT unless `create` is false: a folder that does not exist needs none)."""
    if not isinstance(out, Path) or (not create and not out.is_dir()):
        yield
        return
    key = str(out.resolve())
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            raise Refused(
                f"{text(out)} is being written by another malgeum run ({holder}): wait for it to end, "
                "or choose another output folder"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(fd)  # closing releases the lock
