"""Speed and memory of `malgeum dedup` as the corpus grows.

    python bench/dedup_speed.py [--docs 50000 200000]

For each size, generates that many synthetic Korean news documents (malgeum.synth, ~1,700 characters each,
with its repeats and near repeats), runs the whole dedup (exact, MinHash, corpus-frequent lines) in a fresh
process and prints documents/s for the signatures and for the whole run, the peak RSS, and the size of the
on-disk index; with --datatrove, also HuggingFace datatrove's four MinHash stages (signatures, buckets,
clusters, filter; its default 14 buckets x 8 hashes of word 5-grams, English word splitting, one worker) on
the same file, timed in the same run. malgeum's dedup runs in one process too. With --ray, also
`malgeum dedup --engine ray` on a local Ray cluster of 2 CPUs started by the run (its start included).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

from malgeum.synth import corpus

CHILD = """
import json, resource, sys
from malgeum.dedup import run
s = run([sys.argv[1]], sys.argv[2])
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({"stats": {k: s[k] for k in ("documents_indexed", "seconds", "clusters_with_duplicates")},
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "anon_mb": int(status.get("RssAnon", "0 kB").split()[0]) / 1024}))
"""

RAY = """
import json, sys, time
from malgeum.dedup import run
t = time.perf_counter()
s = run([sys.argv[1]], sys.argv[2], engine="ray", workers=2)
print(json.dumps({"total": time.perf_counter() - t, "kept": s["kept"]}))
"""


DATATROVE = """
import json, resource, sys, time
from datatrove.executor.local import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
    MinhashDedupFilter, MinhashDedupSignature)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
import xxhash
import datatrove.utils.hashes.xxhash as dt_xxhash
# datatrove 0.10 hands str to xxhash, which xxhash 4 refuses: encode first, keep its hash function
dt_xxhash.xxhash64 = lambda d: xxhash.xxh64_intdigest(d.encode() if isinstance(d, str) else d)
dt_xxhash.xxhash32 = lambda d: xxhash.xxh32_intdigest(d.encode() if isinstance(d, str) else d)
src, tmp = sys.argv[1], sys.argv[2]
cfg = MinhashConfig()
def run(pipeline, tasks=1):
    t = time.perf_counter()
    LocalPipelineExecutor(pipeline, tasks=tasks, workers=1, logging_dir=f"{tmp}/logs{time.time()}").run()
    return time.perf_counter() - t
sig = run([JsonlReader(src), MinhashDedupSignature(output_folder=f"{tmp}/sigs", config=cfg)])
buckets = run([MinhashDedupBuckets(input_folder=f"{tmp}/sigs", output_folder=f"{tmp}/buckets", config=cfg)],
              tasks=cfg.num_buckets)
cluster = run([MinhashDedupCluster(input_folder=f"{tmp}/buckets", output_folder=f"{tmp}/remove", config=cfg)])
filt = run([JsonlReader(src), MinhashDedupFilter(input_folder=f"{tmp}/remove"), JsonlWriter(f"{tmp}/out")])
print(json.dumps({"signatures": sig, "total": sig + buckets + cluster + filt,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, nargs="+", default=[50_000, 200_000])
    ap.add_argument("--datatrove", action="store_true", help="time datatrove's MinHash stages on the same input")
    ap.add_argument("--ray", action="store_true", help="time the Ray engine (2 CPUs) on the same input")
    a = ap.parse_args()
    for n in a.docs:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.jsonl"
            with open(src, "wb") as f:
                for rec, _ in corpus(n, seed=5):
                    f.write(orjson.dumps(rec) + b"\n")
            res = json.loads(
                subprocess.run(
                    [sys.executable, "-c", CHILD, str(src), f"{tmp}/out"], check=True, capture_output=True, text=True
                ).stdout
            )
            sec = res["stats"]["seconds"]
            index_mb = sum(p.stat().st_size for p in (Path(tmp) / "out" / "index").rglob("*") if p.is_file()) / 1e6
            print(
                f"{n:>9,} docs ({src.stat().st_size / 1e6:.0f} MB): signatures {n / sec['signatures']:8,.0f} docs/s, "
                f"whole dedup {n / sec['total']:7,.0f} docs/s, peak RSS {res['peak_rss_mb']:6.0f} MB "
                f"(anonymous at the end {res['anon_mb']:.0f} MB), "
                f"index {index_mb:6.0f} MB on disk ({index_mb * 1e6 / n:.0f} bytes/doc)"
            )
            if a.ray:
                out = subprocess.run(
                    [sys.executable, "-c", RAY, str(src), f"{tmp}/ray"], check=True, capture_output=True, text=True
                ).stdout
                r = json.loads(out.strip().splitlines()[-1])
                print(
                    f"{'Ray':>9s}: whole dedup {n / r['total']:7,.0f} docs/s ({r['total']:.1f} s against "
                    f"{sec['total']:.1f} s in one local process, Ray's start included)"
                )
            if a.datatrove:
                folder = Path(tmp) / "dt-in"
                folder.mkdir()
                src.rename(folder / "in.jsonl")
                dt = json.loads(
                    subprocess.run(
                        [sys.executable, "-c", DATATROVE, str(folder), f"{tmp}/dt"],
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    .stdout.strip()
                    .splitlines()[-1]
                )
                print(
                    f"{'datatrove':>9s}: signatures {n / dt['signatures']:8,.0f} docs/s, whole dedup "
                    f"{n / dt['total']:7,.0f} docs/s; malgeum is {dt['signatures'] / sec['signatures']:.1f}x "
                    f"(signatures) and {dt['total'] / sec['total']:.1f}x (whole) as fast"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
