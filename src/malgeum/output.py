"""The output folder: its layout, the run's identity, per-shard completion markers and the final stats.

OUT/run.json          what produced this folder (command, inputs with their fingerprints, recipe, options);
                      a resumed run must match
OUT/.lock             held by the run writing the folder
OUT/recipe.yaml       the recipe actually used
OUT/kept/part-N.*     cleaned documents          OUT/dropped/part-N.*   dropped documents + reason
                      (.jsonl.zst, .jsonl.gz or .jsonl by --compression, or .parquet)
OUT/quarantine/part-N.jsonl.*    input that could not be read (source file, line, error, raw input)
OUT/stats/part-N.json per-shard counts and the files written; written last, it marks the shard complete
OUT/stats/.part-N.lock held by the one worker writing shard N
OUT/stats.json        the whole run: counts, balance, per-step stats
OUT/templates/        what the template step learned (templates.jsonl to read, templates.npy to reuse, summary)
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson

from malgeum import storage
from malgeum.identity import Refused, differences, text
from malgeum.step import StepStats
from malgeum.storage import Location
from malgeum.writers import atomic_write_bytes

SUBDIRS = ("kept", "dropped", "quarantine", "stats")


OutputMismatch = Refused  # the name earlier callers know


def prepare(out: Location, identity: dict[str, Any], recipe_yaml: str | None, overwrite: bool = False) -> None:
    """Create OUT or check that it belongs to the same run (so resuming cannot mix two runs); with `overwrite`,
    empty it of another run's output first."""
    run_file = storage.join(out, "run.json")
    if storage.exists(run_file) and not overwrite:
        why = differences(orjson.loads(storage.read_bytes(run_file)), identity)
        if why:
            raise Refused(
                f"{text(str(out))} holds the output of another run ({'; '.join(why)}). "
                "Use a new output folder, or --overwrite to start this one again."
            )
    if not isinstance(out, Path):  # an object store: no folders, no temporary files
        if overwrite:
            for sub in (*SUBDIRS, "index", "templates", "stats.json"):
                storage.remove_tree(storage.join(out, sub))  # type: ignore[arg-type]
        storage.write_bytes(run_file, orjson.dumps(identity, option=orjson.OPT_INDENT_2))
        if recipe_yaml is not None:
            storage.write_bytes(storage.join(out, "recipe.yaml"), recipe_yaml.encode())
        return
    if overwrite and out.exists():
        for sub in SUBDIRS:
            for f in sorted((out / sub).rglob("*"), reverse=True):  # files before their partition folders
                f.rmdir() if f.is_dir() else f.unlink()
        (out / "stats.json").unlink(missing_ok=True)
        (out / "recipe.yaml").unlink(missing_ok=True)
        (out / "run.log").unlink(missing_ok=True)
        for sub in ("templates", "index", "stage-clean"):  # what the template step or a dedup learned of the old input
            shutil.rmtree(out / sub, ignore_errors=True)
    for sub in SUBDIRS:
        (out / sub).mkdir(parents=True, exist_ok=True)
    # leftovers of a killed run: temporary files never become outputs
    for sub in (*SUBDIRS, "templates", "index"):
        for tmp in (out / sub).rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
    for tmp in out.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
    atomic_write_bytes(run_file, orjson.dumps(identity, option=orjson.OPT_INDENT_2))
    if recipe_yaml is not None:
        atomic_write_bytes(out / "recipe.yaml", recipe_yaml.encode())


def shard_stats_path(out: Location, shard_name: str) -> Location:
    return storage.join(out, "stats", f"{shard_name}.json")


def is_done(out: Location, shard_name: str) -> bool:
    """Whether the shard is complete: its stats marker, and every file the marker lists, of the size it lists
    (a kept file deleted or cut short since makes the shard be done again)."""
    marker = shard_stats_path(out, shard_name)
    if not storage.exists(marker):
        return False
    try:
        listed = orjson.loads(storage.read_bytes(marker)).get("files", {})
    except orjson.JSONDecodeError:
        return False
    for rel, size in listed.items():
        path = storage.join(out, *rel.split("/"))
        if isinstance(path, Path):
            if not path.is_file() or path.stat().st_size != size:
                return False
        elif not storage.exists(path):
            return False
    return True


def write_shard_stats(out: Path, shard_name: str, stats: dict[str, Any]) -> None:
    atomic_write_bytes(out / "stats" / f"{shard_name}.json", orjson.dumps(stats, option=orjson.OPT_INDENT_2))


def harmonize_parquet(out: Location, shard_names: list[str]) -> int:
    """Give every Parquet file of a finished run one meta type (see `parquet_meta.harmonize`), keeping each
    shard's marker true to the files it lists; returns how many files were rewritten. Killed half way, the
    rerun finds a file whose size its marker does not list, redoes that shard and harmonizes again."""
    if not isinstance(out, Path):
        return 0  # (an object store: files stay as their shards wrote them)
    from malgeum.parquet_meta import harmonize

    markers = {n: orjson.loads((out / "stats" / f"{n}.json").read_bytes()) for n in shard_names}
    owner = {rel: n for n, m in markers.items() for rel in m.get("files", {}) if rel.endswith(".parquet")}
    rewritten = harmonize([out / rel for rel in owner]) if owner else []
    for f in rewritten:
        rel = f.relative_to(out).as_posix()
        markers[owner[rel]]["files"][rel] = f.stat().st_size
        write_shard_stats(out, owner[rel], markers[owner[rel]])
    return len(rewritten)


COUNTS = ("input_records", "kept", "changed", "dropped", "quarantined", "bytes_in", "chars_in", "chars_out")


def aggregate(
    out: Location,
    shard_names: list[str],
    wall_seconds: float,
    step_order: list[str],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    total: dict[str, Any] = dict.fromkeys(COUNTS, 0)
    steps = {name: StepStats() for name in step_order}
    drop_reasons: dict[str, int] = {}
    quarantine_reasons: dict[str, int] = {}
    for name in shard_names:
        s = orjson.loads(storage.read_bytes(shard_stats_path(out, name)))
        for k in COUNTS:
            total[k] += s[k]
        for step, st in s["steps"].items():
            steps.setdefault(step, StepStats()).merge(st)
        for d, acc in (("drop_reasons", drop_reasons), ("quarantine_reasons", quarantine_reasons)):
            for k, v in s[d].items():
                acc[k] = acc.get(k, 0) + v
    total["balanced"] = total["input_records"] == total["kept"] + total["dropped"] + total["quarantined"]
    total["shards"] = len(shard_names)
    total["wall_seconds"] = round(wall_seconds, 3)
    total["drop_reasons"] = dict(sorted(drop_reasons.items()))
    total["quarantine_reasons"] = dict(sorted(quarantine_reasons.items()))
    total["steps"] = [{"name": n, **steps[n].to_dict()} for n in steps]
    total.update(extra or {})
    storage.write_bytes(storage.join(out, "stats.json"), orjson.dumps(total, option=orjson.OPT_INDENT_2))
    return total
