"""Benchmark decontamination: the evaluation sets a user gives, indexed once, found in the training text.

`benchmarks` reads the user's files into items, `units` turns text into the units and windows both sides are
compared as, `index` builds and memory-maps the index, `match` finds items in a document; the `decont` step
(malgeum.steps.decont) cuts what it finds. `malgeum decont` builds an index and runs a clean with that step;
`malgeum decont-index` builds one to reuse (docs/decontamination.md).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from malgeum.decont.benchmarks import DEFAULT_FIELDS, BenchmarkError
from malgeum.decont.index import Index, IndexSettings, build

__all__ = ["DEFAULT_FIELDS", "BenchmarkError", "Index", "IndexSettings", "build", "index_for_run", "recipe"]

OWN_INDEX = "decont-index"  # where `malgeum decont` builds the index when not told where


def index_for_run(
    specs: Sequence[str], fields: Sequence[str], index: str | None, out: str, overwrite: bool
) -> tuple[Path, dict[str, Any]]:
    """The index a `malgeum decont` run uses and its meta.json: built from `specs` (at `index`, else in OUT), or
    the one at `index` when no benchmark is given. An index in OUT is only replaced when OUT holds no run, or
    the same index, or `overwrite`: a finished run must not lose the index its output was cut with."""
    if not specs:
        if index is None:
            raise BenchmarkError("give the benchmark files (--benchmark FILE...) or a built index (--index PATH)")
        return Path(index), Index(index).meta
    if index is not None:
        return Path(index), build(specs, index, fields)
    where = Path(out) / OWN_INDEX
    if not where.exists():
        return where, build(specs, where, fields)
    fresh = Path(out) / f".{OWN_INDEX}.new"
    meta = build(specs, fresh, fields)
    old = orjson.loads((where / "meta.json").read_bytes()).get("digest") if (where / "meta.json").is_file() else None
    if old == meta["digest"]:
        shutil.rmtree(fresh)
        return where, meta
    if (Path(out) / "run.json").exists() and not overwrite:
        shutil.rmtree(fresh)
        raise BenchmarkError(
            f"{out} was cut against another index (the benchmark files or fields changed since): use a new output "
            "folder, or --overwrite to start this one again"
        )
    shutil.rmtree(where)
    fresh.rename(where)
    return where, meta


def recipe(index: Path, digest: str, mode: str = "cut") -> dict[str, Any]:
    """The recipe of a `malgeum decont` run: the decont step alone, bound to its index's content by `digest`."""
    return {"steps": [{"decont": {"index": str(index.resolve()), "mode": mode, "digest": digest}}]}
