"""Korean words for the quality filters: Kiwi on every document (FineWeb-2) against malgeum's estimate-first gate.

    python bench/korean_words.py [--docs 1500]

On real Korean text from ../shared/data (Naver News articles, clean CC BY prose), prints
  1. the regex estimate's error against Kiwi per figure (the source of `estimate_margin` in ko/quality.yaml),
  2. per filter: verdict agreement between Kiwi-everywhere and estimate-first, the share of documents that
     still needed Kiwi, and the time of each way.
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

import numpy as np
import orjson

from malgeum import langpacks, quality, words
from malgeum.document import Document
from malgeum.steps.fineweb import FineWebQuality
from malgeum.steps.gopher import GopherQuality, GopherRepetition

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load(n: int) -> list[str]:
    texts = []
    with gzip.open(DATA / "naver_news_raw" / "naver_news_dev.jsonl.gz") as f:
        for i, line in enumerate(f):
            if i % 10 == 0:
                texts.append(orjson.loads(line)["text"])
            if len(texts) >= n * 2 // 3:
                break
    for p in sorted((DATA / "korean_cc_by_text").glob("*.txt.gz")):  # documents apart by a blank line
        for doc in gzip.open(p, "rt", encoding="utf-8").read().split("\n\n"):
            texts.append(doc)
            if len(texts) >= n:
                return texts
    return texts


def estimate_error(texts: list[str]) -> None:
    s = langpacks.load("ko", "quality")
    stop = frozenset(s["stop_words"])
    rel: dict[str, list[float]] = {}
    for t in texts:
        figs = []
        for split in (words.ko_words, words.kiwi_words):
            w = split(t)
            figs.append(
                {
                    **quality.gopher_quality_figures(t, w, stop),
                    **quality.gopher_repetition_figures(t, w, [2, 3, 4], [5, 6, 7, 8, 9, 10]),
                    "list_ratio": quality.fineweb_quality_figures(t, w, 30).get("list_ratio", 0.0),
                }
            )
        for k, x in figs[0].items():
            y = figs[1][k]
            if isinstance(x, (int, float)) and y and np.isfinite(x) and np.isfinite(y):
                rel.setdefault(k, []).append(x / y - 1)
    print(f"estimate / Kiwi - 1 on {len(texts)} documents (percentiles):")
    for k, v in rel.items():
        if "para" in k or "line" in k or k in ("hash_ratio", "ellipsis_ratio"):
            continue  # not word figures
        q = np.quantile(v, [0.01, 0.5, 0.99])
        print(f"  {k:24s} p1 {q[0]:+.3f}  median {q[1]:+.3f}  p99 {q[2]:+.3f}  (n={len(v)})")


def compare(texts: list[str]) -> None:
    print(f"\n{'filter':18s} {'agree':>7s} {'Kiwi ran':>9s} {'Kiwi-everywhere':>16s} {'estimate-first':>15s}")
    for cls in (GopherQuality, GopherRepetition, FineWebQuality):
        verdicts, seconds, kiwi_runs = [], [], 0
        for estimate in (False, True):
            step = cls(mode="tag", estimate=estimate)
            t0 = time.perf_counter()
            out = []
            for i, t in enumerate(texts):
                d = Document(str(i), t, scores={"lang": "ko"})
                step.apply(d)
                out.append(d.scores[step.name])
            seconds.append(time.perf_counter() - t0)
            verdicts.append([o["verdict"] for o in out])
            if estimate:
                kiwi_runs = sum(o["words_by"] == "kiwi" for o in out)
        agree = sum(a == b for a, b in zip(*verdicts, strict=True)) / len(texts)
        mb = sum(len(t.encode()) for t in texts) / 1e6
        print(
            f"{cls.kind:18s} {agree:7.2%} {kiwi_runs / len(texts):9.1%} "
            f"{mb / seconds[0]:11.3f} MB/s {mb / seconds[1]:10.3f} MB/s"
        )
        for a, b, t in zip(*verdicts, texts, strict=True):
            if a != b:
                print(f"    differs: Kiwi {a!r}, estimate-first {b!r}: {t[:60]!r}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1500)
    a = ap.parse_args()
    texts = [t for t in load(a.docs) if t.strip()]
    estimate_error(texts)
    compare(texts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
