"""What every pass over a run's shards shares: its progress bar (bytes done, on stderr), and workers that end with
the run."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path
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


class Stopped(SystemExit):
    """A worker asked to stop (SIGTERM from its run, after Ctrl-C): raised into the shard it was writing, whose
    writer then removes its temporary files."""


def _stop(signum: int, frame: Any) -> None:
    raise Stopped(128 + signum)


def stop_with_run() -> None:
    """A worker leaves Ctrl-C to its run (a terminal sends SIGINT to every process of the job: the run decides,
    so no worker prints a traceback of its own) and stops at once, cleanly, when its run sends SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)


@contextlib.contextmanager
def ctrl_c(held: bool) -> Iterator[None]:
    """Within: Ctrl-C ignored, or `held` and raised as KeyboardInterrupt once the block is done. Off the main
    thread nothing changes (signal handlers belong to it, and no Ctrl-C is raised elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, (lambda *_: pressed.append(1)) if held else signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def start_workers(pool: Any, n: int, forked: bool = False) -> None:
    """Start a pool's `n` workers now. Spawned, they start with SIGINT ignored: a process started so ignores it
    from its first instruction (Python installs no KeyboardInterrupt handler then), so Ctrl-C while the workers
    import prints no traceback either. Forked from the fork server (which ignores SIGINT, and so do they), they are
    started once the server is ready, which may take a second: a Ctrl-C meanwhile is raised once they are, so that
    the run stops them (interrupted halfway, a worker would find the run's queue gone, and say so)."""
    if threading.current_thread() is not threading.main_thread():
        return  # (workers then start as they are needed)
    with ctrl_c(held=forked):
        for _ in range(n):
            pool.submit(os.getpid)  # each submission with no idle worker starts one


def wait_holding_ctrl_c(pending: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
    """`concurrent.futures.wait(pending, timeout, FIRST_COMPLETED)`, with a Ctrl-C that comes meanwhile raised
    when it returns: raised inside it, while it holds its futures' locks, it would leave them held, and the pool's
    shutdown would then wait for them forever (seen: a run that never ended after Ctrl-C)."""
    with ctrl_c(held=True):
        return wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)


def in_flight(
    pool: Any, fn: Callable[[Any], Any], items: Iterable[Any], ahead: int, tick: Callable[[], None] | None = None
) -> Iterator[Any]:
    """fn(item) for every item on `pool`, with at most `ahead` submitted and unfinished (an item is made when a
    slot frees: a feed's parts are not all held at once); results as they finish, `tick()` every 0.2 s."""
    queue = iter(items)
    pending = {pool.submit(fn, x) for x in itertools.islice(queue, ahead)}
    while pending:
        done, pending = wait_holding_ctrl_c(pending, 0.2)
        for f in done:
            yield f.result()
        pending |= {pool.submit(fn, x) for x in itertools.islice(queue, len(done))}
        if tick is not None:
            tick()


def stop_workers(pool: Any) -> None:
    """Stop a process pool's workers now (SIGTERM: each removes the temporary files of the shard it was
    writing) and drop the shards still queued: what is finished stays, the rest is redone by the rerun."""
    processes = list(getattr(pool, "_processes", None) or {})
    for pid in processes:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    pool.shutdown(wait=True, cancel_futures=True)


def exit_with_parent(run: int) -> None:
    """Make this worker exit when its run is killed (SIGKILL, out of memory) instead of waiting forever for work:
    its siblings hold the task queue's other end open, so it never sees the end of it. A shard it was writing is
    left unfinished, and its lock is released, for the rerun to redo. The run's pid comes from the run itself:
    killed while this worker was still starting, getppid() here would already name the process that adopted it.
    A worker forked by the run's fork server watches the run itself: the server outlives the run as long as any
    worker it forked is alive."""
    parent = os.getppid()
    if not _alive(run):
        os._exit(1)
    threading.Thread(target=_watch, args=(run, parent), daemon=True).start()


def _watch(run: int, parent: int) -> None:
    while os.getppid() == parent and (parent == run or _alive(run)):
        time.sleep(0.5)
    os._exit(1)


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # (another user's: the pid was taken again)
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc: the signal said enough
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]
