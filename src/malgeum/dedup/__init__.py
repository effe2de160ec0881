"""Corpus dedup: exact duplicates, MinHash near-duplicates and lines the corpus repeats everywhere.

Two passes over the input. Pass 1 reads every document once and spills its keys to an on-disk index
(`OUT/index/`); grouping and union-find find the clusters; pass 2 reads the input again and writes each
document kept (with its cluster id and size), dropped (pointing at the kept id) or quarantined, and cuts
corpus-frequent lines from the kept ones with recorded edits.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from tqdm import tqdm

from malgeum import identity, outlock, output, runlog
from malgeum.dedup.index import Spill, UnionFind, group_edges
from malgeum.dedup.resolve import CHUNK, Resolver, add_up, choose_keepers, cluster_sizes, frequent_keys, save_resolution
from malgeum.dedup.segments import Columns, SegmentWriter, batch_keys, document_batches
from malgeum.document import Document
from malgeum.feed import fed
from malgeum.readers import Fields, Shard, ShardReader, plan, skipped
from malgeum.writers import COMPRESSIONS, DEFAULT_COMPRESSION, atomic_write_bytes


@dataclass(frozen=True)
class DedupSettings:
    exact: bool = True
    near: bool = True
    unit: str = "char"  # shingles of characters, or of words ("word": eojeol for Korean)
    ngram: int = 5  # units per shingle
    num_perm: int = 128
    bands: int = 32  # 32 bands of 4 rows: pairs of Jaccard 0.5 meet in a bucket with probability 0.87
    threshold: float = 0.5  # estimated Jaccard a candidate pair needs to join a cluster
    seed: int = 1
    keep: str = "first"  # which document of a cluster stays: first (input order), longest, or meta:<field> (largest)
    url_field: str | None = None  # documents with the same URL in this field are duplicates too
    lines: bool = True
    line_min_docs: int = 10  # a line in this many clusters or more is boilerplate
    line_min_chars: int = 15  # shorter lines are common phrases, never cut
    batch: int = 2048

    def check(self) -> None:
        if self.unit not in ("char", "word"):
            raise ValueError(f"unit must be 'char' or 'word', not {self.unit!r}")
        if self.keep not in ("first", "longest") and not self.keep.startswith("meta:"):
            raise ValueError(f"keep must be 'first', 'longest' or 'meta:<field>', not {self.keep!r}")

    @property
    def keep_field(self) -> str | None:
        return self.keep[5:] if self.keep.startswith("meta:") else None


# settings an index's keys depend on: a later run may only add to an index built with the same ones
_KEYED = ("exact", "near", "lines", "unit", "ngram", "num_perm", "bands", "seed", "line_min_chars", "url_field")


def run(
    inputs: list[str],
    out: str | Path,
    settings: DedupSettings = DedupSettings(),
    fields: Fields = Fields(),
    against: str | Path | None = None,
    progress: bool = False,
    engine: str = "local",
    workers: int | None = None,
    address: str | None = None,
    overwrite: bool = False,
    owned: bool = False,
    compression: str = DEFAULT_COMPRESSION,
) -> dict[str, Any]:
    """Dedup `inputs` into `out`. With `against` (the `index/` of an earlier run), the new documents are
    compared with everything that index holds as well: those that duplicate earlier documents are dropped
    pointing at them, the earlier documents are not written again, and OUT/index/ holds both for the next run.

    `engine="ray"` runs the same passes on Ray Data (keys per shard in tasks, grouping by Ray's hash shuffle,
    pass 2 per shard in tasks); only the connected components run on the driver.

    OUT is locked and its identity checked as for `clean` (`overwrite` starts a folder of another run again);
    `owned`: the caller (a clean whose recipe ends in dedup) holds OUT and has checked it. `compression` (zstd,
    gzip or none) of the output files, as for `clean`.
    """
    settings.check()
    if compression not in COMPRESSIONS:
        raise ValueError(f"compression must be one of {', '.join(COMPRESSIONS)}, not {compression!r}")
    if engine == "ray" and against is not None:
        raise ValueError("--against runs on the local engine: an index is extended in place, by one process")
    if against is not None and settings.keep != "first":
        raise ValueError(
            "adding to an earlier index keeps the first document of a cluster: documents an earlier run kept stay kept"
        )
    out = Path(out)
    if not owned:
        identity.check_overlap(out, inputs, {"--against": against})
    shards = plan(inputs, fed=engine != "ray")  # (Ray's pass reads its shards unfed)
    if owned:
        return _run(shards, out, settings, fields, against, progress, engine, workers, address, compression)
    against_meta = None if against is None else identity.fingerprint(str(Path(against) / "meta.json"))
    this = identity.Run(
        "dedup",
        inputs,
        shards,
        settings=asdict(settings),
        fields=asdict(fields),
        against=against_meta,
        compression=compression,
    )
    with outlock.hold(out):
        output.prepare(out, this.as_json, None, overwrite)
        with runlog.recording(out, "dedup"):
            unread = [list(x) for x in skipped(inputs)]
            for path, why in unread:
                runlog.warning("skipped %s: %s", path, why)
            stats = _run(shards, out, settings, fields, against, progress, engine, workers, address, compression)
            stats["skipped_files"] = unread
            atomic_write_bytes(out / "stats.json", orjson.dumps(stats, option=orjson.OPT_INDENT_2))
            this.check_unchanged()
            rules = stats["rules"]
            runlog.event(
                "done: %d records, %d kept, %d exact and %d near duplicates dropped, %d quarantined, balanced %s",
                stats["input_records"],
                stats["kept"],
                rules.get("dedup.exact", {}).get("docs", 0),
                rules.get("dedup.near", {}).get("docs", 0),
                stats["quarantined"],
                stats["balanced"],
            )
    return stats


def _run(
    shards: list[Shard],
    out: Path,
    settings: DedupSettings,
    fields: Fields,
    against: str | Path | None,
    progress: bool,
    engine: str,
    workers: int | None,
    address: str | None,
    compression: str,
) -> dict[str, Any]:
    if engine == "ray":
        from malgeum.engine.ray_dedup import run as ray_run

        return ray_run(shards, out, settings, fields, workers, address, progress, compression)
    t0 = time.perf_counter()
    index = start_index(out)
    size = sum(s.size for s in shards)
    partitions = int(min(4096, max(16, size // (64 << 20))))
    n = 0
    if against is not None:
        earlier = orjson.loads((Path(against) / "meta.json").read_bytes())
        if earlier.get("engine", "local") != "local":
            raise ValueError(
                f"{against} was built by the {earlier['engine']} engine: only a local index can be extended"
            )
        mismatch = [k for k in _KEYED if earlier["settings"][k] != asdict(settings)[k]]
        if mismatch:
            raise ValueError(f"{against} was built with other settings ({', '.join(mismatch)}): it cannot be extended")
        shutil.rmtree(index)
        shutil.copytree(against, index)  # the earlier index stays as it was; this run extends a copy
        n, partitions = earlier["documents"], earlier["partitions"]
    first_new = n
    spills = {
        name: Spill(index / name, partitions, append=against is not None)
        for name, on in (("exact", settings.exact), ("bands", settings.near), ("lines", settings.lines))
        if on
    }
    segment = SegmentWriter(index, append=against is not None)  # one segment: the index folder itself
    t_sig = 0.0

    def flush(batch: list[Document]) -> None:
        nonlocal n, t_sig
        t = time.perf_counter()
        k = batch_keys(batch, settings)
        t_sig += time.perf_counter() - t
        ords = np.arange(n, n + len(batch), dtype=np.int64)
        n += len(batch)
        segment.write(k)
        if "exact" in spills:
            spills["exact"].add(k.exact, ords)
            if settings.url_field and k.url.any():
                spills["exact"].add(k.url[k.url != 0], ords[k.url != 0])
        if k.bands is not None:
            spills["bands"].add(k.bands.ravel(), np.repeat(ords, settings.bands))
        if len(k.line_keys):
            spills["lines"].add(k.line_keys, ords[k.line_docs])

    # pass 1: keys of every document
    bar, done = _bar("keys", size, progress), 0
    for shard in fed(shards, fields):
        reader = ShardReader(shard, fields)
        for batch in document_batches(reader, settings.batch):
            flush(batch)
            bar.update(done + reader.progress - bar.n)
        done += shard.size
        bar.update(done - bar.n)
    bar.close()
    for s in spills.values():
        s.close()
    segment.close()
    t_pass1 = time.perf_counter() - t0
    columns = Columns([(index, n)], settings.num_perm)

    # clusters
    uf = UnionFind(index / "parent.npy", n)
    joined = {"exact": 0, "near": 0}
    if "exact" in spills:
        for docs, keys, starts in spills["exact"].groups():
            joined["exact"] += uf.union_all(*group_edges(docs, keys, starts))
    pairs_checked = 0
    if "bands" in spills and n:
        for docs, keys, starts in spills["bands"].groups():
            pairs = unique_pairs(*group_edges(docs, keys, starts))
            # pairs already joined need no check: the components come out the same either way
            pairs = pairs[[uf.find(x) != uf.find(y) for x, y in pairs.tolist()]]
            pairs_checked += len(pairs)
            ok = similar(pairs, columns, settings.threshold)
            joined["near"] += uf.union_all(ok[:, 0], ok[:, 1])
    roots = uf.roots(index / "roots.npy", n)
    sizes = cluster_sizes(index, roots, n)
    keepers = choose_keepers(settings, roots, sizes, columns)
    frequent = []
    if "lines" in spills:
        frequent = [
            frequent_keys(keys, roots[docs], settings.line_min_docs) for docs, keys, _ in spills["lines"].groups()
        ]
    n_frequent = save_resolution(index, keepers, frequent)

    # pass 2: write
    resolver = Resolver(index, columns, settings)
    parts = []
    o = first_new
    bar = _bar("writing", size, progress)
    for shard in fed(shards, fields):
        part = resolver.write_shard(shard, out, fields, o, compression)
        o += part[0]["input_records"] - part[0]["quarantined"]
        parts.append(part)
        bar.update(shard.size)
    bar.close()
    seconds = {"pass1": round(t_pass1, 3), "signatures": round(t_sig, 3)}
    return finish(
        out,
        settings,
        parts,
        n,
        first_new,
        sizes,
        joined,
        n_frequent,
        partitions,
        "local",
        t0,
        seconds,
        {"near_pairs_checked": pairs_checked},
    )


def start_index(out: Path) -> Path:
    index = out / "index"
    if index.exists():
        shutil.rmtree(index)
    for sub in ("kept", "dropped", "quarantine"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    index.mkdir(parents=True)
    return index


def unique_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if not len(a):
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.stack([a, b], axis=1), axis=0)


def agreement(pairs: np.ndarray, columns: Columns) -> np.ndarray:
    """The share of signature rows each pair agrees on: its estimated Jaccard."""
    # in slices: the rows of a million pairs would take a gigabyte at once
    return np.concatenate(
        [
            (columns.take("sig", pairs[i : i + 16384, 0]) == columns.take("sig", pairs[i : i + 16384, 1])).mean(axis=1)
            for i in range(0, len(pairs), 16384)
        ]
        or [np.zeros(0)]
    )


def similar(pairs: np.ndarray, columns: Columns, threshold: float) -> np.ndarray:
    """The pairs whose estimated Jaccard is `threshold` or more."""
    return pairs[agreement(pairs, columns) >= threshold] if len(pairs) else pairs


def finish(
    out: Path,
    settings: DedupSettings,
    parts: list,
    n: int,
    first_new: int,
    sizes: np.ndarray,
    joined: dict[str, int],
    n_frequent: int,
    partitions: int,
    engine: str,
    t0: float,
    seconds: dict[str, float],
    work: dict[str, int],
) -> dict[str, Any]:
    """stats.json and the index's meta.json. `seconds` and `work` depend on the engine; the rest does not."""
    counts, rules = add_up(parts)
    stats = {
        **counts,
        "balanced": counts["input_records"] == counts["kept"] + counts["dropped"] + counts["quarantined"],
        "settings": asdict(settings),
        "documents_indexed": n,
        "documents_earlier": first_new,
        "clusters_with_duplicates": int(sum(np.count_nonzero(sizes[i : i + CHUNK] > 1) for i in range(0, n, CHUNK))),
        "joined": joined,
        "frequent_lines": n_frequent,
        "rules": rules,
        "work": work,
        "seconds": {**seconds, "total": round(time.perf_counter() - t0, 3)},
    }
    meta = {"documents": n, "partitions": partitions, "engine": engine, "settings": asdict(settings)}
    atomic_write_bytes(out / "index" / "meta.json", orjson.dumps(meta, option=orjson.OPT_INDENT_2))
    atomic_write_bytes(out / "stats.json", orjson.dumps(stats, option=orjson.OPT_INDENT_2))
    return stats


def _bar(desc: str, total: int, on: bool) -> tqdm:
    """Progress in input bytes, on stderr."""
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, disable=not on, file=sys.stderr, dynamic_ncols=True)
