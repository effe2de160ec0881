"""Clean one shard: read, run the recipe, write kept / dropped / quarantine, then mark the shard done.

Engines (local process pool, Ray) only decide where this runs.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from malgeum import langpacks, limits, output, spill, storage
from malgeum.pipeline import Pipeline, StepFailed
from malgeum.readers import Bad, Fields, Shard, ShardReader
from malgeum.writers import DEFAULT_COMPRESSION, ShardWriter


@dataclass(frozen=True)
class Settings:
    out: str
    recipe_json: str  # JSON text of the recipe: hashable, so a worker builds each recipe once
    fmt: str = "jsonl"
    fields: Fields = Fields()
    budget: float = 60.0  # seconds one document may take in the steps; 0: no limit
    compression: str = DEFAULT_COMPRESSION  # of the output files: zstd, gzip or none
    read_from: str | None = None  # a folder of shards as the template pass read them (`malgeum.spill`)


@cache
def _pipeline(recipe_json: str, packs: str | None) -> Pipeline:  # (once per langpacks.setting(): steps read packs)
    p = Pipeline.from_recipe(orjson.loads(recipe_json))
    p.setup()
    return p


def _quarantine(writer: ShardWriter, bad: Bad) -> None:
    """Quarantine `bad`. Its entry is always writable (`Bad.to_record`); should one not be, its input is kept as
    Python text, bounded so that no depth makes that fail too."""
    try:
        writer.quarantine.write(bad.to_record())
    except orjson.JSONEncodeError:
        from malgeum.records import bounded_repr  # (the path no entry should take)

        text = {k: bounded_repr(v) for k, v in bad.extra.items()}
        writer.quarantine.write(replace(bad, raw=bounded_repr(bad.raw), extra=text).to_record())


def _reason_key(text: str) -> str:
    """A reason without its specifics, to count alike errors together."""
    return re.sub(r"\d+", "N", text.split(":", 1)[0])


Progress = Callable[[int, int], None]  # (bytes done since last call, documents done since last call)


def clean_shard(
    shard: Shard, settings: Settings, progress: Progress | None = None, report_every: float = 0.2
) -> dict[str, Any]:
    if storage.is_url(settings.out):  # written here first, then uploaded whole
        stage = Path(tempfile.mkdtemp(prefix="malgeum-shard-"))
        try:
            stats = clean_shard(shard, replace(settings, out=str(stage)), progress, report_every)
            storage.publish(stage, settings.out, shard.name)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return stats
    out = Path(settings.out)
    # One writer per shard at a time. A worker of a killed run lives on until it notices (a fifth of a second)
    # and may finish this very shard meanwhile: without the lock, a new attempt could delete the files the
    # orphan had just completed and marked done. The lock goes with its process, however that ends.
    (out / "stats").mkdir(parents=True, exist_ok=True)
    with open(out / "stats" / f".{shard.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if output.is_done(out, shard.name):  # the orphan finished it
            stats = orjson.loads(output.shard_stats_path(out, shard.name).read_bytes())  # type: ignore[union-attr]
            if progress:
                progress(shard.size, stats["input_records"])
            return stats
        return _clean_shard(shard, settings, out, progress, report_every)


def replayed(shard: Shard, settings: Settings) -> Path | None:
    """The pages the template pass kept of `shard`, which the cleaning pass reads instead of its input; or None."""
    if not settings.read_from:
        return None
    kept = spill.path(Path(settings.read_from), shard.name)
    return kept if kept.exists() else None


def _clean_shard(
    shard: Shard, settings: Settings, out: Path, progress: Progress | None, report_every: float
) -> dict[str, Any]:
    pipeline = _pipeline(settings.recipe_json, langpacks.setting())
    for s in pipeline.steps:  # stats of this shard only
        s.stats = type(s.stats)()
    writer = ShardWriter(out, shard.name, settings.fmt, settings.compression)
    kept = replayed(shard, settings)
    reader: ShardReader | spill.Replay = (
        spill.Replay(kept) if kept is not None else ShardReader(shard, settings.fields, settings.budget)
    )
    counts = dict.fromkeys(output.COUNTS, 0)
    drop_reasons: dict[str, int] = {}
    quarantine_reasons: dict[str, int] = {}
    parent = os.getppid()
    last, sent_bytes, sent_docs = time.monotonic(), 0, 0
    t0 = time.perf_counter()

    def quarantine(bad: Bad, key: str) -> None:
        _quarantine(writer, bad)
        quarantine_reasons[key] = quarantine_reasons.get(key, 0) + 1
        counts["quarantined"] += 1

    try:
        for line, item in reader:
            counts["input_records"] += 1
            if isinstance(item, Bad):
                quarantine(item, _reason_key(item.error))
            else:
                original, meta, n_in = item.text, dict(item.meta), len(item.text)
                where = shard.rels[0] if len(shard.rels) == 1 else item.id
                raw = {"id": item.id, "text": original, "meta": meta}
                try:
                    with limits.time_limit(settings.budget):
                        doc = pipeline.process(item)
                    (writer.dropped if doc.dropped else writer.kept(doc.partition)).write(doc.to_record())
                except limits.OverTime:
                    why = f"timeout: over {settings.budget:g} s in step {pipeline.current!r}"
                    quarantine(Bad(where, line, why, raw), "timeout")
                    continue
                except StepFailed as e:
                    quarantine(Bad(where, line, str(e), raw), f"step {e.step} failed")
                    continue
                except orjson.JSONEncodeError as e:
                    why = f"unwritable as JSON: {e}"
                    quarantine(Bad(where, line, why, raw), "unwritable as JSON")
                    continue
                counts["chars_in"] += n_in
                if doc.dropped:
                    counts["dropped"] += 1
                    drop_reasons[doc.dropped[1]] = drop_reasons.get(doc.dropped[1], 0) + 1
                else:
                    counts["kept"] += 1
                    counts["chars_out"] += len(doc.text)
                    if doc.edits:
                        counts["changed"] += 1
            now = time.monotonic()
            if now - last >= report_every:
                last = now
                if os.getppid() != parent:  # the run that started us is gone: stop, it will be redone
                    os._exit(1)
                if progress:
                    progress(reader.progress - sent_bytes, counts["input_records"] - sent_docs)
                    sent_bytes, sent_docs = reader.progress, counts["input_records"]
        written = writer.commit()
    except BaseException:
        writer.abort()
        raise
    counts["bytes_in"] = shard.size
    if progress:
        progress(shard.size - sent_bytes, counts["input_records"] - sent_docs)
    stats = {
        **counts,
        "shard": shard.describe(),
        "files": written,
        "seconds": round(time.perf_counter() - t0, 6),
        "drop_reasons": drop_reasons,
        "quarantine_reasons": quarantine_reasons,
        "steps": {s.name: s.stats.to_dict() for s in pipeline.steps},
    }
    output.write_shard_stats(out, shard.name, stats)
    return stats
