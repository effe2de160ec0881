"""Per-document columns that pass 1 writes and the later passes read back by ordinal.

A segment is a folder of flat files for the documents [start, start + count) in input order: the local engine
writes one (the index folder itself), the Ray engine one per input shard (`index/segments/NNNNNN/`), so that
every shard is keyed by its own task and nothing is copied together afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import orjson

from malgeum.dedup.shingles import (
    band_keys,
    exact_key,
    line_keys,
    normalise,
    shingle_hashes,
    signatures,
    url_key,
    word_shingle_hashes,
)
from malgeum.document import Document
from malgeum.readers import Bad, ShardReader

if TYPE_CHECKING:
    from malgeum.dedup import DedupSettings

# column name -> (file, dtype); signatures are rows of num_perm uint32
_FLAT = {"exact": ("exact.u64", np.uint64), "url": ("url.u64", np.uint64), "length": ("lengths.i64", np.int64)}


@dataclass
class BatchKeys:
    """What pass 1 learns of a batch of documents."""

    exact: np.ndarray  # uint64 per document
    url: np.ndarray  # uint64 per document, 0 without a URL
    sigs: np.ndarray | None  # documents x num_perm uint32, when near dedup is on
    bands: np.ndarray | None  # documents x bands uint64
    line_keys: np.ndarray  # uint64, each document's distinct long lines
    line_docs: np.ndarray  # int64, the batch position of each line key's document
    ids: list[bytes]
    lengths: np.ndarray
    values: bytes  # keep: meta:<field>, one JSON value per document


def records(reader: ShardReader) -> Iterator[tuple[int | None, Document | Bad]]:
    """A shard's records as both passes see them, so that they agree on which are documents (their ordinals):
    what the reader could not read is bad, and so is a document JSON cannot hold (an id or meta with a lone
    surrogate, from a file name that is not UTF-8), which clean quarantines too when it writes it. Texts are
    not looked at: every reader decodes them strictly or with replacement characters, never to surrogates."""
    rels = reader.shard.rels
    for line, item in reader:
        if not isinstance(item, Bad):
            try:
                orjson.dumps((item.id, item.meta))
            except orjson.JSONEncodeError as e:
                raw = {"id": item.id, "text": item.text, "meta": item.meta}
                item = Bad(rels[0] if len(rels) == 1 else item.id, line, f"unwritable as JSON: {e}", raw)
        yield line, item


def document_batches(reader: ShardReader, size: int) -> Iterator[list[Document]]:
    """A shard's documents, `size` at a time; bad records are left to pass 2, which quarantines them."""
    batch: list[Document] = []
    for _, item in records(reader):
        if not isinstance(item, Bad):
            batch.append(item)
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def batch_keys(batch: list[Document], settings: DedupSettings) -> BatchKeys:
    norms = [normalise(d.text) for d in batch]  # once: the exact key and the shingles both read it
    sigs = bands = None
    if settings.near:
        shingle = shingle_hashes if settings.unit == "char" else word_shingle_hashes
        sigs = signatures([shingle(t, settings.ngram) for t in norms], settings.num_perm, settings.seed)
        bands = band_keys(sigs, settings.bands)
    lk: list[int] = []
    lo: list[int] = []
    if settings.lines:
        for i, d in enumerate(batch):
            hashes = {h for _, _, h in line_keys(d.text, settings.line_min_chars)}
            lk.extend(hashes)
            lo.extend([i] * len(hashes))
    return BatchKeys(
        exact=np.array([exact_key(t) for t in norms], dtype=np.uint64),
        url=np.array([url_key(d.meta.get(settings.url_field)) if settings.url_field else 0 for d in batch], np.uint64),
        sigs=sigs,
        bands=bands,
        line_keys=np.array(lk, dtype=np.uint64),
        line_docs=np.array(lo, dtype=np.int64),
        ids=[d.id.encode("utf-8", "surrogatepass") for d in batch],
        lengths=np.array([len(d.text) for d in batch], dtype=np.int64),
        values=b"".join(orjson.dumps(d.meta.get(field)) + b"\n" for d in batch)
        if (field := settings.keep_field)
        else b"",
    )


