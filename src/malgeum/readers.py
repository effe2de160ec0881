"""Read input files as shards of records; whatever cannot be read becomes a quarantine entry, never an error.

A shard is a deterministic piece of the input (a byte range of a plain JSONL file, some row groups of a
Parquet file, a whole compressed or WARC file, or a batch of text or HTML files), so a run can be resumed
shard by shard and gives the same output whatever the number of workers.

Web pages (WARC responses, .html files, or an HTML field of JSONL/Parquet records) are decoded and their main
content extracted here, so every step downstream sees text.
"""

from __future__ import annotations

import base64
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import pyarrow.parquet as pq
import zstandard

from malgeum import html, records, storage
from malgeum.document import Document

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
COMPRESSIONS = (".gz", ".zst")
CHUNK_BYTES = 8 * 1024 * 1024  # small enough that one plain file of a few tens of MB feeds every worker
TEXT_FILES_PER_SHARD = 1000
EXPECTED = ".jsonl, .parquet, .txt, .html or .warc, .gz or .zst compressed"


@dataclass(frozen=True)
class Fields:
    """Where records keep their parts, and how pages become text."""

    text: str = "text"
    id: str = "id"
    html: str | None = None  # records whose page is in this field: their text is extracted from it
    extractor: str = "resiliparse"  # or "trafilatura"


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

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "files": self.rels, "start": self.start, "stop": self.stop}


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


def _kind(path: Path) -> str | None:
    name = path.name.lower()  # a URL's last part is its name too
    for c in COMPRESSIONS:
        if name.endswith(c):
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


def discover(inputs: list[str]) -> list[tuple[str, str, str, int]]:
    """(path or URL, path relative to its input argument, kind, size) of every readable input file, sorted."""
    found = []
    for arg in inputs:
        if storage.is_url(arg):
            listed = storage.list_files(arg)
            single = len(listed) == 1 and listed[0][0].rstrip("/") == arg.rstrip("/")
            for url, rel, size in listed:
                kind = _kind(Path(rel))
                if single and kind is None:
                    raise ValueError(f"{arg}: unknown input type (expected {EXPECTED})")
                if kind and not any(part.startswith(".") for part in rel.split("/")):
                    found.append((url, rel, kind, size))
            continue
        p = Path(arg)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    kind = _kind(f)
                    if kind:
                        found.append((str(f), str(f.relative_to(p)), kind, f.stat().st_size))
        elif p.is_file():
            kind = _kind(p)
            if kind is None:
                raise ValueError(f"{arg}: unknown input type (expected {EXPECTED})")
            found.append((str(p), p.name, kind, p.stat().st_size))
        else:
            raise FileNotFoundError(f"{arg}: no such file or directory")
    return found


