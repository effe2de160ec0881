"""The dedup index on disk: keys spilled into hash partitions, and connected components over them.

Pass 1 appends, per document, its exact key, its band keys and its line keys to partition files chosen by key
(`(key, ordinal)` pairs, 16 bytes each), and its signature to one flat file. Grouping then reads one
partition at a time, so memory holds a partition, not the corpus. Documents are numbered in input order
(their ordinal); union-find keeps the smallest ordinal of a component as its root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

PAIR = np.dtype([("key", "<u8"), ("doc", "<i8")])


class Spill:
    """Append-only partitioned (key, ordinal) files under `folder`."""

    def __init__(self, folder: Path, partitions: int, append: bool = False) -> None:
        self.folder = folder
        self.partitions = partitions
        folder.mkdir(parents=True, exist_ok=True)
        mode = "ab" if append else "wb"
        self._files: list[BinaryIO] = [open(folder / f"p{p:04d}.bin", mode) for p in range(partitions)]

    def add(self, keys: np.ndarray, docs: np.ndarray) -> None:
        pairs = np.empty(len(keys), dtype=PAIR)
        pairs["key"] = keys
        pairs["doc"] = docs
        part = (keys % np.uint64(self.partitions)).astype(np.int64)
        order = np.argsort(part, kind="stable")
        pairs, part = pairs[order], part[order]
        bounds = np.searchsorted(part, np.arange(self.partitions + 1))
        for p in range(self.partitions):
            if bounds[p] < bounds[p + 1]:
                pairs[bounds[p] : bounds[p + 1]].tofile(self._files[p])

    def close(self) -> None:
        for f in self._files:
            f.close()

    def groups(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per partition: (ordinals sorted by key, the keys, the start index of each run of equal keys)."""
        for p in range(self.partitions):
            pairs = np.fromfile(self.folder / f"p{p:04d}.bin", dtype=PAIR)
            if len(pairs) >= 2:
                yield sort_groups(pairs["key"], pairs["doc"])


def sort_groups(keys: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ordinals sorted by key then ordinal, the keys, the start index of each run of equal keys)."""
    order = np.lexsort((docs, keys))
    keys, docs = keys[order], docs[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else np.zeros(0, np.int64)
    return docs, keys, starts


def group_edges(docs: np.ndarray, keys: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first member, member) for every member after the first of each group of equal keys."""
    group_of = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(docs))))
    later = np.ones(len(docs), dtype=bool)
    later[starts] = False
    first = docs[starts][group_of]
    return first[later], docs[later]


class UnionFind:
    """Parents in a memory-mapped file: the components of N documents cost 8N bytes of disk."""

    def __init__(self, path: Path, n: int) -> None:
        self.parent = np.lib.format.open_memmap(path, mode="w+", dtype=np.int64, shape=(max(n, 1),))
        self.parent[:] = np.arange(max(n, 1), dtype=np.int64)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    def union_all(self, a: np.ndarray, b: np.ndarray) -> int:
        """Union every pair; returns how many joined two components."""
        joined = 0
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            rx, ry = self.find(x), self.find(y)
            if rx != ry:
                lo, hi = (rx, ry) if rx < ry else (ry, rx)
                self.parent[hi] = lo
                joined += 1
        return joined

    def roots(self, path: Path, n: int, chunk: int = 1 << 20) -> np.ndarray:
        """The root of every document into a memory-mapped file, a slice at a time, by pointer jumping."""
        out = np.lib.format.open_memmap(path, mode="w+", dtype=np.int64, shape=(max(n, 1),))
        for i in range(0, n, chunk):
            r = np.array(self.parent[i : i + chunk])
            while True:
                nxt = self.parent[r]
                if np.array_equal(nxt, r):
                    break
                r = nxt
            out[i : i + chunk] = r
        return out
