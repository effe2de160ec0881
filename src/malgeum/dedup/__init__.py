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
import xxhash
from tqdm import tqdm

from malgeum import output
from malgeum.dedup.index import Spill, UnionFind, group_edges
from malgeum.dedup.shingles import (
    band_keys,
    exact_key,
    line_keys,
    normalise,
    shingle_hashes,
    signatures,
    word_shingle_hashes,
)
from malgeum.document import Cut, Document
from malgeum.lines import non_overlapping, whole_line
from malgeum.readers import Bad, Fields, ShardReader, plan
from malgeum.writers import ShardWriter, atomic_write_bytes

STEP = "dedup"
_CHUNK = 1 << 20  # documents per slice of the per-document arrays: the memory the cluster step holds at once


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


def _from_input(doc: Document) -> Document:
    """A record that is already malgeum output keeps its edits, so that its input can still be restored."""
    earlier = doc.meta.pop("malgeum_input", None)
    if isinstance(earlier, dict):
        return Document.from_record({"id": doc.id, "text": doc.text, "meta": {**doc.meta, "malgeum": earlier}})
    return doc


# settings an index's keys depend on: a later run may only add to an index built with the same ones
_KEYED = ("exact", "near", "lines", "unit", "ngram", "num_perm", "bands", "seed", "line_min_chars", "url_field")


