"""Where the local pool's workers come from: a fork server that imports malgeum and builds the run's recipe once,
so that every worker starts with its imports done and the recipe's regexes compiled.

A spawned worker imports malgeum (a second) and compiles the recipe's regexes (another second) itself, on the
very cores the run needs, and a run's driver compiles them too, to check the recipe: three times on two cores.
A worker forked from the server inherits both, and its own build of the recipe finds every regex in `re`'s
cache. The server is multiprocessing's: started by the run's first pool (it lives as long as the run's process
and serves its later pools), forked from before it holds any lock or Python thread of the run, and so as safe as a
spawned process where `fork` from the run would not be. What a fork would inherit from the server rather than
from the run, its environment and working directory as the server started, the worker takes from the run
(`adopt`), as a spawned worker has them.

Where there is no fork server (Windows), workers are spawned as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
from multiprocessing.context import BaseContext
from typing import Any

import orjson

from malgeum.progress import ctrl_c

RECIPE = "MALGEUM_FORKSERVER_RECIPE"  # the recipe a fork server starting now builds (read by this module's import)
# Linux caps one environment string at 128 KiB (exec fails beyond it): a larger recipe (a long `keep` list) is
# not handed over, and workers compile it themselves, as spawned ones do
RECIPE_MAX = 100_000
# the server's own environment while it starts: one BLAS thread (a worker is one process on one core, and a
# fork from a process with threads is unsafe, warned of on Python 3.12+)
SERVER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def context() -> BaseContext:
    """The context the run's pool starts its workers with: the fork server's, else spawn."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])  # (once the server runs, later calls change nothing)
    return ctx


def launch(recipe: dict[str, Any]) -> None:
    """Start the fork server now, if it is not running, and return at once: it imports malgeum and builds `recipe`
    while the run goes on, and forks the pool's workers as the run hands out its first shards (a server already
    running serves the recipe it was started for: a worker compiles the rest itself, as a spawned one does). The
    server ignores Ctrl-C from its first instruction, and so do the workers it forks: the run decides."""
    from multiprocessing import forkserver

    payload = orjson.dumps(recipe).decode()
    started = {k: v for k, v in SERVER_ENV.items() if k not in os.environ}  # (the user's own settings stay)
    if len(payload) <= RECIPE_MAX:
        started[RECIPE] = payload
    before = {k: os.environ.get(k) for k in started}
    os.environ.update(started)
    try:
        with ctrl_c(held=False):
            forkserver.ensure_running()
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def adopt(environ: dict[str, str], cwd: str) -> None:
    """Take the run's environment and working directory, as they were when it started this worker."""
    os.environ.clear()
    os.environ.update(environ)
    with contextlib.suppress(OSError):  # (a folder since removed: a spawned worker would start there, as a fork does)
        os.chdir(cwd)


def _warm() -> None:
    """In the fork server: import what a worker runs and build the recipe it was started for. Nothing here may
    stop the server (an error in the recipe is the run's to report)."""
    recipe = os.environ.pop(RECIPE, None)
    if not recipe:
        return
    with contextlib.suppress(Exception):
        from malgeum.engine import local

        local.compile_ahead(orjson.loads(recipe))


if mp.parent_process() is None and os.environ.get(RECIPE):
    _warm()
