"""Peak memory of `malgeum clean` as the input grows: streaming keeps it flat.

    python bench/memory.py [--mb 100 1000]

For each size, writes that many MB of synthetic news (malgeum.synth) as 64 MB-sharded JSONL, cleans it with the
default recipe (local engine, 2 workers) in a fresh process, and prints the peak RSS of the main process and of
the largest worker, with the ratio to the smallest size. Flat means the ratio stays near 1 while the input
grows tenfold.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from malgeum.synth import corpus

CHILD = """
import json, resource, sys
from malgeum.engine import local
s = local.run([sys.argv[1]], sys.argv[2], workers=2, progress=False)
print(json.dumps({"docs": s["input_records"], "balanced": s["balanced"],
                  "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, nargs="+", default=[100, 1000])
    a = ap.parse_args()
    first = None
    for mb in a.mb:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.jsonl"
            with open(src, "wb") as f:
                for rec, _ in corpus(10**9, seed=mb):
                    f.write(orjson.dumps(rec) + b"\n")
                    if f.tell() >= mb * 1_000_000:
                        break
            t = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(src), f"{tmp}/out"], check=True, capture_output=True, text=True
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            first = first or r
            print(
                f"{mb:>6,} MB, {r['docs']:>9,} docs in {time.perf_counter() - t:5.0f} s: peak RSS main "
                f"{r['main_mb']:5.0f} MB (x{r['main_mb'] / first['main_mb']:.2f}), largest worker "
                f"{r['worker_mb']:5.0f} MB (x{r['worker_mb'] / first['worker_mb']:.2f}); balanced {r['balanced']}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
