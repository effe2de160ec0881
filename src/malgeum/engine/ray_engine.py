"""The Ray engine: the same shards and the same `clean_shard`, run by Ray tasks.

Each Ray worker process builds the recipe's steps once (models load in `setup()` there, cached for every
later shard it gets; nothing heavy is pickled) and cleans whole shards, writing them atomically as the local
engine does, so a run stopped anywhere resumes without holes or duplicates: finished shards are skipped,
unfinished ones are written again from the start.

Plain tasks, not Ray Data and not actors: a task runs on the main thread of a worker process that Ray reuses,
which keeps both the steps set up once and the per-document time budget (SIGALRM reaches main threads only;
Ray Data calls an actor's function on another thread), and tasks work through Ray Client (`ray://`), which Ray
Data does not. At most `workers` shards are in flight, so a big input does not queue thousands of tasks.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from malgeum.cleaning import Settings, clean_shard
from malgeum.readers import Fields, Shard


def connect(workers: int | None, address: str | None, progress: bool = False) -> None:
    """Join the cluster at `address`, or start a local one of `workers` CPUs (once per process)."""
    import ray

    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        else:
            # "local": a cluster of its own, even where `ray start` left one running (which ray.init() would join)
            ray.init(
                address="local",
                num_cpus=workers,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
    ray.data.DataContext.get_current().enable_progress_bars = progress


def _in_flight(fn: Callable[..., Any], items: Iterable[Any], workers: int, **kwargs: Any) -> Iterator[Any]:
    """fn(item, **kwargs) as Ray tasks, at most `workers` at a time; results as they finish."""
    import ray

    task = ray.remote(num_cpus=1)(fn)
    shared = {k: ray.put(v) for k, v in kwargs.items()}  # sent once, not with every task
    queue = iter(items)
    pending = [task.remote(x, **shared) for x in itertools.islice(queue, max(1, workers))]
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        yield ray.get(done[0])
        pending.extend(task.remote(x, **shared) for x in itertools.islice(queue, 1))


def _clean_shard_task(shard: Shard, settings: Settings) -> tuple[int, int]:
    stats = clean_shard(shard, settings)  # builds the steps on this worker's first shard only (cached)
    return shard.size, stats["input_records"]


def clean_shards(
    todo: Iterable[Shard], settings: Settings, workers: int, address: str | None, advance: Callable[[int, int], None]
) -> None:
    connect(workers, address)
    for nbytes, ndocs in _in_flight(_clean_shard_task, todo, workers, settings=settings):
        advance(nbytes, ndocs)


def _count_templates_task(shard: Shard, fields: Fields, url_field: str) -> tuple[str, int, dict[str, bytes]]:
    from malgeum.templates.passes import FILES, count

    files = count(shard, fields, url_field)
    return shard.name, shard.size, {f: bytes(files[f]) for f in FILES}


def count_templates(
    todo: Iterable[Shard], fields: Fields, url_field: str, workers: int, address: str | None
) -> Iterator[tuple[str, int, dict[str, bytes]]]:
    """The template step's first pass on the cluster: each task counts one shard and returns its files."""
    connect(workers, address)
    yield from _in_flight(_count_templates_task, todo, workers, fields=fields, url_field=url_field)
