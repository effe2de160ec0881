"""Web pages to text: extraction quality, and throughput on WARC and on Korean news HTML.

    python bench/html_extraction.py [--copies 10]

1. Quality on ../shared/data/scrapinghub_article_extraction/ (181 pages with gold article bodies, MIT): token
   4-gram precision / recall / F1 as that benchmark scores them (per-page shares of true/false positives and
   false negatives, precision and recall averaged over pages, F1 of the two averages), for each extractor
   alone and followed by malgeum's default recipe.
2. Throughput: the 181 pages written `--copies` times into four .warc.gz files (one gzip member per record,
   as crawlers write them), cleaned by `malgeum clean` (local engine, 2 workers), in pages/s; and the 2,000
   Chosun Ilbo pages of ../shared/data/chosun_rss_neardup/chosun_raw_html_sample.jsonl.gz (an HTML field).
3. Captions on those Chosun pages: every <figcaption> is a labelled caption; the policy is "credit cut,
   caption kept". Reported: the share of captions whose text survives, and of credits (the tail after the
   last "/", or a whole "그래픽=…" line) that are cut.
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson

from malgeum import recipe as recipes
from malgeum.document import Document
from malgeum.engine import local
from malgeum.explain import iter_records
from malgeum.html import decode, extract
from malgeum.pipeline import Pipeline
from malgeum.readers import Fields, ShardReader, plan

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PAGES = DATA / "scrapinghub_article_extraction"
CHOSUN = DATA / "chosun_rss_neardup" / "chosun_raw_html_sample.jsonl.gz"
_TOKEN = re.compile(r"\w+")


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def _shares(gold: str, pred: str) -> tuple[float, float, float]:
    g, p = _shingles(gold), _shingles(pred)
    tp, fp, fn = sum((g & p).values()), sum((p - g).values()), sum((g - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _score(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    ps = [precision(*r) for r in rows if r[0] + r[1] > 0]
    rs = [recall(*r) for r in rows if r[0] + r[2] > 0]
    p, r = sum(ps) / len(ps), sum(rs) / len(rs)
    return p, r, 2 * p * r / (p + r)


def quality() -> None:
    gold = orjson.loads((PAGES / "ground-truth.json").read_bytes())
    pipeline = Pipeline.from_recipe(recipes.load())
    pipeline.setup()
    print(f"Extraction quality, {len(gold)} pages of the scrapinghub benchmark (token 4-gram shingles):")
    for extractor in ("resiliparse", "trafilatura"):
        alone, cleaned = [], []
        t0 = time.perf_counter()
        for key, item in gold.items():
            page, _, _ = decode(gzip.decompress((PAGES / "html" / f"{key}.html.gz").read_bytes()))
            text = extract(page, extractor, item.get("url"))
            alone.append(_shares(item["articleBody"], text))
            doc = pipeline.process(Document(id=key, text=text, meta={}))
            cleaned.append(_shares(item["articleBody"], "" if doc.dropped else doc.text))
        seconds = time.perf_counter() - t0
        for name, rows in ((extractor, alone), (f"{extractor} + default recipe", cleaned)):
            p, r, f = _score(rows)
            print(f"  {name:32s} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
        print(f"  ({len(gold) / seconds:.0f} pages/s for extraction and the recipe in one process)")


def _warc_record(url: str, body: bytes) -> bytes:
    from fastwarc.warc import WarcRecord, WarcRecordType

    r = WarcRecord()
    r.init_headers(record_type=WarcRecordType.response)
    r.headers["WARC-Target-URI"] = url
    r.headers["Content-Type"] = "application/http; msgtype=response"
    r.set_bytes_content(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body)
    out = io.BytesIO()
    r.write(out)
    return gzip.compress(out.getvalue(), compresslevel=6)


def _run(inputs: list[str], out: Path, fields: Fields) -> tuple[dict, float]:
    t0 = time.perf_counter()
    stats = local.run(inputs, out, workers=2, progress=False, fields=fields)
    return stats, time.perf_counter() - t0


def throughput(copies: int, tmp: Path) -> None:
    gold = orjson.loads((PAGES / "ground-truth.json").read_bytes())
    pages = [
        (item.get("url") or key, gzip.decompress((PAGES / "html" / f"{key}.html.gz").read_bytes()))
        for key, item in gold.items()
    ]
    folder = tmp / "warc"
    folder.mkdir()
    files = [open(folder / f"crawl-{i}.warc.gz", "wb") for i in range(4)]
    n = 0
    for c in range(copies):
        for url, body in pages:
            files[n % 4].write(_warc_record(f"{url}#{c}", body))
            n += 1
    for f in files:
        f.close()
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"\nThroughput, {n:,} WARC records in 4 files ({size:.0f} MB):")
    for extractor in ("resiliparse", "trafilatura"):
        t0 = time.perf_counter()
        read = sum(1 for s in plan([str(folder)]) for _ in ShardReader(s, Fields(extractor=extractor)))
        seconds = time.perf_counter() - t0
        print(f"  read + decode + extract only, one process, {extractor:12s} {read / seconds:7.0f} pages/s")
    for extractor in ("resiliparse", "trafilatura"):
        stats, seconds = _run([str(folder)], tmp / f"out-{extractor}", Fields(extractor=extractor))
        assert stats["balanced"] and stats["input_records"] == n, stats
        print(
            f"  malgeum clean (default recipe, local engine, 2 workers), {extractor:12s} {n / seconds:7.0f} pages/s "
            f"({seconds:.1f} s; {stats['kept']:,} kept)"
        )


def chosun(tmp: Path) -> None:
    if not CHOSUN.exists():
        print("\n(no Chosun sample in ../shared: skipped)")
        return
    stats, seconds = _run([str(CHOSUN)], tmp / "chosun", Fields(html="content_html"))
    n = stats["input_records"]
    print(f"\nChosun Ilbo news HTML ({n:,} pages, an HTML field in JSONL, resiliparse, default recipe):")
    print(f"  {n / seconds:.0f} pages/s ({seconds:.1f} s), {stats['kept']:,} kept, {stats['quarantined']} quarantined")
    kept = {r["id"]: r["text"] for _, r in iter_records(tmp / "chosun")}
    captions = with_body = kept_bodies = with_credit = credits_cut = 0
    with gzip.open(CHOSUN, "rb") as f:
        for line in f:
            rec = orjson.loads(line)
            text = " ".join(kept.get(rec["id"], "").split())
            for raw in re.findall(r"<figcaption[^>]{0,200}>(.{0,2000}?)</figcaption>", rec["content_html"], re.S):
                caption = " ".join(re.sub(r"<[^>]{0,500}>", " ", raw).split())
                if not caption:
                    continue
                captions += 1
                whole = re.fullmatch(r"(?:그래픽|일러스트|사진)\s*=\s*\S.{0,30}", caption)
                body, slash, tail = caption.rpartition("/")
                credit = caption if whole else ("/" + tail if slash and 0 < len(tail.strip()) <= 30 else "")
                body = "" if whole else (body.strip() if credit else caption)
                if body:
                    with_body += 1
                    kept_bodies += body.rstrip(". ") in text
                if credit:
                    with_credit += 1
                    credits_cut += (body + credit if body else credit).strip() not in text
    print(
        f"  captions: {captions:,} labelled, {with_body:,} with text: text kept {kept_bodies / max(with_body, 1):.3f}"
    )
    print(f"  credits: {with_credit:,}; cut {credits_cut / max(with_credit, 1):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=10, help="times the 181 pages are written into the WARC files")
    a = ap.parse_args()
    if not PAGES.exists():
        print("../shared/data/scrapinghub_article_extraction is not here", file=sys.stderr)
        return 1
    quality()
    with tempfile.TemporaryDirectory() as tmp:
        throughput(a.copies, Path(tmp))
        chosun(Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
