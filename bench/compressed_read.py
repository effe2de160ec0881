"""CPU of reading one compressed JSONL file as its shards: fed (the run decompresses the file once and hands each part
its lines) against unfed (each of at most 8 parts decompresses the file from its start), in the same run.

    python bench/compressed_read.py [FILE.jsonl.gz ...] [--text-field FIELD] [--rounds 2]

Default input: the 15,118 Naver News records of ../shared/data as the one .jsonl.gz they are shipped in. Reading
here is what a worker does before the steps: decompress, split lines, orjson, build documents (no extraction: give
`--text-field html` for a file of pages). Prints CPU seconds of each way, their ratio, and that both read the
same records.
"""

from __future__ import annotations

import argparse
import resource
from collections.abc import Iterable
from pathlib import Path

from malgeum.feed import fed
from malgeum.readers import Fields, Shard, ShardReader, plan

NAVER = Path(__file__).resolve().parents[2] / "shared" / "data" / "naver_news_raw" / "naver_news_dev.jsonl.gz"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _read(shards: Iterable[Shard], fields: Fields) -> tuple[float, int]:
    start, n = _cpu(), 0
    for s in shards:
        n += sum(1 for _ in ShardReader(s, fields))
    return _cpu() - start, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", default=[str(NAVER)])
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    fields = Fields(text=a.text_field)
    for path in a.files:
        parts, unfed_parts = plan([path]), plan([path], fed=False)
        print(f"{path}: {len(parts)} parts fed, {len(unfed_parts)} unfed")
        for r in range(a.rounds):
            unfed, n_unfed = _read(unfed_parts, fields)
            once, n_fed = _read(fed(plan([path]), fields), fields)
            assert n_fed == n_unfed, (n_fed, n_unfed)
            print(
                f"  round {r + 1}: {n_fed:,} records; CPU unfed {unfed:.2f} s, fed {once:.2f} s, "
                f"unfed / fed {unfed / once:.1f}"
            )


if __name__ == "__main__":
    main()
