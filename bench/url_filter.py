"""Block lists of millions of entries: load seconds, memory, lookups per second.

    python bench/url_filter.py [--domains 2000000] [--urls 200000] [--lookups 300000]

Writes a synthetic UT1 folder in a temporary folder (--domains random domains over 30 categories, one of them
holding half, as UT1's adult list holds most of its entries; --urls URL entries; a few percent of the domain
lines written with `www.`, upper case, a comment or a Hangul label, the lines the loader cannot take as they
are), loads it as the url_filter step does, and prints the seconds, the memory it takes (RSS before and after)
and the lookups per second of URLs that hit a domain, hit under a listed domain (a subdomain), hit a URL entry,
and miss; then the same lookups with a list 10x smaller: constant time means the rates stay level.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from malgeum import blocklists

_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
_TLDS = ("com", "net", "org", "kr", "co.kr", "io", "info", "xyz", "de", "fr")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _name(rng: random.Random) -> str:
    return "".join(rng.choices(_LETTERS, k=rng.randint(5, 14))) + "." + rng.choice(_TLDS)


def write_ut1(root: Path, n_domains: int, n_urls: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """The folder, and (some listed domains, some listed URL entries) to look up."""
    rng = random.Random(seed)
    cats = [f"cat{i:02d}" for i in range(30)]
    sizes = [n_domains // 2] + [n_domains // 2 // 29] * 29
    listed, urls = [], []
    for cat, size in zip(cats, sizes, strict=True):
        lines = []
        for _ in range(size):
            d = _name(rng)
            r = rng.random()
            if r < 0.01:
                lines.append("www." + d)
            elif r < 0.02:
                lines.append(d.upper())
            elif r < 0.025:
                lines.append(f"# {d}")
                continue
            elif r < 0.03:
                d = "한국" + d
                lines.append(d)
            else:
                lines.append(d)
            if len(listed) < 100_000 and rng.random() < 0.1:
                listed.append(d)
        (root / cat).mkdir(parents=True)
        (root / cat / "domains").write_text("\n".join(lines) + "\n", encoding="utf-8")
    per = n_urls // 10
    for cat in cats[:10]:
        lines = [f"{_name(rng)}/{''.join(rng.choices(_LETTERS, k=8))}/page" for _ in range(per)]
        urls += lines[:5000]
        (root / cat / "urls").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listed, urls


def _rate(blocks: blocklists.BlockLists, urls: list[str]) -> tuple[float, int]:
    t = time.perf_counter()
    hits = sum(blocks.match(u) is not None for u in urls)
    return len(urls) / (time.perf_counter() - t), hits


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--domains", type=int, default=2_000_000)
    ap.add_argument("--urls", type=int, default=200_000)
    ap.add_argument("--lookups", type=int, default=300_000)
    a = ap.parse_args()
    rng = random.Random(1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (1, 10):
            root = Path(tmp) / f"ut1-{scale}"
            t = time.perf_counter()
            listed, url_entries = write_ut1(root, a.domains // scale, a.urls // scale)
            written = time.perf_counter() - t
            before = _rss_mb()
            t = time.perf_counter()
            blocks = blocklists.load({"ut1": str(root)})
            load = time.perf_counter() - t
            mb = _rss_mb() - before
            n = a.lookups
            sets = {
                "domain hit": [f"https://www.{rng.choice(listed)}/news/{i}" for i in range(n)],
                "subdomain hit": [f"http://m.blog.{rng.choice(listed)}:8080/a?b={i}" for i in range(n)],
                "URL hit": [f"https://{rng.choice(url_entries)}/{i}" for i in range(n)],
                "miss": [f"https://news{i}.{_name(rng)}/2024/01/{i}.html" for i in range(n)],
            }
            rates = {k: _rate(blocks, v) for k, v in sets.items()}
            entries = sum(blocks.counts.values())
            rows.append((entries, written, load, mb, rates))
            del blocks
    print(f"{'entries':>10} {'load s':>7} {'MB':>6} " + " ".join(f"{k + ' /s':>17}" for k in rows[0][4]))
    for entries, _written, load, mb, rates in rows:
        cells = " ".join(f"{r:>12,.0f} ({h / a.lookups:.0%})" for r, h in rates.values())
        print(f"{entries:>10,} {load:>7.2f} {mb:>6.0f} {cells}")
    big, small = rows[0][4], rows[1][4]
    print("rate, full list / list 10x smaller: " + ", ".join(f"{k} {big[k][0] / small[k][0]:.2f}" for k in big))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
