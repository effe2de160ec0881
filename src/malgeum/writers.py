"""Atomic output: every file is written under a temporary name and renamed when its shard is complete."""

from __future__ import annotations

import contextlib
import gzip
import os
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("jsonl", "parquet")
GZIP_LEVEL = 3  # level 9 costs 4x the time for a few % of size; crawled text compresses well at 3
ROW_GROUP = 2048  # records per Parquet row group


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """A Parquet file written under a temporary name and renamed when complete."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp, row_group_size=ROW_GROUP, compression="zstd")
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

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        # the pid keeps two processes that work on the same shard (a resumed run beside an orphan of the
        # killed one) from writing into each other's file
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.fmt = fmt
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
                self.tmp.parent.mkdir(parents=True, exist_ok=True)
                # no name and no time in the gzip header: the same records give the same bytes, whenever written
                self._raw = open(self.tmp, "wb")
                self._fh = gzip.GzipFile(filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=self._raw, mtime=0)
            self._fh.write(line)  # type: ignore[union-attr]
        else:
            orjson.dumps(record["meta"])  # the same records are refused in both formats
            self._rows.append(record)  # the meta's struct type needs every record of the file: written at close
        self.count += 1

    def _flush_rows(self) -> None:
        if not self._rows:
            return
        from malgeum.parquet_meta import table

        self.tmp.parent.mkdir(parents=True, exist_ok=True)
        self._pq = pq.ParquetWriter(self.tmp, (t := table(self._rows)).schema, compression="zstd")
        self._pq.write_table(t, row_group_size=ROW_GROUP)
        self._rows = []

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
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

    def __init__(self, out: Path, shard_name: str, fmt: str = "jsonl") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
        self.fmt = fmt
        self.out = out
        self.name = f"{shard_name}.{'jsonl.gz' if fmt == 'jsonl' else 'parquet'}"
        self._kept: dict[str, _Part] = {}
        self.dropped = _Part(out / "dropped" / self.name, fmt)
        # quarantine holds raw input of any shape: always JSONL
        self.quarantine = _Part(out / "quarantine" / f"{shard_name}.jsonl.gz", "jsonl")
        # a crashed attempt may have left final files of this shard behind, in any partition
        kept = [out / "kept" / self.name, *(out / "kept").glob(f"*/{self.name}")]
        for p in [*(_Part(path, fmt) for path in kept), self.dropped, self.quarantine]:
            p.path.unlink(missing_ok=True)
            p.tmp.unlink(missing_ok=True)

    def kept(self, partition: str = "") -> _Part:
        part = self._kept.get(partition)
        if part is None:
            folder = self.out / "kept" / partition if partition else self.out / "kept"
            part = self._kept[partition] = _Part(folder / self.name, self.fmt)
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
