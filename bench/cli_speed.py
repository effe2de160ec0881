"""Whole-command wall time of `malgeum clean` on the files a user has, beside a plain orjson read + write of them.

    python bench/cli_speed.py [--workers 2] [--recipe default] [--runs 1]

Inputs, as they come: the 15,118 real Naver News records of ../shared/data as the one `.jsonl.gz` file they are
shipped in, and the same records as one plain `.jsonl` file (37 MB). For each, in the same run:
  floor    one process reads every line, orjson.loads, orjson.dumps, writes it (plain JSONL: no compression, the
           fastest a tool that reads and writes every record can be)
  malgeum  `malgeum clean FILE -o OUT --workers N -q` as a subprocess: start-up, the template pass, cleaning,
           writing the compressed output, the stats: all of it
and prints seconds, MB/s of the uncompressed input and the ratio floor / malgeum.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

NAVER = Path(__file__).resolve().parents[2] / "shared" / "data" / "naver_news_raw" / "naver_news_dev.jsonl.gz"


def floor(path: Path, out: Path) -> float:
    t0 = time.perf_counter()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh, open(out, "wb") as w:
        for line in fh:
            w.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - t0


def clean(path: Path, out: Path, workers: int, recipe: str) -> float:
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(path), "-o", str(out), "--workers", str(workers), "-q"]
    subprocess.run([*cmd, "--recipe", recipe, "--overwrite"], check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--recipe", default="default")
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    if not NAVER.exists():
        print(f"needs {NAVER}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="malgeum-cli-speed-"))
    try:
        plain = tmp / "naver_news_dev.jsonl"
        with gzip.open(NAVER, "rb") as fh, open(plain, "wb") as w:
            shutil.copyfileobj(fh, w)
        mb = plain.stat().st_size / 1e6
        print(f"{mb:.1f} MB of JSONL, {a.workers} workers, recipe {a.recipe}")
        print("| input | floor (s) | malgeum clean (s) | MB/s | ratio |")
        print("|---|---|---|---|---|")
        for path in (NAVER, plain):
            for _ in range(a.runs):
                f = floor(path, tmp / "floor.jsonl")
                c = clean(path, tmp / "out", a.workers, a.recipe)
                print(f"| {path.name} | {f:.2f} | {c:.1f} | {mb / c:.2f} | {f / c:.3f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
