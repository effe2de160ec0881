"""Read input files as shards of records; whatever cannot be read becomes a quarantine entry, never an error.

A shard is a deterministic piece of the input (a byte range of a JSONL file, of its decompressed stream when it
is compressed, some row groups of a Parquet file, a whole WARC file, or a batch of text or HTML files), so a run
can be resumed shard by shard and gives the same output whatever the number of workers.

Web pages (WARC responses, .html files, or an HTML field of JSONL/Parquet records) are decoded and their main
content extracted here, so every step downstream sees text.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import lzma
import os
import stat
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import zstandard

from malgeum import html, pagemeta, records, storage
from malgeum.document import Document

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
COMPRESSIONS = (".gz", ".gzip", ".zst", ".bz2", ".xz")  # of a name in lower case: data.jsonl.GZ is gzip too
CHUNK_BYTES = 4 * 1024 * 1024  # the largest byte range of a plain JSONL file that is one shard
# A file of fewer than FILE_PIECES such ranges is cut into FILE_PIECES (of MIN_CHUNK_BYTES at least): workers
# take shards in turn, and a run's last shard runs alone (9 shards of 4 MB on 2 workers: one cleans the ninth while
# the other waits, a tenth of the run). From the file's size alone, so the output does not depend on --workers.
MIN_CHUNK_BYTES = 1024 * 1024
FILE_PIECES = 32
TEXT_FILES_PER_SHARD = 1000
EXPECTED = ".jsonl, .parquet, .txt, .html or .warc, .gz, .zst, .bz2 or .xz compressed"
# the piece a line too long to hold is read through by, keeping none (a readline of n bytes briefly holds about
# 3n, so pieces are small), and the piece lines are skipped by to reach a shard's range
SKIP_BYTES = 64 << 10
HEAD_BYTES = 1000  # of a record too large to read: what its quarantine entry keeps
BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, which some Windows tools write at the start of a file
# what a broken compressed stream raises, by compression (gzip's BadGzipFile and bz2's are OSErrors)
STREAM_ERRORS = (EOFError, OSError, zlib.error, zstandard.ZstdError, lzma.LZMAError)


@dataclass(frozen=True)
class Fields:
    """Where records keep their parts, and how pages become text."""

    text: str = "text"
    id: str = "id"
    html: str | None = None  # records whose page is in this field: their text is extracted from it
    extractor: str = "malgeum"  # or "resiliparse" (the fastest), "trafilatura" (the slowest)
    # a record (JSONL line, Parquet cell, .txt or .html file, WARC record) over this many bytes is quarantined
    # unread: a record costs about five times its size in memory as it goes through the steps, so 128 MiB keeps a
    # worker under about 1 GB, and no real web document comes near it (a 100 MB one is still read)
    max_record_bytes: int = 128 * 1024 * 1024


@dataclass
class Shard:
    index: int
    kind: str  # jsonl | parquet | text | html | warc
    files: list[str]
    rels: list[str]  # paths relative to the input argument, used in ids and quarantine entries
    start: int = 0  # jsonl: byte offset; parquet: first row group
    stop: int = -1  # jsonl: byte offset (exclusive); parquet: row group (exclusive); -1 = to the end
    size: int = 0  # bytes on disk this shard covers (progress)
    first_line: int = 0  # jsonl chunks: complete lines before the chunk's first line
    fed: Fed | None = field(default=None, repr=False, compare=False)  # a compressed part's lines (malgeum.feed)

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "files": self.rels, "start": self.start, "stop": self.stop}


@dataclass
class Fed:
    """The lines of a part of a compressed file, decompressed by the run's driver (`malgeum.feed`)."""

    data: bytes
    start: int  # offset of data's first byte in the decompressed stream
    first_line: int  # lines before it
    error: str | None = None  # how the stream broke after data, where it broke in this part


@dataclass
class Bad:
    """An input record that could not be turned into a document."""

    source: str
    line: int | None  # 1-based line (JSONL) or 0-based row (Parquet); None for whole files
    error: str
    raw: Any = None  # the input as read: bytes, str, or a decoded row
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The quarantine entry, which JSON always holds: bytes that are not UTF-8 as base64 (`raw_b64`), and
        what JSON cannot hold (a decoded row nested too deeply) as its Python text, deep levels cut to "..."."""
        rec: dict[str, Any] = {"source": self.source, "line": self.line, "error": self.error}
        if isinstance(self.raw, bytes):
            try:
                rec["raw"] = self.raw.decode("utf-8")
            except UnicodeDecodeError:
                rec["raw_b64"] = base64.b64encode(self.raw).decode("ascii")
        elif isinstance(self.raw, str):
            rec["raw"] = self.raw
        elif self.raw is not None:
            try:
                rec["raw"] = orjson.loads(orjson.dumps(self.raw, default=str))
            except orjson.JSONEncodeError:
                rec["raw"] = records.bounded_repr(self.raw)
        rec.update(self.extra)
        try:
            orjson.dumps(rec)
        except orjson.JSONEncodeError:  # (the rare entry: a quarantine holds few) too deep, or lone surrogates
            rec = {k: v if records.writable(v) else records.bounded_repr(v) for k, v in rec.items()}
        return rec


def compression_of(path: str) -> str | None:
    """The compression a file's name says (a suffix of COMPRESSIONS in any case), or None."""
    name = path.lower()
    return next((c for c in COMPRESSIONS if name.endswith(c)), None)


