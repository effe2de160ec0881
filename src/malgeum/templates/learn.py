"""The template step's first pass: count line shapes per host and over the corpus, then decide which recur.

Pass 1 reads each shard once and writes, per distinct line shape of each document, one row of `ROW` for the
document's host and one for the corpus: 56 bytes a row, so at most 112 bytes per distinct line
of a document, on disk, and 16 bytes per document and scope for the page counts. A shard's rows are sorted by
key, so the reduce reads one key range (partition) of every shard at a time, memory-mapped: its memory is
bounded by the partition (256 MB by default), not by the corpus; only the page counts (32 bytes a document)
are held whole.

A key counts once per group of near-copies, not per page: a story re-crawled 600 times must not make its own
lines look like the site's template. A document's group is the key of its three longest shapes together, so
copies count once (and so do pages that differ only by their figures), while pages of one template, whose
longest lines are their own stories, count apart.

A template line also stands where the template puts it: most of its pages give it the same line before it, the
same line after it, or the same position near the top. A short comment (`ㅋㅋㅋ`) or a sign-off in a reply
repeats too, but beside different lines each time; the stability test leaves them alone.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from malgeum.document import Document
from malgeum.templates.shapes import CORPUS, host_of, host_seed, key, lines_with_shapes, scoped_array
from malgeum.writers import atomic_write_bytes

ROW = np.dtype(
    [
        ("key", "<u8"),  # the shape's key in its scope (host-seeded, or the corpus key)
        ("scope", "<u8"),  # the host's seed, or CORPUS
        ("shape", "<u8"),  # the corpus key of the shape, to name it whatever its scope
        ("group", "<u8"),  # the document's group of near-copies
        ("prev", "<u8"),  # the shape before it (START for the first line, NONE after a line the page repeats)
        ("next", "<u8"),  # the shape after it (END for the last, NONE before a line the page repeats)
        ("long", "u1"),  # shape of LONG characters or more: story-like, needs more pages
        ("length", "<u2"),  # the line's own length (up to MAX_LENGTH): the cutting pass skips longer lines
        ("head", "<u4"),  # the shape's first character: the cutting pass shapes only lines that start with one
        ("pos", "u1"),  # its line number when among the first MAX_POS lines, else NO_POS
    ]
)
EVERYWHERE_LENGTH = 6  # characters of a line that is a template by its count alone
START, END, NONE = 1, 2, 3  # the first line's previous, the last line's next, no anchor
MAX_POS, NO_POS = 8, 255
LONG = 100
MAX_LENGTH = 65535
DOC = np.dtype([("scope", "<u8"), ("group", "<u8")])
CHUNK_ROWS = 100_000  # rows held as Python lists before they become arrays
SAMPLE_CAP = 20_000  # example texts a shard keeps (of shapes seen on two of its documents)
SEEN_CAP = 200_000  # shapes a shard remembers to find those (template lines are short and come early)
SAMPLE_LENGTH = 300


@dataclass(frozen=True)
class Thresholds:
    """When a recurring shape is a template. A host's threshold scales with its pages (groups of near-copies):
    `share` of them, at least `min_count`, at most `max_count`; story-like long lines need half the pages (up
    to `max_count`). A line recurs at a stable place (`min_stability` of its pages) beside the same line, or
    else only at the same edge or line number of the page, which every page's first and last lines share: those
    need `edge_share` of the pages too (up to `max_count`). A host's line on at least `everywhere_share` of its
    pages is a template wherever it stands (an ad line the site drops between different paragraphs of every
    story), when it is at least `EVERYWHERE_LENGTH` characters long (not an interjection a forum repeats).
    Hosts with fewer than `min_pages` pages learn only the lines on every one of their pages, at a stable place,
    from `few_pages` pages up; below that, the rules alone decide."""

    min_pages: int = 5
    share: float = 0.05
    min_count: int = 5
    max_count: int = 20
    corpus_min_pages: int = 20
    corpus_min_count: int = 10
    corpus_max_count: int = 100
    min_stability: float = 0.5
    edge_share: float = 0.2
    everywhere_share: float = 0.5
    few_pages: int = 3

    def __post_init__(self) -> None:
        ints = ("min_pages", "min_count", "max_count", "corpus_min_pages", "corpus_min_count", "corpus_max_count")
        for name in (*ints, "few_pages"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {v!r}")
        for name in ("share", "min_stability", "edge_share", "everywhere_share"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or isinstance(v, bool) or not 0 <= v <= 1:
                raise ValueError(f"{name} must be a number from 0 to 1, got {v!r}")
        if self.min_count > self.max_count or self.corpus_min_count > self.corpus_max_count:
            raise ValueError("min_count must not exceed max_count")


class ShardCounter:
    """Pass 1 over one shard's documents: rows, groups, host names and example texts."""

    def __init__(self, url_field: str = "url") -> None:
        self.url_field = url_field
        self.cols: dict[str, list[int]] = {c: [] for c in ROW.names}
        self.chunks: list[np.ndarray] = []
        self.docs: list[tuple[int, int]] = []
        self.hosts: dict[int, str] = {}
        self.seen: set[int] = set()
        self.samples: dict[int, str] = {}
        self.n_docs = self.n_no_host = 0

    def add(self, doc: Document) -> None:
        self.n_docs += 1
        host = host_of(doc.meta.get(self.url_field))
        seed = host_seed(host)
        if host is None:
            self.n_no_host += 1
        else:
            self.hosts.setdefault(seed, host)
        lines = lines_with_shapes(doc.text)
        if len(lines) < 2:  # a one-line document (a comment, a title) has no template around it
            return
        shapes = [s for _, _, s in lines]
        keys = [key(s) for s in shapes]
        first: dict[int, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        # the three longest shapes together: a template line among them cannot join unrelated pages
        distinct = [shapes[i] for i in first.values()]
        group = key("\n".join(sorted(sorted(distinct, key=lambda t: (-len(t), t))[:3])))
        scopes = (CORPUS,) if seed == CORPUS else (seed, CORPUS)
        for scope in scopes:
            self.docs.append((scope, group))
        c = self.cols
        n = len(keys)
        idx = list(first.values())
        ks = list(first)
        m = len(ks)
        # a neighbour that the page repeats (a comment's date line) is a unit of the page, not a fixed place in
        # it: whatever follows it on page after page (a regular commenter's name) has no anchor there
        repeated = {k for k, count in Counter(keys).items() if count > 1} if m < n else set()
        prevs = [START if not i else NONE if keys[i - 1] in repeated else keys[i - 1] for i in idx]
        nexts = [END if i + 1 == n else NONE if keys[i + 1] in repeated else keys[i + 1] for i in idx]
        poss = [i if i < MAX_POS else NO_POS for i in idx]
        longs = [int(len(shapes[i]) >= LONG) for i in idx]
        lengths = [min(lines[i][1] - lines[i][0], MAX_LENGTH) for i in idx]
        heads = [ord(shapes[i][0]) for i in idx]
        for scope in scopes:  # whole columns at a time: a list append per value was half the pass's time
            c["key"].extend(ks)  # a host's keys are mixed with its seed when the columns become arrays
            c["scope"].extend([scope] * m)
            c["shape"].extend(ks)
            c["group"].extend([group] * m)
            c["prev"].extend(prevs)
            c["next"].extend(nexts)
            c["long"].extend(longs)
            c["length"].extend(lengths)
            c["head"].extend(heads)
            c["pos"].extend(poss)
        if len(c["key"]) >= CHUNK_ROWS:
            self._flush()
        seen, samples = self.seen, self.samples
        for k, i in first.items():
            if k in seen:
                if k not in samples and len(samples) < SAMPLE_CAP:
                    samples[k] = doc.text[lines[i][0] : lines[i][1]].strip()
            elif len(seen) < SEEN_CAP and lines[i][1] - lines[i][0] <= SAMPLE_LENGTH:
                seen.add(k)

    def _flush(self) -> None:
        """The columns so far as compact arrays (56 bytes a row instead of ~300 as Python lists)."""
        c = self.cols
        rows = np.empty(len(c["key"]), ROW)
        for col in ROW.names:
            rows[col] = np.asarray(c[col], dtype=ROW[col])
        host = rows["scope"] != CORPUS
        rows["key"][host] = scoped_array(rows["key"][host], rows["scope"][host])
        self.chunks.append(rows)
        for v in c.values():
            v.clear()

    def files(self) -> dict[str, bytes]:
        """The shard's counts as the bytes of its files (rows sorted by key; the JSON summary)."""
        self._flush()
        rows = np.concatenate(self.chunks)
        self.chunks = []
        order = np.argsort(rows["key"], kind="stable")
        docs = np.array(self.docs, dtype=DOC) if self.docs else np.empty(0, DOC)
        summary = {
            "documents": self.n_docs,
            "documents_without_host": self.n_no_host,
            "rows": len(rows),
            "hosts": {str(k): v for k, v in self.hosts.items()},
            "samples": {str(k): v for k, v in self.samples.items()},
        }
        return {
            "rows.npy": _npy(rows[order]),
            "docs.npy": _npy(docs),
            "json": orjson.dumps(summary),
        }


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def shard_done(folder: Path, name: str) -> bool:
    return (folder / f"{name}.json").exists()


def _runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Start index of every run of equal values in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def _best_anchor(keys: np.ndarray, anchors: np.ndarray, uniq: np.ndarray) -> np.ndarray:
    """For each key of `uniq`, the number of its rows that share its most common anchor value."""
    best = np.zeros(len(uniq), np.int64)
    if not len(keys):
        return best
    o = np.lexsort((anchors, keys))
    k, a = keys[o], anchors[o]
    starts = np.flatnonzero(np.r_[True, (k[1:] != k[:-1]) | (a[1:] != a[:-1])])
    lengths = np.diff(np.r_[starts, len(k)])
    run_keys = k[starts]
    firsts = _runs(run_keys)
    per_key = np.maximum.reduceat(lengths, firsts)
    best[np.searchsorted(uniq, run_keys[firsts])] = per_key
    return best


def reduce(folder: Path, names: list[str], th: Thresholds, out: Path, memory_bytes: int = 256 << 20) -> dict[str, Any]:
    """Decide the templates from the shards' counts; writes `out/templates.npy`, `templates.jsonl` and
    `summary.json` (atomically, the summary last) and returns the summary."""
    summaries = [orjson.loads((folder / f"{n}.json").read_bytes()) for n in names]
    hosts: dict[int, str] = {}
    samples: dict[int, str] = {}
    for s in summaries:
        hosts.update((int(k), v) for k, v in s["hosts"].items())
        for k, v in s["samples"].items():
            samples.setdefault(int(k), v)
    # pages (groups of near-copies) per scope
    docs = np.concatenate([np.load(folder / f"{n}.docs.npy") for n in names] or [np.empty(0, DOC)])
    if len(docs):
        docs = np.unique(docs)
    scopes, pages = np.unique(docs["scope"], return_counts=True) if len(docs) else (np.zeros(0, np.uint64), [])
    pages = np.asarray(pages, np.int64)
    total_rows = sum(s["rows"] for s in summaries)
    parts = 1 << max(0, math.ceil(math.log2(max(1, total_rows * ROW.itemsize / memory_bytes))))
    rows_mm = [np.load(folder / f"{n}.rows.npy", mmap_mode="r") for n in names]
    found: list[np.ndarray] = []
    for p in range(parts):
        lo = np.uint64(p * (2**64 // parts))
        hi = None if p == parts - 1 else np.uint64((p + 1) * (2**64 // parts))
        chunks = []
        for r in rows_mm:
            a = int(np.searchsorted(r["key"], lo))
            b = len(r) if hi is None else int(np.searchsorted(r["key"], hi))
            chunks.append(np.array(r[a:b]))
        found.append(_decide(np.concatenate(chunks) if chunks else np.empty(0, ROW), scopes, pages, th))
    table = np.concatenate(found) if found else np.empty(0, TABLE)
    table.sort(order="key")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "templates.npy", _npy(table))
    listing = sorted(table, key=lambda t: (int(t["scope"]) == CORPUS, -int(t["count"]), int(t["shape"])))
    atomic_write_bytes(
        out / "templates.jsonl",
        b"".join(
            orjson.dumps(
                {
                    "id": f"{int(t['shape']):016x}",
                    "scope": "corpus" if int(t["scope"]) == CORPUS else "host",
                    "host": hosts.get(int(t["scope"])),
                    "count": int(t["count"]),
                    "pages": int(t["pages"]),
                    "stability": round(float(t["stability"]), 3),
                    "example": samples.get(int(t["shape"])),
                }
            )
            + b"\n"
            for t in listing
        ),
    )
    page_of = dict(zip(scopes.tolist(), pages.tolist(), strict=True))
    host_pages = {h: page_of.get(seed, 0) for seed, h in hosts.items()}
    learned = sorted(h for h, n in host_pages.items() if n >= th.min_pages)
    summary = {
        "documents": sum(s["documents"] for s in summaries),
        "documents_without_host": sum(s["documents_without_host"] for s in summaries),
        "corpus_pages": page_of.get(CORPUS, 0),
        "corpus_learned": page_of.get(CORPUS, 0) >= th.corpus_min_pages,
        "hosts": len(hosts),
        "hosts_learned": len(learned),
        "hosts_too_few_pages": len(hosts) - len(learned),
        "pages_on_hosts_too_few_pages": sum(n for h, n in host_pages.items() if n < th.min_pages),
        "templates_host": int(np.sum(table["scope"] != CORPUS)),
        "templates_corpus": int(np.sum(table["scope"] == CORPUS)),
        "rows": total_rows,
        "row_bytes": ROW.itemsize,
        "partitions": parts,
    }
    atomic_write_bytes(out / "summary.json", orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    return summary


TABLE = np.dtype(
    [
        ("key", "<u8"),
        ("scope", "<u8"),
        ("shape", "<u8"),
        ("count", "<i8"),
        ("pages", "<i8"),
        ("stability", "<f4"),
        ("length", "<u2"),  # the longest line of this shape seen
        ("head", "<u4"),  # its first character
    ]
)


def _decide(rows: np.ndarray, scopes: np.ndarray, pages: np.ndarray, th: Thresholds) -> np.ndarray:
    if not len(rows):
        return np.empty(0, TABLE)
    o = np.lexsort((rows["group"], rows["key"]))
    rows = rows[o]
    new = np.r_[True, (rows["key"][1:] != rows["key"][:-1]) | (rows["group"][1:] != rows["group"][:-1])]
    rows = rows[new]  # one row per key and group of near-copies
    firsts = _runs(rows["key"])
    counts = np.diff(np.r_[firsts, len(rows)])
    head = rows[firsts]
    g = pages[np.searchsorted(scopes, head["scope"])]
    corpus = head["scope"] == CORPUS
    lo = np.where(corpus, th.corpus_min_count, th.min_count)
    hi = np.where(corpus, th.corpus_max_count, th.max_count)
    need = np.clip(np.ceil(th.share * g), lo, hi)
    need = np.where(head["long"] == 1, np.maximum(need, np.minimum(hi, np.ceil(0.5 * g))), need)
    # a host of a few pages: a line on every one of them
    few = ~corpus & (g >= th.few_pages) & (g < th.min_pages)
    need = np.where(few, g, need)
    enough = (counts >= need) & ((g >= np.where(corpus, th.corpus_min_pages, th.min_pages)) | few)
    if not enough.any():
        return np.empty(0, TABLE)
    # anchors only for keys that recur enough
    keep_rows = np.repeat(enough, counts)
    r = rows[keep_rows]
    uniq, c, g, need, hi = head["key"][enough], counts[enough], g[enough], need[enough], hi[enough]
    k = r["key"]
    # beside the same line: the template's own neighbours
    inner_prev, inner_next = ~np.isin(r["prev"], (START, NONE)), ~np.isin(r["next"], (END, NONE))
    inner = np.maximum(
        _best_anchor(k[inner_prev], r["prev"][inner_prev], uniq),
        _best_anchor(k[inner_next], r["next"][inner_next], uniq),
    )
    # at the same edge or line number: every page's first and last lines share these, so they need more pages
    has_pos = r["pos"] != NO_POS
    first_line, last_line = r["prev"] == START, r["next"] == END
    at_edge = first_line | last_line
    edge_kind = first_line.astype(np.uint64) + 2 * last_line.astype(np.uint64)
    edge = np.maximum(
        _best_anchor(k[at_edge], edge_kind[at_edge], uniq),
        _best_anchor(k[has_pos], r["pos"][has_pos].astype(np.uint64), uniq),
    )
    edge_need = np.maximum(need, np.minimum(hi, np.ceil(th.edge_share * g)))
    stable_inner = inner >= th.min_stability * c
    stable_edge = (edge >= th.min_stability * c) & (c >= edge_need)
    longest = np.maximum.reduceat(r["length"], _runs(k))
    everywhere = head["scope"][enough] != CORPUS
    everywhere &= (c >= th.everywhere_share * g) & (longest >= EVERYWHERE_LENGTH)
    ok = stable_inner | stable_edge | everywhere
    stability = np.maximum(inner, np.where(c >= edge_need, edge, 0)) / c
    table = np.empty(int(ok.sum()), TABLE)
    h = head[enough][ok]
    table["key"], table["scope"], table["shape"] = h["key"], h["scope"], h["shape"]
    table["count"], table["pages"], table["stability"] = c[ok], g[ok], stability[ok]
    table["length"] = longest[ok]
    table["head"] = h["head"]
    return table
