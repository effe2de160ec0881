"""The decontamination index: every window of every benchmark item, built once, memory-mapped by each worker.

INDEX/keys.npy       uint64, sorted, distinct: the window hashes
INDEX/offsets.npy    int64, len(keys) + 1: the items of keys[k] are postings[offsets[k]:offsets[k + 1]]
INDEX/postings.npy   int32: item numbers
INDEX/windows.npy    int32: how many indexed windows each item has (what a hit's share is a share of)
INDEX/items.json     the benchmarks, each item's (benchmark, id), and what was skipped and why
INDEX/meta.json      window lengths, thresholds, counts, and `digest`: a hash of all of the above

A segment whose units are mostly Hangul, Han or kana gets windows of `char_window` characters, any other one
windows of `word_window` words. A window found in more than `max_items` items (a template's "Which of the
following") tells no item apart: it is left out. An item left with fewer than `min_windows` windows is too
short to match safely (a one-word answer) and is skipped; both are counted in meta.json.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import xxhash

from malgeum.decont import benchmarks
from malgeum.decont.units import is_cjk, unit_hashes, units, windows
from malgeum.writers import atomic_write_bytes

FORMAT = 1
FILES = ("keys.npy", "offsets.npy", "postings.npy", "windows.npy", "items.json")
CHAR_SEED, WORD_SEED = 0x43, 0x57  # tell the two kinds of window apart


@dataclass(frozen=True)
class IndexSettings:
    char_window: int = 8  # Hangul/Han/kana characters per window (spaces removed)
    word_window: int = 5  # words per window elsewhere
    min_windows: int = 6  # fewer: the item is too short to match safely
    max_items: int = 100  # a window in more items than this is a template's, not an item's


def item_windows(segments: Sequence[str], s: IndexSettings) -> np.ndarray:
    """The distinct windows of one item, each segment by its own kind (no window spans two fields)."""
    found = []
    for seg in segments:
        us = units(seg)
        if not us:
            continue
        cjk = sum(map(is_cjk, us)) * 2 >= len(us)
        n, seed = (s.char_window, CHAR_SEED) if cjk else (s.word_window, WORD_SEED)
        found.append(windows(unit_hashes(us), n, seed))
    return np.unique(np.concatenate(found)) if found else np.zeros(0, np.uint64)


def build(
    specs: Sequence[str],
    out: str | Path,
    fields: Sequence[str] = benchmarks.DEFAULT_FIELDS,
    settings: IndexSettings = IndexSettings(),
) -> dict[str, Any]:
    """Index the benchmark files `specs` (`FILE` or `NAME=FILE`) into the folder `out` (replaced whole, and only
    once the new index is complete); returns its meta.json."""
    if not specs:
        raise benchmarks.BenchmarkError("no benchmark file given")
    names: list[str] = []
    per_bench: dict[str, dict[str, Any]] = {}
    ids: list[tuple[int, str]] = []
    keys_of: list[np.ndarray] = []
    short: list[tuple[int, str]] = []
    for spec in specs:
        name, path = benchmarks.parse_spec(spec)
        if name in per_bench:
            raise benchmarks.BenchmarkError(f"two benchmarks are named {name!r}: name one NAME=FILE")
        b = len(names)
        names.append(name)
        info = per_bench[name] = {"file": str(path), "items": 0, "too_short": 0, "too_common": 0, "indexed": 0}
        for item in benchmarks.read(spec, fields):
            info["items"] += 1
            w = item_windows(item.segments, settings)
            if len(w) < settings.min_windows:
                info["too_short"] += 1
                short.append((b, item.id))
                continue
            ids.append((b, item.id))
            keys_of.append(w)
    keys, offsets, postings, counts = _invert(keys_of, settings.max_items)
    kept = counts >= settings.min_windows  # items a dropped common window left too short
    if not kept.all():
        keep_n = np.flatnonzero(kept)
        renumber = np.full(len(ids), -1, np.int64)
        renumber[keep_n] = np.arange(len(keep_n))
        for i in np.flatnonzero(~kept).tolist():
            per_bench[names[ids[i][0]]]["too_common"] += 1
        keys_of = [keys_of[i] for i in keep_n.tolist()]
        ids = [ids[i] for i in keep_n.tolist()]
        keys, offsets, postings, counts = _invert(keys_of, settings.max_items)
    for b, _ in ids:
        per_bench[names[b]]["indexed"] += 1
    items = {"benchmarks": names, "items": [[b, i] for b, i in ids], "too_short": [[b, i] for b, i in short]}
    return _write(Path(out), keys, offsets, postings, counts, items, per_bench, settings, fields)


def _invert(keys_of: list[np.ndarray], max_items: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(distinct keys, offsets, item postings, indexed windows per item) without the keys of too many items."""
    if not keys_of:
        return np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32)
    all_keys = np.concatenate(keys_of)
    all_items = np.repeat(np.arange(len(keys_of), dtype=np.int32), [len(k) for k in keys_of])
    order = np.lexsort((all_items, all_keys))
    all_keys, all_items = all_keys[order], all_items[order]
    keys, df = np.unique(all_keys, return_counts=True)
    common = np.repeat(df > max_items, df)
    all_keys, all_items = all_keys[~common], all_items[~common]
    keys, df = keys[df <= max_items], df[df <= max_items]
    offsets = np.zeros(len(keys) + 1, np.int64)
    np.cumsum(df, out=offsets[1:])
    counts = np.bincount(all_items, minlength=len(keys_of)).astype(np.int32)
    return keys, offsets, all_items, counts


