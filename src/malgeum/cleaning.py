"""Clean one shard: read, run the recipe, write kept / dropped / quarantine, then mark the shard done.

Engines (local process pool, Ray) only decide where this runs.
"""

from __future__ import annotations

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

from malgeum import output, storage
from malgeum.pipeline import Pipeline, StepFailed
from malgeum.readers import Bad, Fields, Shard, ShardReader
from malgeum.writers import ShardWriter


@dataclass(frozen=True)
class Settings:
    out: str
    recipe_json: str  # JSON text of the recipe: hashable, so a worker builds each recipe once
    fmt: str = "jsonl"
    fields: Fields = Fields()


@cache
def _pipeline(recipe_json: str) -> Pipeline:
    p = Pipeline.from_recipe(orjson.loads(recipe_json))
    p.setup()
    return p


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
    pipeline = _pipeline(settings.recipe_json)
    for s in pipeline.steps:  # stats of this shard only
        s.stats = type(s.stats)()
    writer = ShardWriter(out, shard.name, settings.fmt)
    reader = ShardReader(shard, settings.fields)
    counts = dict.fromkeys(output.COUNTS, 0)
    drop_reasons: dict[str, int] = {}
    quarantine_reasons: dict[str, int] = {}
    parent = os.getppid()
    last, sent_bytes, sent_docs = time.monotonic(), 0, 0
    t0 = time.perf_counter()
    try:
        for line, item in reader:
            counts["input_records"] += 1
            if isinstance(item, Bad):
                writer.quarantine.write(item.to_record())
                quarantine_reasons[_reason_key(item.error)] = quarantine_reasons.get(_reason_key(item.error), 0) + 1
                counts["quarantined"] += 1
            else:
                original, n_in = item.text, len(item.text)
                try:
                    doc = pipeline.process(item)
                except StepFailed as e:
                    bad = Bad(
                        shard.rels[0] if len(shard.rels) == 1 else item.id,
                        line,
                        str(e),
                        {"id": item.id, "text": original, "meta": item.meta},
                    )
                    writer.quarantine.write(bad.to_record())
                    quarantine_reasons[f"step {e.step} failed"] = quarantine_reasons.get(f"step {e.step} failed", 0) + 1
                    counts["quarantined"] += 1
                    continue
                counts["chars_in"] += n_in
                if doc.dropped:
                    writer.dropped.write(doc.to_record())
                    counts["dropped"] += 1
                    drop_reasons[doc.dropped[1]] = drop_reasons.get(doc.dropped[1], 0) + 1
                else:
                    writer.kept(doc.partition).write(doc.to_record())
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
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    counts["bytes_in"] = shard.size
    if progress:
        progress(shard.size - sent_bytes, counts["input_records"] - sent_docs)
    stats = {
        **counts,
        "shard": shard.describe(),
        "seconds": round(time.perf_counter() - t0, 6),
        "drop_reasons": drop_reasons,
        "quarantine_reasons": quarantine_reasons,
        "steps": {s.name: s.stats.to_dict() for s in pipeline.steps},
    }
    output.write_shard_stats(out, shard.name, stats)
    return stats
