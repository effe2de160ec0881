"""The local engine: a process pool over shards, with a progress bar, resumable at any moment."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import shutil
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import xxhash

from malgeum import identity, outlock, output, readers, runlog, spill, storage
from malgeum import recipe as recipes
from malgeum.cleaning import Settings, clean_shard, replayed
from malgeum.engine import forkserver
from malgeum.feed import fed
from malgeum.progress import (
    exit_with_parent,
    in_flight,
    shard_bar,
    start_workers,
    stop_with_run,
    stop_workers,
)
from malgeum.readers import CHUNK_BYTES, Fields, plan
from malgeum.steps.templates import CutTemplates, load_table, table_bytes
from malgeum.templates.passes import learn as learn_templates
from malgeum.templates.passes import template_params
from malgeum.writers import COMPRESSIONS, atomic_write_bytes, default_compression

_progress_queue: Any = None


def _init_worker(
    q: Any, parent: int, recipe: dict[str, Any] | None = None, environ: dict[str, str] | None = None, cwd: str = "."
) -> None:
    global _progress_queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run decides (a fork server started by a host may not ignore it)
    _progress_queue = q
    if environ is not None:
        forkserver.adopt(environ, cwd)
    if recipe is not None:  # (before SIGTERM stops a worker cleanly: until then it just ends it, as in its imports)
        compile_ahead(recipe)
    stop_with_run()
    exit_with_parent(parent)


def compile_ahead(recipe: dict[str, Any]) -> None:
    """Build the recipe's steps once and drop them, so that their regexes are in `re`'s cache: a worker does it
    while the run starts, and its cleaning pass, which builds the steps again with the learned templates, then
    finds them compiled (a third of a second a worker). The recipe's errors are the run's to report."""
    with contextlib.suppress(Exception):
        recipes.build(recipe)


def _report(nbytes: int, ndocs: int) -> None:
    _progress_queue.put((nbytes, ndocs))


def _work(shard: Any, settings: Settings) -> str:
    clean_shard(shard, settings, _report)
    return shard.name


def run(
    inputs: list[str],
    out: str | Path,
    recipe: dict[str, Any] | None = None,
    workers: int | None = None,
    fmt: str = "jsonl",
    fields: Fields = Fields(),
    overwrite: bool = False,
    progress: bool = True,
    chunk_bytes: int = CHUNK_BYTES,
    engine: str = "local",
    address: str | None = None,
    time_budget: float = 60.0,
    compression: str | None = None,
) -> dict[str, Any]:
    """Clean `inputs` into `out`; shards already complete in `out` are skipped. Returns the run's stats.

    `compression` (zstd, gzip or none) of the output files: JSONL shards are named .jsonl.zst, .jsonl.gz or
    .jsonl; Parquet compresses its columns with it. None: gzip for JSONL, zstd for Parquet.

    `time_budget` is the seconds one document may spend in the steps before it is quarantined (reason
    `timeout`) instead of holding a worker; 0 lifts the limit.

    `engine="ray"` cleans the shards on a Ray cluster (`address`, or a local one of `workers` CPUs) instead
    of the local process pool; everything else (shards, writing, resume, stats) is the same code.

    A recipe that ends in `dedup` runs in two stages: the steps into `out/stage-clean/` (resumable as any
    run), then the corpus dedup of what they kept into `out/`, the first stage's drops and quarantine beside
    the second's, and one stats.json whose counts balance over both.

    OUT is locked while the run writes it; an OUT that overlaps an input, or holds another run's output (other
    inputs, a changed input file, another recipe or options), is refused (`identity.Refused`) unless
    `overwrite`; an input that changes while it is read raises `identity.InputChanged` at the end.
    """
    t0 = time.perf_counter()
    compression = compression or default_compression(fmt)
    if compression not in COMPRESSIONS:
        raise ValueError(f"compression must be one of {', '.join(COMPRESSIONS)}, not {compression!r}")
    out = storage.location(out)
    recipe = recipe if recipe is not None else recipes.load()
    shards = plan(inputs, chunk_bytes)
    # the workers start (imports, then each recipe's regexes: a second) while this process checks the recipe and
    # OUT (a recipe ending in dedup starts its pools in its stages)
    early = None
    if engine != "ray" and recipes.split_corpus_stage(recipe)[1] is None:
        early = _Workers.start(_worker_count(workers, shards), recipe)
    try:
        steps = recipes.build(recipe)  # fail on a bad recipe before reading anything
        templates = next((s.path for s in steps if isinstance(s, CutTemplates) and s.path is not None), None)
        read_too = {f"{s.name}: {what}": path for s in steps for what, path in s.reads().items()}
        identity.check_overlap(out, inputs, {"--templates": templates, **read_too})
        this = identity.Run(
            "clean",
            inputs,
            shards,
            recipe=recipe,
            format=fmt,
            compression=compression,
            fields=asdict(fields),
            time_budget=time_budget,
        )
        ident = this.as_json
        if read_too:  # what the steps read counts, as an input does
            ident["steps_read"] = identity.content_digest(read_too)
        if templates is not None:  # a table learned elsewhere: its content counts
            try:
                data = table_bytes(templates)
                load_table(templates, data)
                ident["templates"] = xxhash.xxh3_64_hexdigest(data)
            except ValueError as e:
                raise recipes.RecipeError(f"step templates: {e}") from e
        per_doc, dedup_params = recipes.split_corpus_stage(recipe)
        with outlock.hold(out):
            output.prepare(out, ident, recipes.dump(recipe), overwrite)
            with runlog.recording(out, "clean"):
                if dedup_params is None:
                    skipped = [list(x) for x in readers.skipped(inputs)]
                    stats = _run(
                        shards,
                        out,
                        recipe,
                        steps,
                        workers,
                        fmt,
                        fields,
                        progress,
                        engine,
                        address,
                        time_budget,
                        t0,
                        skipped,
                        compression,
                        early,
                    )
                else:
                    stats = _run_with_dedup(
                        inputs,
                        out,
                        per_doc,
                        dedup_params,
                        workers,
                        fmt,
                        fields,
                        progress,
                        chunk_bytes,
                        engine,
                        address,
                        time_budget,
                        t0,
                        compression,
                    )
                this.check_unchanged()
                runlog.event(summary(stats))
        return stats
    finally:
        if early is not None:
            early.close()


def summary(stats: dict[str, Any]) -> str:
    """A run's ending, for its log."""
    return (
        f"done: {stats['input_records']:,} records, {stats['kept']:,} kept, {stats['dropped']:,} dropped, "
        f"{stats['quarantined']:,} quarantined, balanced {stats['balanced']}"
    )


