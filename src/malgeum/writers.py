"""Atomic output: every file is written under a temporary name and renamed when its shard is complete."""

from __future__ import annotations

import contextlib
import gzip
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
import zstandard

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

FORMATS = ("jsonl", "parquet")
COMPRESSIONS = ("zstd", "gzip", "none")  # of output files; Parquet compresses its columns with the same codec
# JSONL output is gzip unless asked: every tool reads `.jsonl.gz` (zcat, jq pipelines, scorers that glob for it);
# `--compression zstd` writes 28% less in the same time (bench/compression.py). Parquet's columns are zstd.
DEFAULT_COMPRESSION = "gzip"
PARQUET_COMPRESSION = "zstd"


def default_compression(fmt: str) -> str:
    """The compression of a run that names none: its format's."""
    return PARQUET_COMPRESSION if fmt == "parquet" else DEFAULT_COMPRESSION


# the name of a JSONL output file by compression; what reads a run's output looks for all of them, so that
# a run written with another choice (or before there was one: gzip) reads the same
JSONL_SUFFIX = {"zstd": ".jsonl.zst", "gzip": ".jsonl.gz", "none": ".jsonl"}
JSONL_SUFFIXES = tuple(JSONL_SUFFIX.values())
GZIP_LEVEL = 3  # level 9 costs 4x the time for a few % of size; crawled text compresses well at 3
# bench/compression.py, on the 47.6 MB a clean of the Naver dev file writes: zstd 3 compresses 160-260 MB/s to a
# ratio of 4.7 (gzip 3: 70 MB/s to 3.4; zstd 1: 1.5x as fast, to 3.7) and reads back 3x faster than gzip;
# 6 takes 3x the time for 13 % less; 19 compresses 2 MB/s, slower than the cleaning itself.
ZSTD_LEVEL = 3
_PARQUET_CODEC = {"zstd": "zstd", "gzip": "gzip", "none": "none"}
ROW_GROUP = 2048  # records per Parquet row group


def jsonl_name(shard_name: str, compression: str) -> str:
    return shard_name + JSONL_SUFFIX[compression]


def _codec_of(path: Path) -> str:
    """The codec a Parquet file's columns were written with (a rewrite keeps it)."""
    import pyarrow.parquet as pq  # (Parquet alone needs Arrow: the default JSONL path never imports it)

    codec = pq.ParquetFile(path).metadata.row_group(0).column(0).compression.lower()
    return "none" if codec == "uncompressed" else codec


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """A Parquet file written under a temporary name and renamed when complete; a file it replaces keeps its
    codec (harmonizing a run's meta types rewrites files, not the run's choice of compression)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    codec = _codec_of(path) if path.exists() else _PARQUET_CODEC[PARQUET_COMPRESSION]
    import pyarrow.parquet as pq

    try:
        pq.write_table(table, tmp, row_group_size=ROW_GROUP, compression=codec)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half file left behind under any name
        tmp.unlink(missing_ok=True)
        raise


class _Part:
    """One output file of one shard; created on the first record only."""

    def __init__(self, path: Path, fmt: str, compression: str = DEFAULT_COMPRESSION) -> None:
        self.path = path
        # the pid keeps two processes that work on the same shard (a resumed run beside an orphan of the
        # killed one) from writing into each other's file
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.fmt = fmt
        self.compression = compression
        self.count = 0
        self._fh: BinaryIO | None = None
        self._raw: BinaryIO | None = None
        self._rows: list[dict[str, Any]] = []
        self._pq: pq.ParquetWriter | None = None

    def write(self, record: dict[str, Any]) -> None:
        """Raises orjson.JSONEncodeError, writing nothing, for a record JSON cannot hold (meta nested too deep)."""
        if self.fmt == "jsonl":
            line = orjson.dumps(record) + b"\n"
            if self._fh is None:
                self._open()
            self._fh.write(line)  # type: ignore[union-attr]
        else:
            orjson.dumps(record["meta"])  # the same records are refused in both formats
            self._rows.append(record)  # the meta's struct type needs every record of the file: written at close
        self.count += 1

    def _open(self) -> None:
        self.tmp.parent.mkdir(parents=True, exist_ok=True)
        self._raw = open(self.tmp, "wb")
        if self.compression == "gzip":
            # no name and no time in the gzip header: the same records give the same bytes, whenever written
            self._fh = gzip.GzipFile(filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=self._raw, mtime=0)
        elif self.compression == "zstd":
            # One frame, single-threaded: the same records give the same bytes (zstd's header holds no name or
            # time). A checksum of the content ends the frame (4 bytes): a reader tells a damaged file from a
            # good one, not only a cut one. No content size in the header: it is not known until the shard
            # ends, and knowing it would mean holding the whole shard in memory; stream readers (ours, zstd -d,
            # pandas, DuckDB) do not need it, and a one-shot decompress that does says so instead of guessing.
            cctx = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=True, write_content_size=False)
            self._fh = cctx.stream_writer(self._raw, closefd=False)  # type: ignore[assignment]
        else:
            self._fh = self._raw

    def _flush_rows(self) -> None:
        if not self._rows:
            return
        import pyarrow.parquet as pq

        from malgeum.parquet_meta import table

        self.tmp.parent.mkdir(parents=True, exist_ok=True)
        codec = _PARQUET_CODEC[self.compression]
        self._pq = pq.ParquetWriter(self.tmp, (t := table(self._rows)).schema, compression=codec)
        self._pq.write_table(t, row_group_size=ROW_GROUP)
        self._rows = []

    def close(self) -> None:
        if self._fh is not None and self._fh is not self._raw:
            self._fh.close()  # (the end of the gzip member, the zstd frame)
        self._fh = None
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        if self.fmt == "parquet":
            self._flush_rows()
            if self._pq is not None:
                self._pq.close()
                self._pq = None

    def commit(self) -> None:
        self.close()
        if self.count:
            with open(self.tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Forget the file; closing may fail again (the disk that stopped the shard is still full)."""
        try:
            self.close()
        except OSError:
            for f in (self._raw, self._pq):
                with contextlib.suppress(Exception):
                    f.close()  # type: ignore[union-attr]
            self._fh = self._raw = self._pq = None
        finally:
            self.tmp.unlink(missing_ok=True)