def run(
    inputs: list[str],
    out: str | Path,
    settings: DedupSettings = DedupSettings(),
    fields: Fields = Fields(),
    against: str | Path | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Dedup `inputs` into `out`. With `against` (the `index/` of an earlier run), the new documents are
    compared with everything that index holds as well: those that duplicate earlier documents are dropped
    pointing at them, the earlier documents are not written again, and OUT/index/ holds both for the next run.
    """
    if settings.unit not in ("char", "word"):
        raise ValueError(f"unit must be 'char' or 'word', not {settings.unit!r}")
    if settings.keep not in ("first", "longest") and not settings.keep.startswith("meta:"):
        raise ValueError(f"keep must be 'first', 'longest' or 'meta:<field>', not {settings.keep!r}")
    keep_field = settings.keep[5:] if settings.keep.startswith("meta:") else None
    if against is not None and settings.keep != "first":
        raise ValueError(
            "adding to an earlier index keeps the first document of a cluster: documents an earlier run kept stay kept"
        )
    t0 = time.perf_counter()
    out = Path(out)
    index = out / "index"
    if index.exists():
        shutil.rmtree(index)
    for sub in ("kept", "dropped", "quarantine"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    shards = plan(inputs)
    size = sum(s.size for s in shards)
    partitions = int(min(4096, max(16, size // (64 << 20))))
    n = 0
    id_bytes = 0
    if against is not None:
        earlier = orjson.loads((Path(against) / "meta.json").read_bytes())
        mismatch = [k for k in _KEYED if earlier["settings"][k] != asdict(settings)[k]]
        if mismatch:
            raise ValueError(f"{against} was built with other settings ({', '.join(mismatch)}): it cannot be extended")
        shutil.copytree(against, index)  # the earlier index stays as it was; this run extends a copy
        n, partitions = earlier["documents"], earlier["partitions"]
        id_bytes = (index / "ids.bin").stat().st_size
    else:
        index.mkdir(parents=True)
    first_new = n
    spills = {
        name: Spill(index / name, partitions, append=against is not None)
        for name, on in (("exact", settings.exact), ("bands", settings.near), ("lines", settings.lines))
        if on
    }
    # per document, in input order: flat files, read back memory-mapped
    mode = "ab" if against is not None else "wb"
    sig_file = open(index / "signatures.u32", mode)
    exact_file = open(index / "exact.u64", mode)
    length_file = open(index / "lengths.i64", mode)
    ids_file = open(index / "ids.bin", mode)
    url_file = open(index / "url.u64", mode)
    id_end_file = open(index / "ids_end.i64", mode)
    value_file = open(index / "values.jsonl", mode)  # keep: meta:<field>, one JSON value per document
    t_sig = 0.0

    def flush(batch: list[Document]) -> None:
        nonlocal n, t_sig, id_bytes
        if not batch:
            return
        ords = np.arange(n, n + len(batch), dtype=np.int64)
        n += len(batch)
        norms = [normalise(d.text) for d in batch]  # once: the exact key and the shingles both read it
        keys = np.array([exact_key(t) for t in norms], dtype=np.uint64)
        keys.tofile(exact_file)
        urls = np.array(
            [_url_key(d.meta.get(settings.url_field)) if settings.url_field else 0 for d in batch], np.uint64
        )
        urls.tofile(url_file)
        if "exact" in spills:
            spills["exact"].add(keys, ords)
            if settings.url_field and urls.any():
                spills["exact"].add(urls[urls != 0], ords[urls != 0])
        if keep_field:
            value_file.write(b"".join(orjson.dumps(d.meta.get(keep_field)) + b"\n" for d in batch))
        if "bands" in spills:
            t = time.perf_counter()
            shingle = shingle_hashes if settings.unit == "char" else word_shingle_hashes
            sigs = signatures([shingle(t, settings.ngram) for t in norms], settings.num_perm, settings.seed)
            bk = band_keys(sigs, settings.bands)
            t_sig += time.perf_counter() - t
            spills["bands"].add(bk.ravel(), np.repeat(ords, settings.bands))
            sigs.tofile(sig_file)
        if "lines" in spills:
            lk, lo = [], []
            for o, d in zip(ords.tolist(), batch, strict=True):
                hashes = {h for _, _, h in line_keys(d.text, settings.line_min_chars)}
                lk.extend(hashes)
                lo.extend([o] * len(hashes))
            if lk:
                spills["lines"].add(np.array(lk, dtype=np.uint64), np.array(lo, dtype=np.int64))
        encoded = [d.id.encode("utf-8", "surrogatepass") for d in batch]
        ids_file.write(b"".join(encoded))
        ends = id_bytes + np.cumsum([len(e) for e in encoded], dtype=np.int64)
        ends.tofile(id_end_file)
        id_bytes = int(ends[-1])
        np.array([len(d.text) for d in batch], dtype=np.int64).tofile(length_file)

    # pass 1: keys of every document
    batch: list[Document] = []
    bar = _bar("keys", size, progress)
    for shard in shards:
        reader, seen = ShardReader(shard, fields), 0
        for _, item in reader:
            if reader.progress - seen >= 1 << 20:
                bar.update(reader.progress - seen)
                seen = reader.progress
            if isinstance(item, Bad):
                continue  # pass 2 quarantines it
            batch.append(item)
            if len(batch) >= settings.batch:
                flush(batch)
                batch = []
    flush(batch)
    bar.update(size - bar.n)
    for s in spills.values():
        s.close()
    for f in (sig_file, exact_file, length_file, ids_file, url_file, id_end_file, value_file):
        f.close()
    t_pass1 = time.perf_counter() - t0

    # clusters
    uf = UnionFind(index / "parent.npy", n)
    joined = {"exact": 0, "near": 0}
    if "exact" in spills:
        for docs, keys, starts in spills["exact"].groups():
            a, b = group_edges(docs, keys, starts)
            joined["exact"] += uf.union_all(a, b)
    sims_checked = 0
    if "bands" in spills and n:
        sig = np.memmap(index / "signatures.u32", dtype=np.uint32, mode="r", shape=(n, settings.num_perm))
        for docs, keys, starts in spills["bands"].groups():
            a, b = group_edges(docs, keys, starts)
            if not len(a):
                continue
            pairs = np.unique(np.stack([a, b], axis=1), axis=0)
            same = np.array([uf.find(x) == uf.find(y) for x, y in pairs.tolist()], dtype=bool)
            pairs = pairs[~same]
            if not len(pairs):
                continue
            sims_checked += len(pairs)
            # in slices: the rows of a million pairs would take a gigabyte at once
            sim = np.concatenate(
                [
                    (sig[pairs[i : i + 16384, 0]] == sig[pairs[i : i + 16384, 1]]).mean(axis=1)
                    for i in range(0, len(pairs), 16384)
                ]
            )
            ok = pairs[sim >= settings.threshold]
            joined["near"] += uf.union_all(ok[:, 0], ok[:, 1])
    # per document, on disk: its root, its cluster's size; a keeper other than the root only for the
    # (few) clusters where `keep` picks another member
    roots = uf.roots(index / "roots.npy", n)
    sizes = np.lib.format.open_memmap(index / "sizes.npy", mode="w+", dtype=np.int64, shape=(max(n, 1),))
    for i in range(0, n, _CHUNK):
        np.add.at(sizes, roots[i : i + _CHUNK], 1)
    length = _flat(index / "lengths.i64", np.int64, n)
    exact_keys = _flat(index / "exact.u64", np.uint64, n)
    url_keys = _flat(index / "url.u64", np.uint64, n)
    keepers: dict[int, int] = {}
    if settings.keep != "first" and n:
        multi = np.concatenate([i + np.flatnonzero(sizes[roots[i : i + _CHUNK]] > 1) for i in range(0, n, _CHUNK)])
        if keep_field:  # the largest value of the field, the first of equals; documents without it last
            wanted = set(multi.tolist())
            best: dict[int, tuple[Any, int]] = {}
            with open(index / "values.jsonl", "rb") as f:
                for o, line in enumerate(f):
                    if o in wanted:
                        r, v = int(roots[o]), _sortable(orjson.loads(line))
                        if r not in best or v > best[r][0]:
                            best[r] = (v, o)
            keepers = {r: o for r, (_, o) in best.items()}
        else:  # longest, the first of equals
            order = np.lexsort((multi, -length[multi], roots[multi]))
            m, r = multi[order], roots[multi][order]
            first = np.concatenate(([True], r[1:] != r[:-1]))
            keepers = dict(zip(r[first].tolist(), m[first].tolist(), strict=True))
    ids = _Ids(index / "ids.bin", _flat(index / "ids_end.i64", np.int64, n))

    # lines many clusters share: counted once per cluster, so that a story re-crawled 600 times is not boilerplate
    frequent_keys = np.zeros(0, dtype=np.uint64)
    frequent_counts = np.zeros(0, dtype=np.int64)
    if "lines" in spills:
        fk, fc = [], []
        for docs, keys, _ in spills["lines"].groups():
            pairs = np.unique(np.stack([keys.view(np.int64), roots[docs]], axis=1), axis=0)
            uk, counts = np.unique(pairs[:, 0], return_counts=True)
            hit = counts >= settings.line_min_docs
            fk.append(uk[hit].view(np.uint64))
            fc.append(counts[hit])
        if fk:
            frequent_keys = np.concatenate(fk)
            frequent_counts = np.concatenate(fc)
            order = np.argsort(frequent_keys)
            frequent_keys, frequent_counts = frequent_keys[order], frequent_counts[order]
    np.savez(index / "frequent_lines.npz", keys=frequent_keys, counts=frequent_counts)

    # pass 2: write
    sig = (
        np.memmap(index / "signatures.u32", dtype=np.uint32, mode="r", shape=(n, settings.num_perm))
        if "bands" in spills and n
        else None
    )
    counts = dict.fromkeys(output.COUNTS, 0)
    rules: dict[str, dict[str, int]] = {}
    o = first_new
    bar.close()
    bar = _bar("writing", size, progress)
    for shard in shards:
        writer = ShardWriter(out, shard.name)
        try:
            for _, item in ShardReader(shard, fields):
                counts["input_records"] += 1
                if isinstance(item, Bad):
                    writer.quarantine.write(item.to_record())
                    counts["quarantined"] += 1
                    continue
                doc = _from_input(item)
                counts["chars_in"] += len(doc.text)
                root = int(roots[o])
                k = keepers.get(root, root)
                cluster = {"cluster": ids[k], "size": int(sizes[root])}
                if k != o:
                    if exact_keys[o] == exact_keys[k]:
                        rule, why = "dedup.exact", f"the same text as {ids[k]}"
                    elif url_keys[o] and url_keys[o] == url_keys[k]:
                        rule, why = "dedup.url", f"the same URL as {ids[k]}"
                    else:
                        est = float((sig[o] == sig[k]).mean()) if sig is not None else 0.0
                        rule, why = "dedup.near", f"a near duplicate of {ids[k]} (estimated Jaccard {est:.2f})"
                    doc.scores[STEP] = cluster
                    doc.drop(STEP, rule, why)
                    writer.dropped.write(doc.to_record())
                    counts["dropped"] += 1
                    r = rules.setdefault(rule, {"cuts": 0, "chars": 0, "docs": 0})
                    r["docs"] += 1
                else:
                    cuts = []
                    if len(frequent_keys):
                        for s, e, h in line_keys(doc.text, settings.line_min_chars):
                            i = int(np.searchsorted(frequent_keys, np.uint64(h)))
                            if i < len(frequent_keys) and frequent_keys[i] == h:
                                why = f"a line found in {int(frequent_counts[i])} clusters of the corpus"
                                cuts.append(Cut(*whole_line(doc.text, s, e), "dedup.frequent_line", why))
                    if cuts:
                        removed = doc.apply_cuts(STEP, non_overlapping(cuts))
                        r = rules.setdefault("dedup.frequent_line", {"cuts": 0, "chars": 0, "docs": 0})
                        r["cuts"] += len(cuts)
                        r["chars"] += removed
                        r["docs"] += 1
                    counts["changed"] += bool(doc.edits)  # by this run or an earlier one (a clean)
                    doc.scores[STEP] = cluster
                    writer.kept().write(doc.to_record())
                    counts["kept"] += 1
                    counts["chars_out"] += len(doc.text)
                o += 1
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        counts["bytes_in"] += shard.size
        bar.update(shard.size)
    stats = {
        **counts,
        "balanced": counts["input_records"] == counts["kept"] + counts["dropped"] + counts["quarantined"],
        "settings": asdict(settings),
        "documents_indexed": n,
        "documents_earlier": first_new,
        "clusters_with_duplicates": int(sum(np.count_nonzero(sizes[i : i + _CHUNK] > 1) for i in range(0, n, _CHUNK))),
        "joined": joined,
        "near_pairs_checked": sims_checked,
        "frequent_lines": len(frequent_keys),
        "rules": dict(sorted(rules.items())),
        "seconds": {
            "pass1": round(t_pass1, 3),
            "signatures": round(t_sig, 3),
            "total": round(time.perf_counter() - t0, 3),
        },
    }
    bar.close()
    meta = {"documents": n, "partitions": partitions, "settings": asdict(settings)}
    atomic_write_bytes(index / "meta.json", orjson.dumps(meta, option=orjson.OPT_INDENT_2))
    atomic_write_bytes(out / "stats.json", orjson.dumps(stats, option=orjson.OPT_INDENT_2))
    return stats


def _flat(path: Path, dtype: type, n: int) -> np.ndarray:
    return np.memmap(path, dtype=dtype, mode="r", shape=(n,)) if n else np.zeros(0, dtype=dtype)


class _Ids:
    """Document ids by ordinal, read from disk on demand."""

    def __init__(self, path: Path, ends: np.ndarray) -> None:
        self.data = np.memmap(path, dtype=np.uint8, mode="r") if len(ends) and ends[-1] else np.zeros(0, np.uint8)
        self.ends = ends

    def __getitem__(self, i: int) -> str:
        start = int(self.ends[i - 1]) if i else 0
        return self.data[start : int(self.ends[i])].tobytes().decode("utf-8", "surrogatepass")


def _bar(desc: str, total: int, on: bool) -> tqdm:
    """Progress in input bytes, on stderr."""
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, disable=not on, file=sys.stderr, dynamic_ncols=True)


def _url_key(url: Any) -> int:
    """A key for a URL without scheme, fragment, "www." and trailing slash; 0 for none."""
    if not isinstance(url, str) or not url.strip():
        return 0
    u = url.strip().split("#", 1)[0].split("://", 1)[-1]
    host, _, path = u.partition("/")
    u = host.lower().removeprefix("www.") + "/" + path.rstrip("/")  # hosts ignore case, paths may not
    return xxhash.xxh3_64_intdigest(b"url:" + u.encode("utf-8", "surrogatepass")) or 1


def _sortable(value: Any) -> tuple[int, Any]:
    """Numbers compare as numbers, anything else as text; a missing value sorts first."""
    if value is None:
        return (0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (2, float(value))
    return (1, str(value))
