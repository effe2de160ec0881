"""OUT/run.log: what every run into an output folder did, one line per event, appended run after run (a
resumed run adds to the log of the one it resumes; --overwrite starts a new log). The progress bar is for a
person watching; the log is for the one who comes back later: how the run was started, which shards it
finished and when, what it skipped, how it ended (done, failed and why, interrupted)."""

from __future__ import annotations

import logging
import os
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from malgeum import __version__, storage
from malgeum.terminal import safe

# a logger of its own, outside logging's registry: no library's logging set-up (Ray's) can add a handler to it or
# send its lines to stderr, which has the progress bar and the summary
log = logging.Logger("malgeum.run", logging.INFO)


@contextmanager
def recording(out: str | Path, command: str) -> Iterator[None]:
    """Log to OUT/run.log while the block runs (OUT is a local folder; an object store gets no log)."""
    if storage.is_url(str(out)):
        yield
        return
    handler = logging.FileHandler(Path(out) / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    log.addHandler(handler)
    argv = " ".join(shlex.quote(a) for a in sys.argv)
    log.info("start %s: malgeum %s, pid %d, cwd %s, argv %s", command, __version__, os.getpid(), os.getcwd(), argv)
    try:
        yield
    except KeyboardInterrupt:
        log.warning("interrupted (Ctrl-C): finished shards are kept; the same command resumes")
        raise
    except BaseException as e:
        log.error("failed: %s: %s", type(e).__name__, safe(str(e)))
        raise
    finally:
        log.removeHandler(handler)
        handler.close()


def event(message: str, *args: object) -> None:
    log.info(safe(message % args if args else message))


def warning(message: str, *args: object) -> None:
    log.warning(safe(message % args if args else message))