def _kind(name: str) -> str | None:
    name = name.lower()  # a URL's last part is its name too
    if c := compression_of(name):
        name = name[: -len(c)]
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".txt"):
        return "text"
    if name.endswith((".html", ".htm")):
        return "html"
    if name.endswith(".warc"):
        return "warc"
    return None


HIDDEN = "hidden (its name starts with a dot)"
UNKNOWN = f"unknown type (expected {EXPECTED})"
Found = tuple[str, tuple[str, ...], str, int]  # path or URL, its parts below the input argument, kind, size


def discover(inputs: list[str]) -> list[tuple[str, str, str, int]]:
    """(path or URL, name, kind, size) of every readable input file: input arguments in order, each sorted.

    The name is what ids (`name:line`) and quarantine entries call the file; see `_names`. Inside a folder,
    symbolic links are followed, each real file is read once, and files that are not read are listed by `skipped`.
    """
    return _survey(inputs)[0]


def skipped(inputs: list[str]) -> list[tuple[str, str]]:
    """(path, why) of what is inside the input folders and not read: hidden files and folders (listed once, not
    their contents), files of an unknown type, broken links, second names of a file or folder already read, files
    that are not regular files, folders that cannot be listed. Lists the inputs again, as `discover` does."""
    return _survey(inputs)[1]


def _survey(inputs: list[str]) -> tuple[list[tuple[str, str, str, int]], list[tuple[str, str]]]:
    per_input: list[tuple[list[str], list[Found]]] = []  # (the argument's folder, as parts; its files)
    skip: list[tuple[str, str]] = []
    for arg in inputs:
        if storage.is_url(arg):
            listed = storage.list_files(arg)
            single = len(listed) == 1 and listed[0][0].rstrip("/") == arg.rstrip("/")
            files: list[Found] = []
            for url, rel, size in listed:
                parts = tuple(rel.split("/"))
                kind = _kind(parts[-1])
                if single and kind is None:
                    raise ValueError(f"{arg}: unknown input type (expected {EXPECTED})")
                dot = next((i for i, part in enumerate(parts) if part.startswith(".")), None)
                if dot is not None and not single:
                    hidden = "/".join([arg.rstrip("/"), *parts[: dot + 1]])
                    if not skip or skip[-1][0] != hidden:  # a hidden folder once (its files come together, sorted)
                        skip.append((hidden, HIDDEN))
                elif kind is None:
                    skip.append((url, UNKNOWN))
                else:
                    files.append((url, parts, kind, size))
            base = arg.rstrip("/")
            per_input.append(((base.rsplit("/", 1)[0] if single else base).split("/"), files))
            continue
        p = Path(arg)
        if p.is_dir():
            per_input.append((os.path.abspath(p).split(os.sep), _walk(p, skip)))
        elif p.is_file():
            kind = _kind(p.name)
            if kind is None:
                raise ValueError(f"{arg}: unknown input type (expected {EXPECTED})")
            per_input.append((os.path.abspath(p.parent).split(os.sep), [(str(p), (p.name,), kind, p.stat().st_size)]))
        else:
            raise FileNotFoundError(f"{arg}: no such file or directory")
    names = _names([(base, [parts for _, parts, _, _ in files]) for base, files in per_input])
    found = [
        (path, name, kind, size)
        for (_, files), named in zip(per_input, names, strict=True)
        for (path, _, kind, size), name in zip(files, named, strict=True)
    ]
    return found, skip


