"""Output compression: `malgeum clean --compression zstd|gzip|none` side by side, and the compressors alone.

    python bench/compression.py [--input FILE.jsonl] [--workers 2] [--runs 1]

Input: the 15,118 real Naver News records of ../shared/data, decompressed to one plain `.jsonl` (37 MB), or
`--input`. In one run:
  command     `malgeum clean INPUT -o OUT --workers N -q --compression X` as a subprocess for each X (after one
              untimed run; the best of `--runs`, taken in turn): seconds, the bytes of OUT's kept/, dropped/
              and quarantine/, and both beside gzip's
  compressor  the records the `none` run wrote (kept and dropped: the bytes the writer compresses) written one
              line at a time, as the writer does, through gzip and zstd at several levels into memory: MB/s of
              uncompressed output, ratio (uncompressed / compressed), MB, and MB/s read back
"""

from __future__ import annotations

import argparse
import gzip
import io
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import zstandard

NAVER = Path(__file__).resolve().parents[2] / "shared" / "data" / "naver_news_raw" / "naver_news_dev.jsonl.gz"
CHOICES = ("none", "gzip", "zstd")
LEVELS = {"gzip": (1, 3, 6, 9), "zstd": (1, 3, 6, 9, 12, 19)}


def clean(path: Path, out: Path, workers: int, compression: str) -> float:
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(path), "-o", str(out), "--workers", str(workers), "-q"]
    t0 = time.perf_counter()
    subprocess.run([*cmd, "--compression", compression, "--overwrite"], check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def output_bytes(out: Path) -> int:
    return sum(f.stat().st_size for sub in ("kept", "dropped", "quarantine") for f in (out / sub).rglob("part-*"))


def written_lines(out: Path) -> list[bytes]:
    """The records of an uncompressed run's kept/ and dropped/, as the lines written."""
    files = [f for sub in ("kept", "dropped") for f in sorted((out / sub).rglob("part-*.jsonl"))]
    return [line for f in files for line in f.read_bytes().splitlines(keepends=True)]


class _Sink(io.RawIOBase):
    """Keeps what is written in memory: the compressor's time without the disk's."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.parts.append(bytes(b))
        return len(b)


def _writer(kind: str, level: int, sink: _Sink) -> io.RawIOBase:
    """The writer's own settings (writers._Part), at `level`."""
    if kind == "gzip":
        return gzip.GzipFile(filename="", mode="wb", compresslevel=level, fileobj=sink, mtime=0)  # type: ignore[return-value]
    cctx = zstandard.ZstdCompressor(level=level, write_checksum=True, write_content_size=False)
    return cctx.stream_writer(sink, closefd=False)  # type: ignore[return-value]


def _reader(kind: str) -> Callable[[bytes], int]:
    if kind == "gzip":
        return lambda data: len(gzip.decompress(data))
    return lambda data: sum(len(c) for c in zstandard.ZstdDecompressor().read_to_iter(io.BytesIO(data)))


def compressor(lines: list[bytes], kind: str, level: int) -> tuple[float, int, float]:
    """(seconds to compress, compressed bytes, seconds to decompress)."""
    sink = _Sink()
    t0 = time.perf_counter()
    w = _writer(kind, level, sink)
    for line in lines:
        w.write(line)
    w.close()
    seconds = time.perf_counter() - t0
    data = b"".join(sink.parts)
    t0 = time.perf_counter()
    assert _reader(kind)(data) == sum(map(len, lines))
    return seconds, len(data), time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", type=Path, help="a plain JSONL file (default: the Naver dev file, decompressed)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="malgeum-compression-"))
    try:
        src = a.input
        if src is None:
            if not NAVER.exists():
                print(f"needs {NAVER} or --input", file=sys.stderr)
                return 2
            src = tmp / "naver_news_dev.jsonl"
            with gzip.open(NAVER, "rb") as fh, open(src, "wb") as w:
                shutil.copyfileobj(fh, w)
        print(f"{src.name}: {src.stat().st_size / 1e6:.1f} MB of JSONL, {a.workers} workers, best of {a.runs}")
        print()
        print("| --compression | seconds | output MB | seconds / gzip's | size / gzip's |")
        print("|---|---|---|---|---|")
        clean(src, tmp / "warm", a.workers, "none")  # the first run reads the models from disk: not timed
        seconds = dict.fromkeys(CHOICES, float("inf"))
        for _ in range(a.runs):  # one of each in turn: a slower minute of the machine falls on all of them
            for x in CHOICES:
                seconds[x] = min(seconds[x], clean(src, tmp / x, a.workers, x))
        sizes = {x: output_bytes(tmp / x) for x in CHOICES}
        for x in CHOICES:
            print(
                f"| {x} | {seconds[x]:.1f} | {sizes[x] / 1e6:.1f} | {seconds[x] / seconds['gzip']:.2f} "
                f"| {sizes[x] / sizes['gzip']:.2f} |"
            )
        lines = written_lines(tmp / "none")
        raw = sum(map(len, lines))
        print()
        print(f"compressor alone, on the {raw / 1e6:.1f} MB the `none` run wrote ({len(lines):,} records):")
        print("| codec | level | MB/s | ratio | MB | read MB/s |")
        print("|---|---|---|---|---|---|")
        for kind, levels in LEVELS.items():
            for level in levels:
                s, n, r = min(compressor(lines, kind, level) for _ in range(a.runs))
                mb = raw / 1e6
                print(f"| {kind} | {level} | {mb / s:.0f} | {raw / n:.2f} | {n / 1e6:.1f} | {mb / r:.0f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
