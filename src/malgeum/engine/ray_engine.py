"""The Ray engine: the same shards and the same `clean_shard`, run by Ray Data tasks.

Each Ray worker process builds the recipe's steps once (models load in `setup()` there, cached for every
later shard it gets; nothing heavy is pickled) and cleans whole shards, writing them atomically as the local
engine does, so a run stopped anywhere resumes without holes or duplicates: finished shards are skipped,
unfinished ones are written again from the start.

Tasks, not actors: Ray Data calls an actor's function outside the process's main thread, where no signal
arrives, so the per-document time budget (SIGALRM) could not interrupt a hanging step there. A task runs on
the main thread of a worker process that Ray reuses, which keeps both: steps set up once, and the budget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict
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
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = progress


def _clean_shard_task(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    shard = Shard(**row["shard"])
    stats = clean_shard(shard, settings)  # builds the steps on this worker's first shard only (cached)
    return {"name": shard.name, "bytes": shard.size, "docs": stats["input_records"]}


def clean_shards(
    todo: list[Shard], settings: Settings, workers: int, address: str | None, advance: Callable[[int, int], None]
) -> None:
    import ray

    if not todo:
        return
    connect(workers, address)
    ds = ray.data.from_items([{"shard": asdict(s)} for s in todo], override_num_blocks=len(todo))
    done = ds.map(
        _clean_shard_task,
        fn_kwargs={"settings": settings},
        compute=ray.data.TaskPoolStrategy(size=max(1, min(workers, len(todo)))),
        num_cpus=1,
    )
    for row in done.iter_rows():
        advance(int(row["bytes"]), int(row["docs"]))


def _count_templates_task(row: dict[str, Any], fields: Fields, url_field: str) -> dict[str, Any]:
    from malgeum.templates.passes import count

    shard = Shard(**row["shard"])
    return {"name": shard.name, "bytes": shard.size, **count(shard, fields, url_field)}


def count_templates(
    todo: list[Shard], fields: Fields, url_field: str, workers: int, address: str | None
) -> Iterator[tuple[str, int, dict[str, bytes]]]:
    """The template step's first pass on the cluster: each task counts one shard and returns its files."""
    import ray

    from malgeum.templates.passes import FILES

    connect(workers, address)
    ds = ray.data.from_items([{"shard": asdict(s)} for s in todo], override_num_blocks=len(todo))
    done = ds.map(
        _count_templates_task,
        fn_kwargs={"fields": fields, "url_field": url_field},
        compute=ray.data.TaskPoolStrategy(size=max(1, min(workers, len(todo)))),
        num_cpus=1,
    )
    for row in done.iter_rows():
        yield str(row["name"]), int(row["bytes"]), {f: bytes(row[f]) for f in FILES}
