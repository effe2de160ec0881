"""What every pass over a run's shards shares: its progress bar (bytes done, on stderr), and workers that end with
the run."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from tqdm import tqdm


def shard_bar(shards: list[Any], todo: list[Any], desc: str, enabled: bool) -> tqdm:
    return tqdm(
        total=sum(s.size for s in shards),
        initial=sum(s.size for s in shards if s not in todo),
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=desc,
        disable=not enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )


def exit_with_parent(parent: int) -> None:
    """Make this worker exit when its run is killed (SIGKILL, out of memory) instead of waiting forever for work:
    its siblings hold the task queue's other end open, so it never sees the end of it. A shard it was writing is
    left unfinished, and its lock is released, for the rerun to redo. The run's pid comes from the run itself:
    killed while this worker was still starting, getppid() here would already name the process that adopted it."""
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