def _run_with_dedup(
    inputs: list[str],
    out: Path | str,
    per_doc: dict[str, Any],
    dedup_params: dict[str, Any],
    workers: int | None,
    fmt: str,
    fields: Fields,
    progress: bool,
    chunk_bytes: int,
    engine: str,
    address: str | None,
    time_budget: float,
    t0: float,
    compression: str,
) -> dict[str, Any]:
    if not isinstance(out, Path):
        raise recipes.RecipeError("dedup memory-maps its index: write a recipe ending in dedup to a local folder")
    if fmt != "jsonl":
        raise recipes.RecipeError("a recipe ending in dedup writes JSONL: drop --format parquet")
    from malgeum.dedup import DedupSettings
    from malgeum.dedup import run as dedup

    stage = out / "stage-clean"
    # the stage is this run's own: OUT's identity, checked above, covers it (a resumed run resumes it)
    # (the stage in the run's compression too: its drops and quarantine are copied into OUT as they are)
    first = run(
        inputs,
        stage,
        per_doc,
        workers,
        fmt,
        fields,
        False,
        progress,
        chunk_bytes,
        engine,
        address,
        time_budget,
        compression,
    )
    second = dedup(
        [str(stage / "kept")],
        out,
        DedupSettings(**dedup_params),
        progress=progress,
        compression=compression,
        engine=engine,
        workers=workers,
        address=address,
        owned=True,
    )
    return _combine(out, stage, first, second, time.perf_counter() - t0)


