"""After the clusters are known: which member of each cluster stays, which lines are the corpus's boilerplate,
and pass 2, the writing of one input shard. The local and the Ray engine share all of it, so that they write
the same records.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from malgeum import output
from malgeum.dedup.segments import Columns, records
from malgeum.dedup.shingles import line_keys
from malgeum.document import Cut, Document
from malgeum.lines import non_overlapping, whole_line
from malgeum.readers import Bad, Fields, Shard, ShardReader
from malgeum.writers import DEFAULT_COMPRESSION, ShardWriter

if TYPE_CHECKING:
    from malgeum.dedup import DedupSettings

STEP = "dedup"
CHUNK = 1 << 20  # documents per slice of the per-document arrays: the memory the cluster step holds at once


def cluster_sizes(index: Path, roots: np.ndarray, n: int) -> np.ndarray:
    sizes = np.lib.format.open_memmap(index / "sizes.npy", mode="w+", dtype=np.int64, shape=(max(n, 1),))
    for i in range(0, n, CHUNK):
        np.add.at(sizes, roots[i : i + CHUNK], 1)
    return sizes


def choose_keepers(settings: DedupSettings, roots: np.ndarray, sizes: np.ndarray, columns: Columns) -> dict[int, int]:
    """Root -> the member that stays, for the (few) clusters where `keep` picks another member than the first."""
    n = columns.n
    if settings.keep == "first" or not n:
        return {}
    multi = np.concatenate([i + np.flatnonzero(sizes[roots[i : i + CHUNK]] > 1) for i in range(0, n, CHUNK)])
    if settings.keep.startswith("meta:"):  # the largest value of the field, the first of equals; missing ones last
        wanted = set(multi.tolist())
        best: dict[int, tuple[Any, int]] = {}
        for o, line in columns.values():
            if o in wanted:
                r, v = int(roots[o]), _sortable(orjson.loads(line))
                if r not in best or v > best[r][0]:
                    best[r] = (v, o)
        return {r: o for r, (_, o) in best.items()}
    length = columns.take("length", multi)  # longest, the first of equals
    order = np.lexsort((multi, -length, roots[multi]))
    m, r = multi[order], roots[multi][order]
    first = np.concatenate(([True], r[1:] != r[:-1]))
    return dict(zip(r[first].tolist(), m[first].tolist(), strict=True))


def frequent_keys(keys: np.ndarray, roots: np.ndarray, min_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Of (line key, root) rows holding every row of their keys: the keys found in `min_docs` clusters or more,
    and in how many. Counted once per cluster, so that a story re-crawled 600 times is not boilerplate."""
    pairs = np.unique(np.stack([keys.view(np.int64), roots], axis=1), axis=0)
    uk, counts = np.unique(pairs[:, 0], return_counts=True)
    hit = counts >= min_docs
    return uk[hit].view(np.uint64), counts[hit]


def save_resolution(index: Path, keepers: dict[int, int], frequent: list[tuple[np.ndarray, np.ndarray]]) -> int:
    """Keepers and frequent lines to the index for pass 2; returns the number of frequent lines."""
    keys = np.concatenate([k for k, _ in frequent]) if frequent else np.zeros(0, np.uint64)
    counts = np.concatenate([c for _, c in frequent]) if frequent else np.zeros(0, np.int64)
    order = np.argsort(keys)
    np.savez(index / "frequent_lines.npz", keys=keys[order], counts=counts[order])
    np.savez(
        index / "keepers.npz",
        roots=np.array(list(keepers), dtype=np.int64),
        keepers=np.array(list(keepers.values()), dtype=np.int64),
    )
    return len(keys)


