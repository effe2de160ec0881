"""Dedup on Ray: the local engine's passes as map -> hash shuffle -> resolve.

1. keys: one Ray task per input shard writes the shard's per-document columns to its own segment of the
   index (`index/segments/NNNNNN/`) and emits (kind, key, shard, position) rows.
2. group: Ray's hash shuffle (`repartition(keys=["key"])`) brings every row of a key into one block; a map
   over each block turns groups into (first member, member) edges, and band groups into candidate pairs that
   a further map keeps when their signatures agree (estimated Jaccard >= threshold).
3. components: the driver streams the edges into the memory-mapped union-find of the local engine: 8 bytes
   of disk per document (a billion documents: 8 GB), memory a slice at a time. This is the one step on one
   node; the edges, not the documents, pass through it.
4. lines: (line key, cluster root) rows shuffled by key, counted once per cluster.
5. write: one Ray task per shard runs the local engine's pass 2 on it (atomic shard writes).

Documents are numbered as the local engine numbers them (input order, bad records skipped), so every cluster,
keeper, cut and count comes out the same.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from malgeum.dedup import DedupSettings, agreement, finish, start_index, unique_pairs
from malgeum.dedup.index import UnionFind, group_edges, sort_groups
from malgeum.dedup.resolve import Resolver, choose_keepers, cluster_sizes, frequent_keys, save_resolution
from malgeum.dedup.segments import Columns, SegmentWriter, batch_keys, document_batches
from malgeum.engine.ray_engine import connect
from malgeum.readers import Fields, Shard, ShardReader
from malgeum.writers import atomic_write_bytes

EXACT, BAND, LINE = 0, 1, 2
_ROWS_PER_PARTITION = 4_000_000  # of 17-byte key rows: ~70 MB a block


def _segment(index: Path, no: int) -> Path:
    return index / "segments" / f"{no:06d}"


def _keys(batch: dict[str, np.ndarray], index: str, settings: dict, fields: dict) -> dict[str, np.ndarray]:
    """Pass 1 of one shard: its segment on disk, its key rows out."""
    s = DedupSettings(**settings)
    no = int(batch["no"][0])
    shard = Shard(**orjson.loads(batch["shard"][0]))
    folder = _segment(Path(index), no)
    writer = SegmentWriter(folder)  # a retried task starts the segment again
    kinds, keys, docs = [], [], []
    for batch_ in document_batches(ShardReader(shard, Fields(**fields)), s.batch):
        k = batch_keys(batch_, s)
        pos = np.arange(writer.count, writer.count + len(batch_), dtype=np.int64)
        writer.write(k)
        for kind, key, doc in (
            (EXACT, k.exact if s.exact else None, pos),
            (EXACT, k.url[k.url != 0] if s.exact and s.url_field else None, pos[k.url != 0]),
            (BAND, None if k.bands is None else k.bands.ravel(), np.repeat(pos, s.bands)),
            (LINE, k.line_keys if s.lines else None, pos[k.line_docs] if len(k.line_docs) else pos[:0]),
        ):
            if key is not None and len(key):
                kinds.append(np.full(len(key), kind, np.uint8))
                keys.append(key)
                docs.append(doc)
    writer.close()
    atomic_write_bytes(folder / "count", str(writer.count).encode())
    if not keys:
        return {"kind": np.zeros(0, np.uint8), "key": np.zeros(0, np.uint64), "doc": np.zeros(0, np.int64)}
    doc = np.concatenate(docs)
    return {
        "kind": np.concatenate(kinds),
        "key": np.concatenate(keys),
        "doc": (np.int64(no) << np.int64(32)) | doc,  # (shard, position): made an ordinal once all counts are known
    }


def _ordinals(packed: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return starts[packed >> 32] + (packed & 0xFFFFFFFF)


def _of_kind(batch: dict[str, np.ndarray], kind: int) -> dict[str, np.ndarray]:
    keep = batch["kind"] == kind
    return {"key": batch["key"][keep], "doc": batch["doc"][keep]}


def _edges(block: dict[str, np.ndarray], starts: np.ndarray, pairs: bool) -> dict[str, np.ndarray]:
    """Within a block that holds every row of its keys: (first member, member) of each group of equal keys."""
    a, b = group_edges(*sort_groups(block["key"], _ordinals(block["doc"], starts)))
    if pairs:
        p = unique_pairs(a, b)
        a, b = p[:, 0], p[:, 1]
    return {"a": a, "b": b}


def _verify(block: dict[str, np.ndarray], segments: list, num_perm: int, threshold: float) -> dict:
    """Every candidate pair, with whether its signatures agree enough."""
    pairs = np.stack([block["a"], block["b"]], axis=1)
    return {"a": block["a"], "b": block["b"], "ok": agreement(pairs, _columns(segments, num_perm)) >= threshold}


def _columns(segments: list, num_perm: int) -> Columns:
    return Columns([(Path(f), c) for f, c in segments], num_perm)


def _with_roots(batch: dict[str, np.ndarray], index: str, starts: np.ndarray) -> dict[str, np.ndarray]:
    roots = np.load(Path(index) / "roots.npy", mmap_mode="r")
    return {"key": batch["key"], "root": np.asarray(roots[_ordinals(batch["doc"], starts)])}


def _frequent(block: dict[str, np.ndarray], min_docs: int) -> dict[str, np.ndarray]:
    keys, counts = frequent_keys(block["key"], block["root"], min_docs)
    return {"key": keys, "count": counts}


def _write(
    row: dict[str, Any], index: str, out: str, segments: list, settings: dict, fields: dict, compression: str
) -> dict:
    s = DedupSettings(**settings)
    resolver = Resolver(Path(index), _columns(segments, s.num_perm), s)
    shard = Shard(**orjson.loads(row["shard"]))
    counts, rules = resolver.write_shard(shard, Path(out), Fields(**fields), int(row["first"]), compression)
    return {"no": row["no"], "result": orjson.dumps([counts, rules]).decode()}


def run(
    shards: list[Shard],
    out: Path,
    settings: DedupSettings,
    fields: Fields,
    workers: int | None,
    address: str | None,
    progress: bool,
    compression: str,
) -> dict[str, Any]:
    import ray

    t0 = time.perf_counter()
    if address and address.startswith("ray://"):
        raise ValueError(
            "dedup on Ray shuffles with Ray Data, which does not run through Ray Client (ray://): run the command on "
            "the cluster instead (ray job submit -- malgeum dedup ... --engine ray --address auto)"
        )
    connect(workers, address, progress)
    index = start_index(out)
    cfg, fld = asdict(settings), asdict(fields)
    rows = [{"no": i, "shard": orjson.dumps(asdict(s)).decode()} for i, s in enumerate(shards)]
    one_each = {"override_num_blocks": max(1, len(rows))}

    # 1. keys, per shard
    keys = (
        ray.data.from_items(rows, **one_each)
        .map_batches(
            _keys,
            batch_size=1,
            fn_kwargs={"index": str(index), "settings": cfg, "fields": fld},
            batch_format="numpy",
            num_cpus=1,
        )
        .materialize()
    )
    t_pass1 = time.perf_counter() - t0
    counts = [int((_segment(index, i) / "count").read_bytes()) for i in range(len(shards))]
    segments = [(str(_segment(index, i)), c) for i, c in enumerate(counts)]
    starts = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
    n = int(starts[-1])
    partitions = max(2 * (workers or 2), keys.count() // _ROWS_PER_PARTITION + 1)

    def grouped(kind: int) -> Any:
        return keys.map_batches(_of_kind, batch_size=None, fn_kwargs={"kind": kind}, batch_format="numpy").repartition(
            partitions, keys=["key"]
        )

    # 2 + 3. edges, then components on the driver
    uf = UnionFind(index / "parent.npy", n)
    joined = {"exact": 0, "near": 0}
    if settings.exact:
        edges = grouped(EXACT).map_batches(
            _edges, batch_size=None, fn_kwargs={"starts": starts, "pairs": False}, batch_format="numpy"
        )
        for e in edges.iter_batches(batch_format="numpy", batch_size=1 << 16):
            joined["exact"] += uf.union_all(e["a"], e["b"])
    checked = 0
    if settings.near and n:
        near = (
            grouped(BAND)
            .map_batches(_edges, batch_size=None, fn_kwargs={"starts": starts, "pairs": True}, batch_format="numpy")
            .map_batches(
                _verify,
                batch_size=1 << 16,
                fn_kwargs={
                    "segments": segments,
                    "num_perm": settings.num_perm,
                    "threshold": settings.threshold,
                },
                batch_format="numpy",
            )
        )
        # after every exact edge, as on the local engine: the same components, counted the same way
        for e in near.iter_batches(batch_format="numpy", batch_size=1 << 16):
            checked += len(e["a"])
            joined["near"] += uf.union_all(e["a"][e["ok"]], e["b"][e["ok"]])
    roots = uf.roots(index / "roots.npy", n)
    sizes = cluster_sizes(index, roots, n)
    columns = _columns(segments, settings.num_perm)
    keepers = choose_keepers(settings, roots, sizes, columns)
    roots.flush()

    # 4. corpus-frequent lines
    frequent = []
    if settings.lines and n:
        lines = (
            keys.map_batches(_of_kind, batch_size=None, fn_kwargs={"kind": LINE}, batch_format="numpy")
            .map_batches(
                _with_roots, batch_size=None, fn_kwargs={"index": str(index), "starts": starts}, batch_format="numpy"
            )
            .repartition(partitions, keys=["key"])
            .map_batches(
                _frequent, batch_size=None, fn_kwargs={"min_docs": settings.line_min_docs}, batch_format="numpy"
            )
        )
        frequent = [(b["key"], b["count"]) for b in lines.iter_batches(batch_format="numpy", batch_size=None)]
    n_frequent = save_resolution(index, keepers, frequent)

    # 5. write, per shard
    firsts = [{**r, "first": int(starts[i])} for i, r in enumerate(rows)]
    written = ray.data.from_items(firsts, **one_each).map(
        _write,
        fn_kwargs={
            "index": str(index),
            "out": str(out),
            "segments": segments,
            "settings": cfg,
            "fields": fld,
            "compression": compression,
        },
        num_cpus=1,
    )
    results = sorted((int(r["no"]), orjson.loads(r["result"])) for r in written.iter_rows())
    parts = [tuple(r) for _, r in results]
    seconds = {"pass1": round(t_pass1, 3)}
    return finish(
        out,
        settings,
        parts,
        n,
        0,
        sizes,
        joined,
        n_frequent,
        partitions,
        "ray",
        t0,
        seconds,
        {"near_pairs_checked": checked},
    )