def plan(inputs: list[str], chunk_bytes: int = CHUNK_BYTES) -> list[Shard]:
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
        if kind == "jsonl" and not path.endswith(COMPRESSIONS) and size > chunk_bytes:
            for start, stop, first_line in _chunks(path, size, chunk_bytes):
                add("jsonl", [path], [rel], start, stop, stop - start)
                shards[-1].first_line = first_line
        elif kind == "jsonl" and (k := _compressed_parts(size, chunk_bytes)) > 1:
            # shards of the decompressed stream (each decompresses from the start and skips to its own range),
            # so that one compressed file feeds every worker; their number comes from the file alone
            for i in range(k):
                add("jsonl", [path], [rel], i * chunk_bytes, -1 if i == k - 1 else (i + 1) * chunk_bytes, size // k)
        elif kind == "parquet":
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


COMPRESSION_GUESS = 3  # decompressed bytes per compressed byte assumed when a compressed file is split
MAX_COMPRESSED_PARTS = 8  # each part decompresses what comes before it: more would cost more than it gains


def _compressed_parts(size: int, chunk_bytes: int) -> int:
    return max(1, min(MAX_COMPRESSED_PARTS, -(-size * COMPRESSION_GUESS // chunk_bytes)))


class _Counting(io.RawIOBase):
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


def _open_stream(path: str, counter: _Counting) -> BinaryIO:
    if path.endswith(".gz"):
        return gzip.GzipFile(fileobj=io.BufferedReader(counter))  # type: ignore[return-value]
    if path.endswith(".zst"):
        return io.BufferedReader(_Zstd(io.BufferedReader(counter)))  # type: ignore[arg-type,return-value]
    return io.BufferedReader(counter)  # type: ignore[return-value]


class ShardReader:
    """Iterates a shard's documents and bad records; `progress` is the bytes consumed so far."""

    def __init__(self, shard: Shard, fields: Fields = Fields()) -> None:
        self.shard = shard
        self.fields = fields
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
            try:
                text = html.extract(text, f.extractor, url if isinstance(url, str) else None)
            except Exception as e:  # a page the extractor cannot parse is bad input, not a failed run
                return Bad(rel, line, f"HTML extraction failed: {type(e).__name__}: {e}", raw)
            meta["extractor"] = f.extractor
        return Document(id=str(rid), text=text, meta=meta)

    def _jsonl(self, path: str, rel: str) -> Iterator[tuple[int | None, Document | Bad]]:
        s = self.shard
        with storage.open_input(path) as raw_file:
            counter = _Counting(raw_file)  # type: ignore[arg-type]
            line_no = 0
            compressed = path.endswith(COMPRESSIONS)
            if s.start > 0 and not compressed:
                # the shard owns the lines that start inside [start, stop)
                raw_file.seek(s.start - 1)
                stream = io.BufferedReader(counter)
                skipped = stream.readline()
                line_no = s.first_line
                pos = s.start - 1 + len(skipped)
            else:
                stream = _open_stream(path, counter)
                pos = 0
                try:  # a part of a compressed file: decompress up to its range, counting lines for their numbers
                    while pos < s.start and (line := stream.readline()):
                        line_no += 1
                        pos += len(line)
                except (EOFError, OSError, zlib.error, zstandard.ZstdError):
                    return  # the file ends before this part: the part that holds the break reports it
            try:
                while True:
                    if s.stop >= 0 and pos >= s.stop:
                        break
                    line = stream.readline()
                    if not line:
                        break
                    line_no += 1
                    pos += len(line)
                    if s.start == 0 and s.stop < 0:
                        self.progress = counter.count
                    elif not compressed:  # (a part of a compressed file reports its bytes when it is done)
                        self.progress = pos - s.start
                    body = line.strip()
                    if not body:
                        continue
                    try:
                        rec = orjson.loads(body)
                    except orjson.JSONDecodeError as e:
                        yield line_no, Bad(rel, line_no, f"malformed JSON: {e}", body)
                        continue
                    yield line_no, self._document(rec, rel, line_no, body)
            except (EOFError, OSError, zlib.error, zstandard.ZstdError) as e:
                yield (
                    line_no + 1,
                    Bad(rel, line_no + 1, f"unreadable rest of file after line {line_no}: {type(e).__name__}: {e}"),
                )

    def _parquet(self, path: str, rel: str) -> Iterator[tuple[int | None, Document | Bad]]:
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
            for rec, why in records.rows(table, self.fields.html or self.fields.text):
                yield row, Bad(rel, row, why, rec) if why else self._document(rec, rel, row, rec)
                row += 1
            done += meta.row_group(rg).total_byte_size
            self.progress = done

    def _page(
        self, body: bytes, rel: str, line: int | None, declared: str | None, meta: dict[str, Any]
    ) -> Document | Bad:
        """A document from a page's bytes; the page goes to quarantine if no charset decodes it."""
        try:
            page, codec, bad_bytes = html.decode(body, declared)
        except html.Undecodable as e:
            return Bad(rel, line, str(e), body, meta)
        url = meta.get("url")
        try:
            text = html.extract(page, self.fields.extractor, url)
        except Exception as e:
            return Bad(rel, line, f"HTML extraction failed: {type(e).__name__}: {e}", body, meta)
        doc_id = meta.pop("id", rel)
        meta = {**meta, "charset": codec, "extractor": self.fields.extractor}
        if bad_bytes:
            meta["undecodable_chars"] = bad_bytes
        return Document(id=doc_id, text=text, meta=meta)

    def _html(self, path: str, rel: str) -> Document | Bad:
        with storage.open_input(path) as raw_file:
            counter = _Counting(raw_file)  # type: ignore[arg-type]
            try:
                data = _open_stream(path, counter).read()  # the JSONL reader's decompression, cut files included
            except (OSError, EOFError, zlib.error, zstandard.ZstdError) as e:
                return Bad(rel, None, f"unreadable compressed file: {type(e).__name__}: {e}")
            finally:
                self.progress += counter.count
        return self._page(data, rel, None, None, {"source": rel})

    def _warc(self, path: str, rel: str) -> Iterator[tuple[int | None, Document | Bad]]:
        """Response and resource records; other record types (request, metadata, warcinfo) are not documents."""
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        n = 0
        with storage.open_input(path, buffered=True) as f:  # FastWARC seeks: no counting wrapper
            # FastWARC's own body decoding (auto_decode) ends the whole file at the first body it cannot decode,
            # without an error: bodies are decoded per record instead (html.http_body)
            records = ArchiveIterator(
                f, record_types=WarcRecordType.response | WarcRecordType.resource, parse_http=True
            )
            try:
                for rec in records:
                    n += 1
                    self.progress = f.tell()
                    yield n, self._record(rec, rel, n)
            except (OSError, ValueError, EOFError) as e:
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
        data = storage.read_bytes(storage.location(path))
        self.progress += len(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            return Bad(rel, None, f"not UTF-8: {e}", data)
        return Document(id=rel, text=text, meta={"source": rel})


def _chunks(path: str, size: int, chunk_bytes: int) -> Iterator[tuple[int, int, int]]:
    """(start, stop, complete lines before the first line owned by the chunk) of a plain JSONL file.

    A chunk owns the lines that start inside [start, stop); counting line breaks once here keeps
    generated ids (file:line) the same whether or not a file is split.
    """
    lines = 0  # line breaks in [0, start - 1)
    pos = 0
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
            f.seek(start - 1)
            rest = f.readline()
            f.seek(pos)
            yield start, stop, lines + (1 if rest.endswith(b"\n") else 0)