class SegmentWriter:
    """Appends the columns of one segment; `append` continues an earlier run's segment."""

    def __init__(self, folder: Path, append: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        mode = "ab" if append else "wb"
        self.files: dict[str, BinaryIO] = {
            name: open(folder / file, mode)
            for name, file in (
                *((n, f) for n, (f, _) in _FLAT.items()),
                ("sig", "signatures.u32"),
                ("ids", "ids.bin"),
                ("ids_end", "ids_end.i64"),
                ("values", "values.jsonl"),
            )
        }
        self.id_bytes = (folder / "ids.bin").stat().st_size
        self.count = (folder / "lengths.i64").stat().st_size // 8

    def write(self, k: BatchKeys) -> None:
        if not k.ids:
            return
        k.exact.tofile(self.files["exact"])
        k.url.tofile(self.files["url"])
        k.lengths.tofile(self.files["length"])
        if k.sigs is not None:
            k.sigs.tofile(self.files["sig"])
        self.files["ids"].write(b"".join(k.ids))
        ends = self.id_bytes + np.cumsum([len(e) for e in k.ids], dtype=np.int64)
        ends.tofile(self.files["ids_end"])
        self.id_bytes = int(ends[-1])
        self.files["values"].write(k.values)
        self.count += len(k.ids)

    def close(self) -> None:
        for f in self.files.values():
            f.close()


class _Segment:
    def __init__(self, folder: Path, count: int, num_perm: int) -> None:
        self.folder, self.count, self.num_perm = folder, count, num_perm
        self._maps: dict[str, np.ndarray] = {}

    def column(self, name: str) -> np.ndarray:
        if name not in self._maps:
            if name == "sig":
                path, dtype, shape = self.folder / "signatures.u32", np.uint32, (self.count, self.num_perm)
            elif name == "ids_end":
                path, dtype, shape = self.folder / "ids_end.i64", np.int64, (self.count,)
            elif name == "ids":
                path, dtype = self.folder / "ids.bin", np.uint8
                shape = (path.stat().st_size,)
            else:
                file, dtype = _FLAT[name]
                path, shape = self.folder / file, (self.count,)
            empty = not shape[0] or not path.exists() or not path.stat().st_size
            self._maps[name] = np.zeros(shape, dtype) if empty else np.memmap(path, dtype, "r", shape=shape)
        return self._maps[name]


class Columns:
    """The columns of consecutive segments, read by ordinal (memory-mapped, opened when first read)."""

    def __init__(self, segments: list[tuple[Path, int]], num_perm: int) -> None:
        self.segments = [_Segment(f, c, num_perm) for f, c in segments]
        self.starts = np.concatenate(([0], np.cumsum([c for _, c in segments], dtype=np.int64)))
        self.n = int(self.starts[-1])

    def take(self, name: str, ordinals: np.ndarray) -> np.ndarray:
        """The column's values (rows, for "sig") at `ordinals`."""
        ordinals = np.asarray(ordinals, dtype=np.int64)
        seg = np.searchsorted(self.starts, ordinals, side="right") - 1
        first = self.segments[0].column(name) if self.segments else np.zeros(0, np.int64)
        out = np.empty((len(ordinals), *first.shape[1:]), dtype=first.dtype)
        for s in np.unique(seg).tolist():
            hit = seg == s
            out[hit] = self.segments[s].column(name)[ordinals[hit] - self.starts[s]]
        return out

    def at(self, name: str, i: int) -> Any:
        s = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.segments[s].column(name)[i - int(self.starts[s])]

    def id(self, i: int) -> str:
        s = int(np.searchsorted(self.starts, i, side="right")) - 1
        j = i - int(self.starts[s])
        ends = self.segments[s].column("ids_end")
        start = int(ends[j - 1]) if j else 0
        data = self.segments[s].column("ids")
        return data[start : int(ends[j])].tobytes().decode("utf-8", "surrogatepass")

    def values(self) -> Iterator[tuple[int, bytes]]:
        """(ordinal, JSON value) of keep: meta:<field>, in order."""
        for s, seg in enumerate(self.segments):
            with open(seg.folder / "values.jsonl", "rb") as f:
                for j, line in enumerate(f):
                    yield int(self.starts[s]) + j, line