def _run(
    shards: list[Any],
    out: Path | str,
    recipe: dict[str, Any],
    steps: list[Any],
    workers: int | None,
    fmt: str,
    fields: Fields,
    progress: bool,
    engine: str,
    address: str | None,
    time_budget: float,
    t0: float,
    skipped: list[list[str]],
    compression: str,
    early: _Workers | None = None,
) -> dict[str, Any]:
    todo = [s for s in shards if not output.is_done(out, s.name)]
    runlog.event("%d shards, %d to do (%d finished by an earlier run)", len(shards), len(todo), len(shards) - len(todo))
    for path, why in skipped:
        runlog.warning("skipped %s: %s", path, why)
    learning = template_params(recipe)
    workers = _worker_count(workers, shards)
    # one pool for both passes: a worker's start (imports, models) costs a second or two, paid once
    if early is None and engine != "ray" and (todo or learning is not None):
        early = _Workers.start(workers, recipe)
    pool, q = (early.pool, early.queue) if early is not None else (None, None)
    try:
        if early is not None:
            early.ready()
            pool = early.pool  # (spawned, if the fork server failed)
        templates_summary = None
        if learning is not None:  # the template step's first pass: count every shard's lines, decide, then clean
            where, templates_summary = learn_templates(
                shards, fields, learning, out, workers, engine, address, progress, pool, time_budget
            )
            recipe = recipes.set_param(recipe, "templates", "path", where)
            runlog.event("templates learned: %s", where)
        # the pages the template pass extracted, kept for this pass (local engine, local OUT)
        local = learning is not None and engine != "ray" and isinstance(out, Path)
        read = out / "templates" / "learn" if local else None
        recipe_json = orjson.dumps(recipe).decode()
        settings = Settings(str(out), recipe_json, fmt, fields, time_budget, compression, read and str(read))
        _clean_all(todo, shards, settings, workers, engine, address, progress, pool, q)
        if read is not None:
            spill.remove(read)
    except KeyboardInterrupt:
        if pool is not None:
            stop_workers(pool)
            pool = None
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    extra: dict[str, Any] = {"skipped_files": skipped}
    if templates_summary is not None:
        extra["templates"] = templates_summary
    if fmt == "parquet":  # one meta type in every file, so that the folder reads as one table
        output.harmonize_parquet(out, [s.name for s in shards])
    return output.aggregate(out, [s.name for s in shards], time.perf_counter() - t0, [s.name for s in steps], extra)


def _worker_count(workers: int | None, shards: list[Any]) -> int:
    return max(1, min(workers or os.cpu_count() or 1, len(shards) or 1))


