"""Where benchmark items are in a document: windows looked up in the index, grouped into spans, judged by share.

Every window of the document (of both lengths) is looked up; the windows found are grouped per item into
clusters of nearby positions (a changed character kills the windows over it, so a copy with a few edits still
shows as one cluster with small gaps). A cluster counts when it holds at least `min_cluster` distinct windows
of the item. An item is found when its counted clusters hold at least `share` of its indexed windows, or at
least `piece` of them (a long-enough piece of a long passage). Each counted cluster of a found item is a hit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from malgeum.decont.index import CHAR_SEED, WORD_SEED, Index
from malgeum.decont.units import unit_hashes, unit_spans, units, windows


class Hit(NamedTuple):
    benchmark: str
    item: str  # the item's id
    start: int  # offsets in the document's text
    end: int
    matched: int  # distinct windows of the item found in the document's counted clusters
    windows: int  # the item's indexed windows


class _UnitHit(NamedTuple):
    item: int
    runs: list[tuple[int, int]]  # units the found windows cover: (first, last), last inclusive
    matched: int


def _found_windows(index: Index, us: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(key number, position, window length) of every window of the units found in the index."""
    s = index.settings
    h = unit_hashes(us)
    wc, ww = windows(h, s.char_window, CHAR_SEED), windows(h, s.word_window, WORD_SEED)
    hashes = np.concatenate((wc, ww))
    keys = index.keys
    if not len(hashes) or not len(keys):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    maybe = np.flatnonzero(index.maybe(hashes))
    at = np.minimum(np.searchsorted(keys, hashes[maybe]), len(keys) - 1)
    hit = keys[at] == hashes[maybe]
    found, at = maybe[hit], at[hit]
    pos = np.where(found < len(wc), found, found - len(wc))
    length = np.where(found < len(wc), s.char_window, s.word_window)
    return at.astype(np.int64), pos, length


def _match(index: Index, us: list[str], share: float, piece: int, min_cluster: int) -> list[_UnitHit]:
    ki, pos, length = _found_windows(index, us)
    if len(ki) < min_cluster:
        return []
    starts, ends = index.offsets[ki], index.offsets[ki + 1]
    n = ends - starts
    row = np.repeat(np.arange(len(ki)), n)
    within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    item = np.asarray(index.postings[starts[row] + within], dtype=np.int64)
    ki, pos, length = ki[row], pos[row], length[row]
    # an upper bound first: items with too few distinct windows anywhere are not looked at one by one
    pairs = np.unique(item * (len(index.keys) + 1) + ki)
    cand, distinct = np.unique(pairs // (len(index.keys) + 1), return_counts=True)
    total = np.asarray(index.windows[cand], dtype=np.int64)
    need = np.minimum(piece, np.maximum(min_cluster, np.ceil(share * total - 1e-9).astype(np.int64)))
    hits: list[_UnitHit] = []
    enough = distinct >= need
    for c, nd in zip(cand[enough].tolist(), need[enough].tolist(), strict=True):
        sel = np.flatnonzero(item == c)
        order = sel[np.argsort(pos[sel], kind="stable")]
        p, k, ln = pos[order], ki[order], length[order]
        breaks = np.flatnonzero(np.diff(p) > 3 * ln[1:]) + 1  # a gap wider than three windows ends a cluster
        kept = []
        for a, b in zip(np.r_[0, breaks].tolist(), np.r_[breaks, len(p)].tolist(), strict=True):
            if len(np.unique(k[a:b])) >= min_cluster:
                kept.append((a, b))
        if not kept:
            continue
        matched = len(np.unique(np.concatenate([k[a:b] for a, b in kept])))
        if matched >= nd:
            hits += [_UnitHit(c, _runs(p[a:b], ln[a:b]), matched) for a, b in kept]
    return hits


def _runs(pos: np.ndarray, length: np.ndarray) -> list[tuple[int, int]]:
    """The runs of units that windows at `pos` (sorted) of `length` units cover."""
    ends = np.maximum.accumulate(pos + length)  # one past the last unit covered so far
    starts = np.flatnonzero(np.r_[True, pos[1:] > ends[:-1]])
    last = np.r_[starts[1:], len(pos)] - 1
    return [(int(pos[a]), int(ends[b]) - 1) for a, b in zip(starts.tolist(), last.tolist(), strict=True)]


def _spans(text: str, runs: list[tuple[int, int]], first: list[int], last: list[int]) -> list[tuple[int, int]]:
    """The runs as character spans, joined unless a whole line of other text stands between two (a piece of the
    item on either side of it: the line is the document's own)."""
    spans: list[tuple[int, int]] = []
    for a, b in runs:
        s, e = first[a], last[b]
        if spans:
            gap = text[spans[-1][1] : s]
            inner = gap.split("\n")[1:-1]
            if not any(line.strip() for line in inner):
                spans[-1] = (spans[-1][0], e)
                continue
        spans.append((s, e))
    return spans


def find(index: Index, text: str, share: float = 0.5, piece: int = 20, min_cluster: int = 3) -> list[Hit]:
    """The hits of benchmark items in `text`, in no particular order (spans of two items may overlap)."""
    us = units(text)
    hits = _match(index, us, share, piece, min_cluster)
    if not hits:
        return []
    spanned, first, last = unit_spans(text)
    if spanned != us:  # (normalising word by word found other units: judge those, whose offsets are known)
        hits = _match(index, spanned, share, piece, min_cluster)
    windows_of = index.windows
    return [
        Hit(
            index.benchmarks[index.item_bench[h.item]], index.item_ids[h.item], s, e, h.matched, int(windows_of[h.item])
        )
        for h in hits
        for s, e in _spans(text, h.runs, first, last)
    ]