class ShardWriter:
    """kept/, dropped/ and quarantine/ files of one shard. Nothing is visible under its final name
    before `commit`; the shard's stats file, written last by the engine, marks it complete.

    Kept documents may be routed to partitions (`kept/lang=ko/<shard>`), one file per partition and shard.
    """

    def __init__(self, out: Path, shard_name: str, fmt: str = "jsonl", compression: str = DEFAULT_COMPRESSION) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
        if compression not in COMPRESSIONS:
            raise ValueError(f"compression must be one of {COMPRESSIONS}, not {compression!r}")
        self.fmt, self.compression = fmt, compression
        self.out = out
        self.name = jsonl_name(shard_name, compression) if fmt == "jsonl" else f"{shard_name}.parquet"
        self._kept: dict[str, _Part] = {}
        self.dropped = _Part(out / "dropped" / self.name, fmt, compression)
        # quarantine holds raw input of any shape: always JSONL
        self.quarantine = _Part(out / "quarantine" / jsonl_name(shard_name, compression), "jsonl", compression)
        # a crashed attempt may have left final files of this shard behind, in any partition
        kept = [out / "kept" / self.name, *(out / "kept").glob(f"*/{self.name}")]
        for p in [*(_Part(path, fmt) for path in kept), self.dropped, self.quarantine]:
            p.path.unlink(missing_ok=True)
            p.tmp.unlink(missing_ok=True)

    def kept(self, partition: str = "") -> _Part:
        part = self._kept.get(partition)
        if part is None:
            folder = self.out / "kept" / partition if partition else self.out / "kept"
            part = self._kept[partition] = _Part(folder / self.name, self.fmt, self.compression)
        return part

    @property
    def parts(self) -> list[_Part]:
        return [*self._kept.values(), self.dropped, self.quarantine]

    def commit(self) -> dict[str, int]:
        """Publish every file; returns them (path under OUT -> bytes), for the shard's completion marker."""
        for p in self.parts:
            p.commit()
        return {p.path.relative_to(self.out).as_posix(): p.path.stat().st_size for p in self.parts if p.count}

    def abort(self) -> None:
        for p in self.parts:
            p.abort()