class _Workers:
    """The run's process pool (forked from a fork server, else spawned: no thread or lock of this process is
    copied into a worker) and the queue its workers report progress on."""

    def __init__(self, n: int, recipe: dict[str, Any]) -> None:
        ctx = forkserver.context()
        self.queue = ctx.Queue()
        self.args = (self.queue, os.getpid(), recipe, dict(os.environ), os.getcwd())
        self.n = n
        self.pool = self._pool(ctx)
        self.to_fork = ctx.get_start_method() == "forkserver"
        if self.to_fork:  # the server imports and builds the recipe while this process checks it: no worker waits
            forkserver.launch(recipe)
        else:
            start_workers(self.pool, n)

    @classmethod
    def start(cls, n: int, recipe: dict[str, Any]) -> _Workers | None:
        """A pool of `n` workers for `recipe`, starting now; None for one worker (the run works in this process)."""
        return cls(n, recipe) if n > 1 else None

    def ready(self) -> None:
        """Fork the workers, once the server is ready (spawned workers are started already)."""
        if not self.to_fork:
            return
        self.to_fork = False
        try:
            start_workers(self.pool, self.n, forked=True)
        except OSError as e:  # the server could not start or died: spawned workers do the same work, slower to start
            runlog.warning("the fork server failed (%s): workers are spawned", e)
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._pool(mp.get_context("spawn"))
            start_workers(self.pool, self.n)

    def _pool(self, ctx: Any) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.n, mp_context=ctx, initializer=_init_worker, initargs=self.args)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _clean_all(
    todo: list[Any],
    shards: list[Any],
    settings: Settings,
    workers: int,
    engine: str,
    address: str | None,
    progress: bool,
    pool: ProcessPoolExecutor | None,
    q: Any,
) -> None:
    bar = shard_bar(shards, todo, "cleaning", progress)
    docs = 0

    def advance(nbytes: int, ndocs: int) -> None:
        nonlocal docs
        docs += ndocs
        bar.update(nbytes)
        bar.set_postfix_str(f"{docs:,} docs, {docs / max(bar.format_dict['elapsed'], 1e-9):,.0f} docs/s", refresh=False)

    try:
        # a shard replayed from the pages the template pass kept is not read again: not fed
        shards_fed = fed(todo, settings.fields, lambda s: replayed(s, settings) is not None)
        if engine == "ray":
            from malgeum.engine.ray_engine import clean_shards

            if todo:
                clean_shards(shards_fed, settings, workers, address, advance)
        elif pool is None:
            for s in shards_fed:
                clean_shard(s, settings, advance)
                runlog.event("shard %s done", s.name)
        elif todo:

            def drain() -> None:
                while True:
                    try:
                        advance(*q.get_nowait())
                    except queue.Empty:
                        break

            # two shards a worker in flight: one it cleans, one queued for it
            for name in in_flight(pool, partial(_work, settings=settings), shards_fed, 2 * workers, drain):
                runlog.event("shard %s done", name)  # a shard that failed as a whole stops the run
            drain()
    finally:
        bar.close()


def _combine(out: Path, stage: Path, first: dict[str, Any], second: dict[str, Any], seconds: float) -> dict[str, Any]:
    for sub in ("dropped", "quarantine"):
        for f in sorted((stage / sub).glob("part-*")):
            shutil.copyfile(f, out / sub / f.name.replace("part-", "part-clean-", 1))
    drops = dict(first["drop_reasons"])
    for rule, r in second["rules"].items():
        if rule != "dedup.frequent_line":
            drops[rule] = drops.get(rule, 0) + r["docs"]
    total = {
        **first,
        "kept": second["kept"],
        "changed": second["with_edits"],  # by the steps or by the dedup
        "dropped": first["dropped"] + second["dropped"],
        "quarantined": first["quarantined"] + second["quarantined"],
        "chars_out": second["chars_out"],
        "drop_reasons": dict(sorted(drops.items())),
        "wall_seconds": round(seconds, 3),
        "steps": [
            *first["steps"],
            {
                "name": "dedup",
                "docs_in": second["input_records"],
                "docs_out": second["kept"],
                "docs_changed": second["rules"].get("dedup.frequent_line", {}).get("docs", 0),
                "docs_dropped": second["dropped"],
                "chars_in": second["chars_in"],
                "chars_removed": second["rules"].get("dedup.frequent_line", {}).get("chars", 0),
                "seconds": second["seconds"]["total"],
                "rules": second["rules"],
            },
        ],
        "dedup": {k: second[k] for k in ("documents_indexed", "clusters_with_duplicates", "frequent_lines", "joined")},
    }
    total["balanced"] = total["input_records"] == total["kept"] + total["dropped"] + total["quarantined"]
    atomic_write_bytes(out / "stats.json", orjson.dumps(total, option=orjson.OPT_INDENT_2))
    return total
