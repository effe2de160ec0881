"""Run the template step's first pass over a run's shards, on the local pool or on Ray, then decide.

Each shard's counts are written to `OUT/templates/learn/` under temporary names and renamed when complete, its
JSON last, so a killed run redoes only unfinished shards; the decision (`templates.npy`, `templates.jsonl`,
`summary.json`) is written once every shard is counted. The same `count_shard` runs on either engine: a Ray
task returns the shard's files as bytes and the driver writes them, so no worker needs the driver's disk.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from malgeum import recipe as recipes
from malgeum import spill, storage
from malgeum.feed import fed
from malgeum.progress import in_flight, shard_bar
from malgeum.readers import Bad, Fields, Shard, ShardReader
from malgeum.templates.learn import ShardCounter, Thresholds, reduce, shard_done
from malgeum.writers import atomic_write_bytes

FILES = ("rows.npy", "docs.npy", "json")  # the JSON last: it marks the shard counted


def template_params(recipe: dict[str, Any]) -> dict[str, Any] | None:
    """The parameters of the recipe's `templates` step when it must learn (no `path`), else None."""
    for kind, params in recipes.parse(recipes.split_corpus_stage(recipe)[0]):
        if kind == "templates" and not params.get("path"):
            return params
    return None


def count(
    shard: Shard, fields: Fields, url_field: str, page_seconds: float = 60.0, keep: spill.Writer | None = None
) -> dict[str, bytes]:
    """The shard's counts; what was read goes to `keep` too (for the cleaning pass)."""
    counter = ShardCounter(url_field)
    reader = ShardReader(shard, fields, page_seconds)
    for line, item in reader:
        if keep is not None:
            keep.write(reader.progress, line, item)
        if not isinstance(item, Bad):  # bad records are quarantined by the cleaning pass
            counter.add(item)
    return counter.files()


def _count_to(shard: Shard, fields: Fields, url_field: str, folder: str, page_seconds: float, keep: bool) -> int:
    where = Path(folder)
    writer = spill.Writer(where, shard.name) if keep and spill.worth_it(shard, fields) else None
    try:
        files = count(shard, fields, url_field, page_seconds, writer)
        if writer is not None:
            writer.commit()  # before the counts: a shard counted has its pages kept
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    _write(where, shard.name, files)
    return shard.size


def _write(folder: Path, name: str, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in FILES:
        atomic_write_bytes(folder / f"{name}.{suffix}", files[suffix])


def learn(
    shards: list[Shard],
    fields: Fields,
    params: dict[str, Any],
    out: storage.Location,
    workers: int,
    engine: str = "local",
    address: str | None = None,
    progress: bool = True,
    pool: Executor | None = None,
    page_seconds: float = 60.0,
) -> tuple[str, dict[str, Any]]:
    """Count every shard (those not counted yet), decide, and return (where the table is, the summary).

    On the local engine into a local OUT, the pages each shard's reader extracted are kept in
    `OUT/templates/learn/` for the cleaning pass (`malgeum.spill`)."""
    from malgeum.steps.templates import CutTemplates

    step = CutTemplates(**params)  # validates the parameters, gives the defaults
    th: Thresholds = step.thresholds
    local = out if isinstance(out, Path) else Path(tempfile.mkdtemp(prefix="malgeum-templates-"))
    try:
        folder = local / "templates" / "learn"
        todo = [s for s in shards if not shard_done(folder, s.name)]
        bar = shard_bar(shards, todo, "learning templates", progress)
        try:
            keep = engine != "ray" and isinstance(out, Path)
            _count_all(
                todo, fields, step.url_field, folder, workers, engine, address, bar.update, pool, page_seconds, keep
            )
        finally:
            bar.close()
        dest = local / "templates"
        if (dest / "summary.json").exists():  # decided before a crash: the counts have not changed
            summary = orjson.loads((dest / "summary.json").read_bytes())
        else:
            summary = reduce(folder, [s.name for s in shards], th, dest)
        if isinstance(out, Path):
            return str(dest), summary
        for name in ("templates.npy", "templates.jsonl", "summary.json"):
            storage.write_bytes(storage.join(out, "templates", name), (dest / name).read_bytes())
        return str(storage.join(out, "templates")), summary
    finally:
        if not isinstance(out, Path):
            shutil.rmtree(local, ignore_errors=True)


def _count_all(
    todo: list[Shard],
    fields: Fields,
    url_field: str,
    folder: Path,
    workers: int,
    engine: str,
    address: str | None,
    advance: Callable[[int], object],
    pool: Executor | None,
    page_seconds: float,
    keep: bool,
) -> None:
    """Count the shards on Ray, on the run's process pool, or here (one worker)."""
    if not todo:
        return
    shards = fed(todo, fields)
    if engine == "ray":
        from malgeum.engine.ray_engine import count_templates

        for name, size, files in count_templates(shards, fields, url_field, workers, address):
            _write(folder, name, files)
            advance(size)
        return
    count_to = partial(
        _count_to, fields=fields, url_field=url_field, folder=str(folder), page_seconds=page_seconds, keep=keep
    )
    for size in in_flight(pool, count_to, shards, 2 * workers) if pool is not None else map(count_to, shards):
        advance(size)