def _text(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (Linux allows them) as `\\xff` escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _walk(folder: Path, skip: list[tuple[str, str]]) -> list[Found]:
    """The files under `folder`, sorted, through symbolic links too. Each real file is read once and each folder
    entered once (a link back to an ancestor is no loop): links are followed after the real tree is listed, so a
    file reached both ways keeps its real name."""
    found: list[Found] = []
    seen: set[tuple[int, int]] = set()  # (device, inode) of the folders entered and the files found
    links: list[tuple[Path, tuple[str, ...]]] = []

    def new(st: os.stat_result) -> bool:
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return False
        seen.add(key)
        return True

    def add(path: Path, parts: tuple[str, ...], st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            skip.append((_text(str(path)), "not a regular file"))
        elif not new(st):
            skip.append((_text(str(path)), "another name of a file already read"))
        elif kind := _kind(path.name):
            found.append((str(path), parts, kind, st.st_size))
        else:
            skip.append((_text(str(path)), UNKNOWN))

    def enter(top: Path, top_parts: tuple[str, ...]) -> None:
        stack = [(top, top_parts)]
        while stack:
            at, parts = stack.pop()
            try:
                with os.scandir(at) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as e:
                skip.append((_text(str(at)), f"unreadable folder: {type(e).__name__}: {e.strerror}"))
                continue
            for e in entries:
                path, sub = Path(e.path), (*parts, e.name)
                try:
                    if e.name.startswith("."):
                        skip.append((_text(e.path), HIDDEN))
                    elif e.is_symlink():
                        links.append((path, sub))
                    elif e.is_dir(follow_symlinks=False):
                        if new(e.stat(follow_symlinks=False)):
                            stack.append((path, sub))
                        else:  # a bind mount of a folder already entered
                            skip.append((_text(e.path), "another name of a folder already read"))
                    else:
                        add(path, sub, e.stat(follow_symlinks=False))
                except OSError as err:
                    skip.append((_text(e.path), f"unreadable: {type(err).__name__}: {err.strerror}"))

    new(folder.stat())
    enter(folder, ())
    for path, parts in links:  # (grows as linked folders are entered)
        try:
            st = path.stat()
        except OSError as e:
            skip.append((_text(str(path)), f"broken symbolic link: {e.strerror}"))
            continue
        if not stat.S_ISDIR(st.st_mode):
            add(path, parts, st)
        elif new(st):
            enter(path, parts)
        else:
            skip.append((_text(str(path)), "link to a folder already read"))
    return sorted(found, key=lambda f: f[1])


def _names(inputs: list[tuple[list[str], list[tuple[str, ...]]]]) -> list[list[str]]:
    """The name of each input file in ids (`name:line`) and quarantine entries, unique across the input arguments.

    `inputs`: per input argument, its folder (a file argument: the file's folder) and its files' paths below it,
    as lists of parts. A file is named by its path relative to its input argument (a file argument: its own name),
    as a run of that argument alone names it. Files whose names would be the same (`a/data.jsonl` and
    `b/data.jsonl` of `malgeum clean a/ b/`) are named instead by their path relative to the folder that holds
    every input argument (`a/data.jsonl`, `b/data.jsonl`); what is still the same then is one file given twice
    (a folder and a folder inside it, say), named `data.jsonl#2` the second time: no input file has such a name,
    as its type comes last. Bytes of a name that are not UTF-8 are written as `\\xff` escapes.
    """
    bases = [base for base, _ in inputs]
    common = 0  # parts of the folder that holds every input argument
    while bases and all(len(b) > common and b[common] == bases[0][common] for b in bases):
        common += 1
    full = [[_text("/".join([*base[common:], *parts])) for parts in files] for base, files in inputs]
    names = [[_text("/".join(parts)) for parts in files] for _, files in inputs]
    while True:  # each round names some files in full, and a full name is unique to its path: this ends
        counts = Counter(n for named in names for n in named)
        clash = [
            (i, j) for i, named in enumerate(names) for j, n in enumerate(named) if counts[n] > 1 and n != full[i][j]
        ]
        if not clash:
            break
        for i, j in clash:
            names[i][j] = full[i][j]
    times: Counter[str] = Counter()
    for named in names:
        for j, n in enumerate(named):
            times[n] += 1
            if times[n] > 1:
                named[j] = f"{n}#{times[n]}"
    return names


def plan(inputs: list[str], chunk_bytes: int = CHUNK_BYTES, fed: bool = True) -> list[Shard]:
    """The shards of `inputs`, in their order. `fed`: the run hands compressed parts their lines (`malgeum.feed`),
    so a compressed file is cut as finely as a plain one; else into MAX_UNFED_PARTS at most."""
    shards: list[Shard] = []
    pages: dict[str, list[tuple[str, str, int]]] = {"text": [], "html": []}  # small files, many to a shard

    def add(kind: str, files: list[str], rels: list[str], start: int = 0, stop: int = -1, size: int = 0) -> None:
        shards.append(Shard(len(shards), kind, files, rels, start, stop, size))

    def flush_texts() -> None:
        for kind, files in pages.items():
            for i in range(0, len(files), TEXT_FILES_PER_SHARD):
                batch = files[i : i + TEXT_FILES_PER_SHARD]
                add(kind, [p for p, _, _ in batch], [r for _, r, _ in batch], size=sum(n for _, _, n in batch))
            files.clear()

    for path, rel, kind, size in discover(inputs):
        if kind in pages:
            if any(pages[k] for k in pages if k != kind):
                flush_texts()  # shards follow the input order
            pages[kind].append((path, rel, size))
            continue
        flush_texts()
        if kind == "jsonl" and not compression_of(path) and size > _chunk_of(size, chunk_bytes):
            for start, stop, first_line in _chunks(path, size, _chunk_of(size, chunk_bytes)):
                add("jsonl", [path], [rel], start, stop, stop - start)
                shards[-1].first_line = first_line
        elif kind == "jsonl" and compression_of(path):
            # shards of the decompressed stream, so that one compressed file feeds every worker: the driver
            # decompresses it once and hands each part its lines (malgeum.feed), or, unfed, each part decompresses
            # from the start; their number and ranges come from the file alone
            whole = _decompressed_size(path, size, chunk_bytes)
            k = _compressed_parts(whole, chunk_bytes, fed)
            part = -(-whole // k)
            for i in range(k):
                add("jsonl", [path], [rel], i * part, -1 if i == k - 1 else (i + 1) * part, size // k)
        elif kind == "parquet":
            import pyarrow.parquet as pq  # (Parquet alone needs Arrow: a JSONL run never imports it)

            try:
                meta = pq.ParquetFile(storage.parquet_source(path)).metadata
            except Exception:
                add("parquet", [path], [rel], 0, -1, size)  # unreadable: the shard quarantines it
                continue
            group, acc = 0, 0
            for rg in range(meta.num_row_groups):
                acc += meta.row_group(rg).total_byte_size
                if acc >= chunk_bytes or rg == meta.num_row_groups - 1:
                    add("parquet", [path], [rel], group, rg + 1, acc)
                    group, acc = rg + 1, 0
            if meta.num_row_groups == 0:
                add("parquet", [path], [rel], 0, 0, size)
        else:
            add(kind, [path], [rel], 0, -1, size)
    flush_texts()
    return shards


def _chunk_of(size: int, chunk_bytes: int) -> int:
    """The byte range a shard of a plain file of `size` bytes reads (`chunk_bytes` at most)."""
    return min(chunk_bytes, max(MIN_CHUNK_BYTES, -(-size // FILE_PIECES)))


COMPRESSION_GUESS = 3  # decompressed bytes per compressed byte assumed when a compressed file is split
MAX_RATIO = 20  # decompressed bytes per compressed byte that JSONL text exceeds only when it repeats itself
# a size a file's format gives is believed up to this ratio: a cut gzip file's last four bytes are not its size,
# and would plan a few kilobytes as gigabytes (thousands of empty parts)
MAX_SAID_RATIO = 200
MAX_UNFED_PARTS = 8  # unfed, each part decompresses what comes before it: more would cost more than it gains


def _compressed_parts(whole: int, chunk_bytes: int, fed: bool) -> int:
    """Parts of a compressed file holding `whole` bytes: as many as a plain file of that size has."""
    k = max(1, -(-whole // _chunk_of(whole, chunk_bytes)))
    return k if fed else min(MAX_UNFED_PARTS, k)


def _decompressed_size(path: str, size: int, chunk_bytes: int) -> int:
    """How many bytes a compressed file holds, from its format where it says so (a gzip file's last four bytes,
    a zstd frame's header), else COMPRESSION_GUESS times its size: parts of equal length feed the workers to the
    end, where a last part holding the rest of an underestimate runs alone. (A file of several gzip members gives
    its last member's size: its parts are uneven, and still read every record once.)"""
    guess = size * COMPRESSION_GUESS
    if size * MAX_RATIO < chunk_bytes:  # no ratio text reaches would make two parts: the file is not opened
        return guess
    try:
        with storage.open_input(path, buffered=True) as f:
            if compression_of(path) in (".gz", ".gzip") and size >= 18 and size < 1 << 32:
                f.seek(size - 4)
                isize = int.from_bytes(f.read(4), "little")  # of the last member, modulo 4 GiB
                # (smaller: not a size the file can hold; far larger: the end of a cut file, not its size)
                return isize if size <= isize <= size * MAX_SAID_RATIO else guess
            if compression_of(path) == ".zst":
                known = zstandard.frame_content_size(f.read(18))
                return known if size <= known <= size * MAX_SAID_RATIO else guess
    except (OSError, ValueError, zstandard.ZstdError):
        pass
    return guess


class Counting(io.RawIOBase):
    """Counts bytes read from the file on disk (progress for compressed input)."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.f.readinto(b)
        self.count += n or 0
        return n


class _Zstd(io.RawIOBase):
    """Decompresses concatenated zstd frames, and says so when the input ends inside one: zstandard's
    stream_reader returns a short read for a cut file, which would lose its end without a word."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.frame = zstandard.ZstdDecompressor().decompressobj()
        self.pending = b""
        self.offset = 0  # of the next byte of `pending` to hand out
        self.started = False  # input seen for the current frame

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while self.offset >= len(self.pending):
            self.pending, self.offset = b"", 0
            chunk = self.raw.read(1 << 20)
            if not chunk:
                if self.started and not self.frame.eof:
                    raise EOFError("compressed file ended in the middle of a zstd frame (truncated)")
                return 0
            while chunk:
                self.started = True
                self.pending += self.frame.decompress(chunk)
                chunk = b""
                if self.frame.eof:  # the next frame starts in what this one did not use
                    chunk = self.frame.unused_data
                    self.frame = zstandard.ZstdDecompressor().decompressobj()
                    self.started = False
        n = min(len(b), len(self.pending) - self.offset)
        b[:n] = memoryview(self.pending)[self.offset : self.offset + n]
        self.offset += n
        return n


def open_stream(path: str, counter: Counting) -> BinaryIO:
    """The file's bytes, decompressed as its name says."""
    raw = io.BufferedReader(counter)
    compression = compression_of(path)
    if compression in (".gz", ".gzip"):
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if compression == ".bz2":
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    if compression == ".xz":
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    if compression == ".zst":
        return io.BufferedReader(_Zstd(raw))  # type: ignore[arg-type,return-value]
    return raw  # type: ignore[return-value]


@contextmanager
def decompressed(path: Path) -> Iterator[BinaryIO]:
    """A local file's bytes, decompressed as its name says (a cut .gz or .zst raises EOFError when read)."""
    with open(path, "rb") as f:
        yield open_stream(str(path), Counting(f))


def _skip_line(stream: BinaryIO, read: int = 0) -> tuple[int, bool]:
    """Reads through the rest of a line of which `read` bytes were read, a piece at a time, keeping none of it:
    (the line's length in bytes, its line break included; whether it has one: the last line may not)."""
    while piece := stream.readline(SKIP_BYTES):
        read += len(piece)
        if piece.endswith(b"\n"):
            return read, True
    return read, False


def _head(data: bytes) -> str | bytes:
    """The first bytes of a record too large to read, as text if they are UTF-8 (but for a character cut short)."""
    head = data[:HEAD_BYTES]
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return head


class ShardReader:
    """Iterates a shard's documents and bad records; `progress` is the bytes consumed so far. A page whose
    extraction takes over `page_seconds` (0: no limit) is quarantined."""

    def __init__(self, shard: Shard, fields: Fields = Fields(), page_seconds: float = 60.0) -> None:
        self.shard = shard
        self.fields = fields
        self.page_seconds = page_seconds
        self.progress = 0

    def __iter__(self) -> Iterator[tuple[int | None, Document | Bad]]:
        """(line or row of the record, what was read)"""
        s = self.shard
        if s.kind == "jsonl":
            yield from self._jsonl(s.files[0], s.rels[0])
        elif s.kind == "parquet":
            yield from self._parquet(s.files[0], s.rels[0])
        elif s.kind == "warc":
            yield from self._warc(s.files[0], s.rels[0])
        else:
            read = self._text if s.kind == "text" else self._html
            for path, rel in zip(s.files, s.rels, strict=False):
                yield None, read(path, rel)

    # --- builders -----------------------------------------------------------------------------------------
    def _document(self, rec: Any, rel: str, line: int, raw: Any) -> Document | Bad:
        """A document of a decoded record. Every field but text and id goes to meta; a `meta` field that is an
        object is merged into it, any other `meta` value (a list, a string, a number) is kept as meta["meta"].
        An integer id too large for 64 bits (which orjson reads as a float) is kept as its exact digits."""
        f = self.fields
        if not isinstance(rec, dict):
            return Bad(rel, line, f"record is a JSON {type(rec).__name__}, not an object", raw)
        field = f.html or f.text
        text = rec.get(field)
        if text is None:
            return Bad(rel, line, f"missing {'HTML' if f.html else 'text'} field {field!r}", raw)
        if not isinstance(text, str):
            return Bad(
                rel,
                line,
                f"{'HTML' if f.html else 'text'} field {field!r} is a {type(text).__name__}, not a string",
                raw,
            )
        rid = rec.get(f.id)
        if isinstance(rid, float) and isinstance(raw, bytes):
            rid = records.exact_int(raw, f.id, rid)
        if rid is None or rid == "":
            rid = f"{rel}:{line}"
        elif not isinstance(rid, str | int):
            return Bad(rel, line, f"id field {f.id!r} is a {type(rid).__name__}, not a string or number", raw)
        meta = {k: v for k, v in rec.items() if k not in (f.text, f.id, f.html, "meta")}
        if (given := rec.get("meta")) is not None:
            meta = {**given, **meta} if isinstance(given, dict) else {"meta": given, **meta}
        if "malgeum" in meta:
            meta["malgeum_input"] = meta.pop("malgeum")
        if why := records.meta_problem(meta):
            return Bad(rel, line, why, raw)
        if f.html:
            url = meta.get("url") or meta.get("link")
            url = url if isinstance(url, str) else None
            found: dict[str, str] = {}
            try:
                text = html.extract(text, f.extractor, url, self.page_seconds, _metadata_into(text, url, None, found))
            except (Exception, html.OverTime) as e:  # a page the extractor cannot parse is bad input
                return Bad(rel, line, html.failure(e), raw)
            meta["extractor"] = f.extractor
            text = _with_page_meta(text, meta, found)
        return Document(id=str(rid), text=text, meta=meta)

    def _jsonl(self, path: str, rel: str) -> Iterator[tuple[int | None, Document | Bad]]:
        s = self.shard
        bound = self.fields.max_record_bytes
        limit = bound + 1  # a line of the largest record, and its line break
        fed = s.fed
        with nullcontext(io.BytesIO()) if fed is not None else storage.open_input(path) as raw_file:
            counter = Counting(raw_file)  # type: ignore[arg-type]
            line_no = 0
            compressed = compression_of(path) is not None
            stop = s.stop
            if fed is not None:  # a compressed part's lines, decompressed by the driver
                stream, pos, line_no, stop = io.BytesIO(fed.data), fed.start, fed.first_line, -1
            elif s.start > 0 and not compressed:
                # the shard owns the lines that start inside [start, stop)
                raw_file.seek(s.start - 1)
                stream = io.BufferedReader(counter)
                line_no = s.first_line
                pos = s.start - 1 + _skip_line(stream)[0]
            else:
                stream = open_stream(path, counter)
                pos = 0
                try:  # a part of a compressed file: decompress up to its range, counting lines for their numbers
                    while pos < s.start and (line := stream.readline(SKIP_BYTES)):
                        line_no += 1
                        pos += len(line) if line.endswith(b"\n") else _skip_line(stream, len(line))[0]
                except STREAM_ERRORS:
                    return  # the file ends before this part: the part that holds the break reports it
            try:
                while True:
                    if stop >= 0 and pos >= stop:
                        break
                    line = stream.readline(limit)
                    if not line:
                        break
                    line_no += 1
                    size = len(line)
                    too_large = size == limit and not line.endswith(b"\n")
                    if too_large:  # read through, not kept: a line of gigabytes costs no memory
                        size, broken = _skip_line(stream, size)
                    pos += size
                    if s.start == 0 and s.stop < 0:
                        self.progress = counter.count
                    elif not compressed:  # (a part of a compressed file reports its bytes when it is done)
                        self.progress = pos - s.start
                    if too_large:
                        n = size - 1 if broken else size
                        error = f"record larger than {bound} bytes: {n} bytes"
                        yield line_no, Bad(rel, line_no, error, _head(line), {"bytes": n})
                        continue
                    body = line.strip()
                    if line_no == 1 and line.startswith(BOM):  # (only at the file's start)
                        body = line[len(BOM) :].strip()
                    if not body:
                        continue
                    try:
                        rec = orjson.loads(body)
                    except orjson.JSONDecodeError as e:
                        yield line_no, Bad(rel, line_no, f"malformed JSON: {e}", body)
                        continue
                    yield line_no, self._document(rec, rel, line_no, body)
                if fed is not None and fed.error is not None:
                    why = f"unreadable rest of file after line {line_no}: {fed.error}"
                    yield line_no + 1, Bad(rel, line_no + 1, why)
            except STREAM_ERRORS as e:
                yield (
                    line_no + 1,
                    Bad(rel, line_no + 1, f"unreadable rest of file after line {line_no}: {type(e).__name__}: {e}"),
                )

    def _parquet(self, path: str, rel: str) -> Iterator[tuple[int | None, Document | Bad]]:
        import pyarrow.parquet as pq

        s = self.shard
        try:
            pf = pq.ParquetFile(storage.parquet_source(path))
        except Exception as e:
            yield None, Bad(rel, None, f"unreadable Parquet file: {type(e).__name__}: {e}")
            return
        meta = pf.metadata
        row = sum(meta.row_group(i).num_rows for i in range(s.start))
        groups = list(range(s.start, meta.num_row_groups if s.stop < 0 else s.stop))
        done = 0
        for rg in groups:
            try:
                table = pf.read_row_group(rg)
            except Exception as e:
                n = meta.row_group(rg).num_rows
                yield (
                    row,
                    Bad(rel, row, f"unreadable row group {rg} ({n} rows from row {row}): {type(e).__name__}: {e}"),
                )
                row += n
                continue
            from malgeum import arrow_rows

            for rec, why in arrow_rows.rows(table, self.fields.html or self.fields.text):
                if why:
                    yield row, Bad(rel, row, why, rec)
                else:
                    yield row, self._oversized(rec, rel, row) or self._document(rec, rel, row, rec)
                row += 1
            done += meta.row_group(rg).total_byte_size
            self.progress = done

    def _oversized(self, rec: dict[str, Any], rel: str, row: int) -> Bad | None:
        """A Parquet row with a text or bytes cell over the bound, as quarantine (the row group is in memory by
        now, but the steps are spared its five-fold cost). Cheap: a string's bytes are counted only when its
        length in characters, times four, is over the bound."""
        bound = self.fields.max_record_bytes
        for key, value in rec.items():
            if isinstance(value, str | bytes) and len(value) * 4 > bound:
                n = len(value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value)
                if n > bound:
                    head = value[:HEAD_BYTES] if isinstance(value, str) else _head(value)
                    error = f"record larger than {bound} bytes: {key!r} holds {n} bytes"
                    return Bad(rel, row, error, head, {"bytes": n})
        return None

    def _page(
        self, body: bytes, rel: str, line: int | None, declared: str | None, meta: dict[str, Any]
    ) -> Document | Bad:
        """A document from a page's bytes; the page goes to quarantine if no charset decodes it."""
        try:
            page, codec, bad_bytes = html.decode(body, declared)
        except html.Undecodable as e:
            return Bad(rel, line, str(e), body, meta)
        url = meta.get("url")
        found: dict[str, str] = {}
        try:
            inspect = _metadata_into(page, url, meta.get("date"), found)
            text = html.extract(page, self.fields.extractor, url, self.page_seconds, inspect)
        except (Exception, html.OverTime) as e:
            return Bad(rel, line, html.failure(e), body, meta)
        doc_id = meta.pop("id", rel)
        meta = {**meta, "charset": codec, "extractor": self.fields.extractor}
        if bad_bytes:
            meta["undecodable_chars"] = bad_bytes
        text = _with_page_meta(text, meta, found)
        return Document(id=doc_id, text=text, meta=meta)

    def _whole(self, path: str, rel: str) -> bytes | Bad:
        """A .txt or .html file's bytes, decompressed as its name says; no more than the bound is read."""
        bound = self.fields.max_record_bytes
        with storage.open_input(path) as raw_file:
            counter = Counting(raw_file)  # type: ignore[arg-type]
            try:
                data = open_stream(path, counter).read(bound + 1)  # the JSONL reader's decompression
            except STREAM_ERRORS as e:
                what = "compressed file" if compression_of(path) else "file"
                return Bad(rel, None, f"unreadable {what}: {type(e).__name__}: {e}")
            finally:
                self.progress += counter.count
        if len(data) > bound:
            return Bad(rel, None, f"record larger than {bound} bytes: the file holds more", _head(data))
        return data

    def _html(self, path: str, rel: str) -> Document | Bad:
        data = self._whole(path, rel)
        return data if isinstance(data, Bad) else self._page(data, rel, None, None, {"source": rel})

    def _warc(self, path: str, rel: str) -> Iterator[tuple[int | None, Document | Bad]]:
        """Response and resource records; other record types (request, metadata, warcinfo) are not documents."""
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        n = 0
        with storage.open_input(path, buffered=True) as f:  # FastWARC seeks: no counting wrapper
            # FastWARC reads gzip itself (faster); other compressions are decompressed here
            stream = f if compression_of(path) in (None, ".gz", ".gzip") else open_stream(path, Counting(f))
            # FastWARC's own body decoding (auto_decode) ends the whole file at the first body it cannot decode,
            # without an error: bodies are decoded per record instead (html.http_body)
            records = ArchiveIterator(
                stream, record_types=WarcRecordType.response | WarcRecordType.resource, parse_http=True
            )
            try:
                for rec in records:
                    n += 1
                    self.progress = f.tell()
                    yield n, self._record(rec, rel, n)
            except (ValueError, *STREAM_ERRORS) as e:
                yield n + 1, Bad(rel, n + 1, f"unreadable rest of WARC file after record {n}: {type(e).__name__}: {e}")
            self.progress = f.tell()

    def _record(self, rec: Any, rel: str, n: int) -> Document | Bad:
        h = rec.headers
        record_id = (h.get("WARC-Record-ID") or "").strip("<>")
        meta = {
            "id": record_id or f"{rel}:{n}",
            "url": h.get("WARC-Target-URI"),
            "date": h.get("WARC-Date"),
            "warc_record_id": record_id,
            "warc_offset": rec.stream_pos,  # where the record starts in the (compressed) file
            "source": rel,
        }
        content_type = rec.http_content_type if rec.is_http else h.get("Content-Type")
        bound = self.fields.max_record_bytes
        if rec.content_length > bound:  # not read: FastWARC skips the body it was not asked for
            error = f"record larger than {bound} bytes: {rec.content_length} bytes"
            return Bad(rel, n, error, None, {**meta, "bytes": rec.content_length})
        body = rec.reader.read()
        if len(body) < rec.content_length:
            return Bad(rel, n, f"truncated WARC record: {len(body)} of {rec.content_length} bytes", None, meta)
        if rec.is_http:
            get = rec.http_headers.get
            try:
                body = html.http_body(body, get("Transfer-Encoding"), get("Content-Encoding"))
            except (ValueError, zlib.error) as e:  # a body its declared encoding cannot decode, or cut short in it
                return Bad(rel, n, f"undecodable HTTP body: {e}", None, meta)
        if not html.is_html(content_type):
            return Bad(rel, n, f"not HTML: {content_type}", None, {**meta, "content_type": content_type})
        return self._page(body, rel, n, rec.http_charset if rec.is_http else None, meta)

    def _text(self, path: str, rel: str) -> Document | Bad:
        data = self._whole(path, rel)
        if isinstance(data, Bad):
            return data
        try:
            text = data.decode("utf-8-sig")  # (a byte order mark at the start is not text)
        except UnicodeDecodeError as e:
            return Bad(rel, None, f"not UTF-8: {e}", data)
        return Document(id=rel, text=text, meta={"source": rel})


def _metadata_into(page: str, url: str | None, crawled: Any, found: dict[str, str]) -> Any:
    """What `html.extract` calls with the parsed page: its metadata into `found` (pagemeta never raises)."""
    crawled = crawled if isinstance(crawled, str) else None
    return lambda tree: found.update(pagemeta.read(tree, page, url, crawled))


def _with_page_meta(text: str, meta: dict[str, Any], found: dict[str, str]) -> str:
    """The page's metadata into meta, beside what the record already had (a record's own `title` is kept), and
    the text with a title as its first line: the record's title if it gave one, else the page's; none is added
    when the page's own title leads already."""
    for key, value in found.items():
        meta.setdefault(key, value)
    page_title = found.get("title")
    return pagemeta.title_first(text, pagemeta.clean_title(meta.get("title")) or page_title, page_title)


def _chunks(path: str, size: int, chunk_bytes: int) -> Iterator[tuple[int, int, int]]:
    """(start, stop, complete lines before the first line owned by the chunk) of a plain JSONL file.

    A chunk owns the lines that start inside [start, stop); counting line breaks once here keeps
    generated ids (file:line) the same whether or not a file is split. A chunk that owns no line (all of it inside
    one long line) is left out, and a long line is read through once, in pieces, not once per chunk it covers.
    """
    lines = 0  # line breaks in [0, start - 1)
    pos = 0
    end, broken = 0, False  # where the line holding byte start - 1 ends, and whether it ends in a line break
    with storage.open_input(path, buffered=True) as f:
        for start in range(0, size, chunk_bytes):
            stop = min(start + chunk_bytes, size)
            if start == 0:
                yield start, stop, 0
                continue
            while pos < start - 1:
                block = f.read(min(start - 1 - pos, 1 << 24))
                lines += block.count(b"\n")
                pos += len(block)
            if end <= start - 1:  # (else byte start - 1 is in the line found for an earlier chunk)
                f.seek(start - 1)
                end, broken = start - 1, False
                while not broken and (block := f.read(SKIP_BYTES)):  # (an object store's files have no readline(n))
                    cut = block.find(b"\n")
                    broken = cut >= 0
                    end += cut + 1 if broken else len(block)
                f.seek(pos)
            if broken and end < stop:
                yield start, stop, lines + 1