class Resolver:
    """Pass 2: every document of a shard kept (with its cluster), dropped (pointing at the kept member) or
    quarantined, and corpus-frequent lines cut from the kept ones with recorded edits."""

    def __init__(self, index: Path, columns: Columns, settings: DedupSettings) -> None:
        self.columns, self.settings = columns, settings
        self.roots = np.load(index / "roots.npy", mmap_mode="r")
        self.sizes = np.load(index / "sizes.npy", mmap_mode="r")
        with np.load(index / "keepers.npz") as k:
            self.keepers = dict(zip(k["roots"].tolist(), k["keepers"].tolist(), strict=True))
        with np.load(index / "frequent_lines.npz") as f:
            self.frequent, self.frequent_counts = f["keys"], f["counts"]

    def write_shard(
        self, shard: Shard, out: Path, fields: Fields, first: int, compression: str = DEFAULT_COMPRESSION
    ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        """Write `shard`, whose first good document has ordinal `first`, in files of `compression`; its counts
        and rules."""
        counts = dict.fromkeys((*output.COUNTS, "with_edits"), 0)
        rules: dict[str, dict[str, int]] = {}
        o = first
        writer = ShardWriter(out, shard.name, compression=compression)
        partition = hive_partition(shard.rels[0])
        try:
            for _, item in records(ShardReader(shard, fields)):  # the documents pass 1 numbered
                counts["input_records"] += 1
                if isinstance(item, Bad):
                    writer.quarantine.write(item.to_record())
                    counts["quarantined"] += 1
                    continue
                doc = from_input(item)
                counts["chars_in"] += len(doc.text)
                root = int(self.roots[o])
                k = self.keepers.get(root, root)
                doc.scores[STEP] = {"cluster": self.columns.id(k), "size": int(self.sizes[root])}
                if k != o:
                    rule, why = self._why(o, k)
                    doc.drop(STEP, rule, why)
                    writer.dropped.write(doc.to_record())
                    counts["dropped"] += 1
                    rules.setdefault(rule, {"cuts": 0, "chars": 0, "docs": 0})["docs"] += 1
                else:
                    earlier = len(doc.edits)
                    self._cut_frequent(doc, rules)
                    counts["changed"] += len(doc.edits) > earlier  # by this run
                    counts["with_edits"] += bool(doc.edits)  # by this run or the clean before it
                    writer.kept(partition).write(doc.to_record())
                    counts["kept"] += 1
                    counts["chars_out"] += len(doc.text)
                o += 1
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        counts["bytes_in"] += shard.size
        return counts, rules

    def _why(self, o: int, k: int) -> tuple[str, str]:
        c = self.columns
        kept = c.id(k)
        if c.at("exact", o) == c.at("exact", k):
            return "dedup.exact", f"the same text as {kept}"
        if c.at("url", o) and c.at("url", o) == c.at("url", k):
            return "dedup.url", f"the same URL as {kept}"
        est = float((c.at("sig", o) == c.at("sig", k)).mean()) if self.settings.near else 0.0
        return "dedup.near", f"a near duplicate of {kept} (estimated Jaccard {est:.2f})"

    def _cut_frequent(self, doc: Document, rules: dict[str, dict[str, int]]) -> None:
        if not len(self.frequent):
            return
        cuts = []
        for s, e, h in line_keys(doc.text, self.settings.line_min_chars):
            i = int(np.searchsorted(self.frequent, np.uint64(h)))
            if i < len(self.frequent) and self.frequent[i] == h:
                why = f"a line found in {int(self.frequent_counts[i])} clusters of the corpus"
                cuts.append(Cut(*whole_line(doc.text, s, e), "dedup.frequent_line", why))
        if cuts:
            removed = doc.apply_cuts(STEP, non_overlapping(cuts))
            r = rules.setdefault("dedup.frequent_line", {"cuts": 0, "chars": 0, "docs": 0})
            r["cuts"] += len(cuts)
            r["chars"] += removed
            r["docs"] += 1


def hive_partition(rel: str) -> str:
    """`lang=ko` of `lang=ko/part-00003.jsonl.zst`: partition folders (name=value) of the input are kept."""
    folders = Path(rel).parent.parts
    return "/".join(folders) if folders and all("=" in f for f in folders) else ""


def add_up(parts: list[tuple[dict[str, int], dict[str, dict[str, int]]]]) -> tuple[dict, dict]:
    """The counts and rules of many shards, as one."""
    counts = dict.fromkeys(output.COUNTS, 0)
    rules: dict[str, dict[str, int]] = {}
    for c, r in parts:
        for k, v in c.items():
            counts[k] = counts.get(k, 0) + v
        for rule, figures in r.items():
            into = rules.setdefault(rule, {"cuts": 0, "chars": 0, "docs": 0})
            for k, v in figures.items():
                into[k] += v
    return counts, dict(sorted(rules.items()))


def from_input(doc: Document) -> Document:
    """A record that is already malgeum output keeps its edits, so that its input can still be restored."""
    earlier = doc.meta.get("malgeum_input")
    if isinstance(earlier, dict):
        meta = {k: v for k, v in doc.meta.items() if k != "malgeum_input"}
        try:
            return Document.from_record({"id": doc.id, "text": doc.text, "meta": {**meta, "malgeum": earlier}})
        except (KeyError, TypeError, ValueError, AttributeError):  # not malgeum's: kept as the input's meta
            pass
    return doc


def _sortable(value: Any) -> tuple[int, Any]:
    """Numbers compare as numbers, anything else as text; a missing value sorts first."""
    if value is None:
        return (0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (2, float(value))
    return (1, str(value))
