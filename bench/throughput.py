"""Throughput of `malgeum clean` with the default recipe against a plain orjson read + write of the same corpus.

    python bench/throughput.py [--mb 50] [--workers N] [--keep]

Generates a synthetic Korean news corpus (malgeum.synth: stories with bylines, credits, prompts, repeats, spam
blocks) of at least --mb megabytes as plain JSONL (or, with --naver, takes the 15,118 real Naver News records of
../shared/data), then measures in the same run:
  floor    read every line, orjson.loads, orjson.dumps, write JSONL.gz (the output format malgeum writes), one process
  malgeum  each recipe of --recipes through the local engine, --workers processes: the default recipe, and
           `web` (the default plus lid, Gopher quality and repetition and FineWeb quality filters)
and prints MB/s, docs/s and the ratio malgeum / floor. The brief's bar: ratio >= 0.10.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import orjson

from malgeum import recipe as recipes
from malgeum.engine import local
from malgeum.synth import corpus
from malgeum.writers import GZIP_LEVEL


def make_corpus(path: Path, mb: float, files: int) -> tuple[int, int]:
    target = int(mb * 1_000_000)
    outs = [open(path / f"part{k:02d}.jsonl", "wb") for k in range(files)]
    n = size = 0
    for rec, _ in corpus(10**9, seed=11):
        line = orjson.dumps(rec) + b"\n"
        outs[n % files].write(line)
        n += 1
        size += len(line)
        if size >= target:
            break
    for f in outs:
        f.close()
    return n, size


def naver_corpus(path: Path, files: int) -> tuple[int, int]:
    """The 15,118 real Naver News records of ../shared/data, as JSONL shards."""
    src = Path(__file__).resolve().parents[2] / "shared" / "data" / "naver_news_raw" / "naver_news_dev.jsonl.gz"
    outs = [open(path / f"part{k:02d}.jsonl", "wb") for k in range(files)]
    n = size = 0
    with gzip.open(src) as f:
        for line in f:
            outs[n % files].write(line)
            n += 1
            size += len(line)
    for o in outs:
        o.close()
    return n, size


def floor(src: Path, out: Path) -> float:
    t0 = time.perf_counter()
    out.mkdir()
    for f in sorted(src.glob("*.jsonl")):
        with open(f, "rb") as fin, gzip.open(out / (f.name + ".gz"), "wb", compresslevel=GZIP_LEVEL) as fout:
            for line in fin:
                fout.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--ray", action="store_true", help="also time the default recipe on a local Ray cluster")
    ap.add_argument("--naver", action="store_true", help="use the real Naver News records of ../shared instead")
    ap.add_argument(
        "--recipes",
        nargs="+",
        default=["default", "web"],
        help="bundled recipes or files to time (default: default web)",
    )
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="malgeum-bench-"))
    try:
        src = tmp / "in"
        src.mkdir()
        files = max(8, 4 * a.workers)
        n, size = naver_corpus(src, files) if a.naver else make_corpus(src, a.mb, files)
        mb = size / 1e6
        kind = "real Naver News" if a.naver else "synthetic Korean news"
        machine = f"{sys.version.split()[0]}, {os.cpu_count()} cores"
        print(f"corpus: {n:,} documents of {kind}, {mb:.1f} MB of JSONL ({machine})")
        t_floor = floor(src, tmp / "floor")
        print(f"floor    orjson read+write (1 process): {mb / t_floor:8.1f} MB/s {n / t_floor:10,.0f} docs/s")
        runs = [(name, "local") for name in a.recipes] + ([("default", "ray")] if a.ray else [])
        for name, engine in runs:
            t0 = time.perf_counter()
            stats = local.run(
                [str(src)],
                tmp / f"{name}-{engine}",
                recipes.load(name),
                workers=a.workers,
                progress=False,
                engine=engine,
            )
            t_clean = time.perf_counter() - t0
            assert stats["balanced"] and stats["input_records"] == n
            label = f"{name} recipe ({a.workers} workers{', Ray' if engine == 'ray' else ''}):"
            print(f"malgeum  {label:30s} {mb / t_clean:8.1f} MB/s {n / t_clean:10,.0f} docs/s", end="")
            print(f"   ratio to floor {t_floor / t_clean:.3f} (bar: >= 0.10)")
            per_step = sorted(stats["steps"], key=lambda s: -s["seconds"])
            print("    cpu seconds per step:", ", ".join(f"{s['name']} {s['seconds']:.1f}" for s in per_step))
    finally:
        if a.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
