"""Near-duplicate quality on labelled Korean pairs: ../shared/data/chosun_rss_neardup.

    python bench/dedup_quality.py [--thresholds 0.5 0.6 0.7]

The set: 12,644 Chosun Ilbo articles (2,644 edited versions of 1,306 articles, 10,000 distractors) and pairs
labelled by article identity: 1,373 pairs of versions of one article (label 1), 14,423 pairs of different
articles of the same day or at random (label 0); 684 unverified cross-article pairs are left out. `malgeum
dedup` runs over all 12,644 documents; a pair is predicted a duplicate when both land in one cluster. Prints
precision, recall and F1 overall and per character-5-gram Jaccard bucket of the positive pairs, for the
default (character 5-grams) and for word (eojeol) shingles.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
from pathlib import Path

import orjson

from malgeum.dedup import DedupSettings, run
from malgeum.explain import iter_records

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "chosun_rss_neardup"
BUCKETS = (
    (0.95, 1.01, ">= 0.95"),
    (0.9, 0.95, "0.90-0.95"),
    (0.8, 0.9, "0.80-0.90"),
    (0.5, 0.8, "0.50-0.80"),
    (0, 0.5, "< 0.50"),
)


def clusters(settings: DedupSettings, tmp: Path) -> dict[str, str]:
    src = tmp / "docs.jsonl"
    if not src.exists():
        with open(src, "wb") as f:
            for line in gzip.open(DATA / "nd_docs.jsonl.gz"):
                r = orjson.loads(line)
                f.write(orjson.dumps({"id": r["doc_id"], "text": r["text"]}) + b"\n")
    out = tmp / f"out-{settings.unit}-{settings.ngram}-{settings.threshold}"
    stats = run([str(src)], out, settings)
    print(f"  {stats['documents_indexed']:,} documents in {stats['seconds']['total']:.1f} s", end="; ")
    return {r["id"]: r["meta"]["malgeum"]["scores"]["dedup"]["cluster"] for _, r in iter_records(out)}


def score(cl: dict[str, str], pairs: list[dict]) -> dict[str, dict[str, float]]:
    rows = {}
    for lo, hi, name in (*BUCKETS, (0, 1.01, "all")):
        sel = [p for p in pairs if p["label"] == 0 or lo <= p["char5_jaccard"] < hi]
        tp = sum(1 for p in sel if p["label"] == 1 and cl[p["a"]] == cl[p["b"]])
        fn = sum(1 for p in sel if p["label"] == 1 and cl[p["a"]] != cl[p["b"]])
        fp = sum(1 for p in sel if p["label"] == 0 and cl[p["a"]] == cl[p["b"]])
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        rows[name] = {"pos": tp + fn, "p": prec, "r": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.5])
    a = ap.parse_args()
    pairs = [orjson.loads(x) for x in gzip.open(DATA / "nd_pairs.jsonl.gz")]
    pairs = [p for p in pairs if p["label"] is not None]
    configs = [DedupSettings(threshold=t) for t in a.thresholds]
    configs += [DedupSettings(unit="word", ngram=n, threshold=a.thresholds[0]) for n in (1, 2)]
    with tempfile.TemporaryDirectory() as tmp:
        for s in configs:
            print(f"{s.unit} {s.ngram}-grams, {s.num_perm} permutations, {s.bands} bands, threshold {s.threshold}:")
            rows = score(clusters(s, Path(tmp)), pairs)
            print(f"F1 {rows['all']['f1']:.3f}")
            print(f"    {'positives (char-5 Jaccard)':28s} {'pairs':>6s} {'precision':>9s} {'recall':>7s} {'F1':>6s}")
            for name, m in rows.items():
                print(f"    {name:28s} {m['pos']:6d} {m['p']:9.3f} {m['r']:7.3f} {m['f1']:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