def _write(
    out: Path,
    keys: np.ndarray,
    offsets: np.ndarray,
    postings: np.ndarray,
    counts: np.ndarray,
    items: dict[str, Any],
    per_bench: dict[str, dict[str, Any]],
    settings: IndexSettings,
    fields: Sequence[str],
) -> dict[str, Any]:
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, arr in (("keys", keys), ("offsets", offsets), ("postings", postings), ("windows", counts)):
        np.save(tmp / f"{name}.npy", arr)
    (tmp / "items.json").write_bytes(orjson.dumps(items))
    meta = {
        "format": FORMAT,
        "settings": asdict(settings),
        "fields": list(fields),
        "benchmarks": per_bench,
        "windows": len(keys),
        "digest": digest(tmp),
    }
    atomic_write_bytes(tmp / "meta.json", orjson.dumps(meta, option=orjson.OPT_INDENT_2))
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return meta


def digest(folder: Path) -> str:
    """A hash of the index's files, so that a run knows the index it was given is the one it started with."""
    h = xxhash.xxh3_128()
    for name in FILES:
        with open(folder / name, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


class Index:
    """A built index, memory-mapped (workers of one machine share its pages)."""

    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder)
        meta_file = folder / "meta.json"
        if not meta_file.is_file():
            raise ValueError(f"{folder}: not a decontamination index (no meta.json; build one with decont-index)")
        self.meta = orjson.loads(meta_file.read_bytes())
        if self.meta.get("format") != FORMAT:
            raise ValueError(f"{folder}: an index of format {self.meta.get('format')}, this malgeum reads {FORMAT}")
        self.folder = folder
        self.settings = IndexSettings(**self.meta["settings"])
        self.keys = np.load(folder / "keys.npy", mmap_mode="r")
        self.offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self.postings = np.load(folder / "postings.npy", mmap_mode="r")
        self.windows = np.load(folder / "windows.npy", mmap_mode="r")
        items = orjson.loads((folder / "items.json").read_bytes())
        self.benchmarks: list[str] = items["benchmarks"]
        self.item_bench = np.array([b for b, _ in items["items"]], dtype=np.int32)
        self.item_ids: list[str] = [i for _, i in items["items"]]
        self.shift, self.bits = _prefilter(self.keys)

    def maybe(self, hashes: np.ndarray) -> np.ndarray:
        """Where `hashes` may be keys: a bit per range of the hash space, which turns down most windows of a
        document with one memory access instead of a binary search of the keys."""
        top = (hashes >> self.shift).astype(np.int64)
        return ((self.bits[top >> 3] >> (top & 7).astype(np.uint8)) & 1).astype(bool)

    @property
    def digest(self) -> str:
        return str(self.meta["digest"])


def _prefilter(keys: np.ndarray) -> tuple[np.uint64, np.ndarray]:
    """(shift, bitmap): bit `h >> shift` is set when a key has those top bits; about 16 bits per key, so that
    about one window in 16 that is no key passes."""
    bits = int(min(30, max(16, np.ceil(np.log2(max(len(keys), 1) * 16)))))
    shift = np.uint64(64 - bits)
    packed = np.zeros(1 << (bits - 3), dtype=np.uint8)
    for i in range(0, len(keys), 1 << 22):  # (a memory-mapped array, a slice at a time)
        top = np.asarray(keys[i : i + (1 << 22)]) >> shift
        np.bitwise_or.at(packed, (top >> np.uint64(3)).astype(np.int64), (1 << (top & np.uint64(7))).astype(np.uint8))
    return shift, packed


def summary(meta: dict[str, Any]) -> Iterable[str]:
    """One line per benchmark: items read, indexed, skipped."""
    for name, b in meta["benchmarks"].items():
        yield (
            f"{name}: {b['items']:,} items, {b['indexed']:,} indexed, {b['too_short']:,} too short to match safely"
            + (f", {b['too_common']:,} of only common windows" if b["too_common"] else "")
        )
