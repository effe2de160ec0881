"""The boilerplate step's line rules tried where their strings stand, against one regex tried at every line start.

    python bench/line_rules.py [FILE.jsonl] [--limit N] [--rounds 3]

FILE: JSONL with a `text` field (default: ../shared/data's Naver News, as one file in a temporary folder). The
texts go through the default recipe's steps before `boilerplate` first, as in a run. For each pack's line rules
(and all packs joined, which documents in two scripts are scanned with) it times, best of `--rounds`, in one
process: `LineRules.finditer` (malgeum.line_rules) and the same rules as one regex, `finditer` over the whole text
(every line start tried), and checks that both find the same matches; then the whole step.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import orjson

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def naver_texts(limit: int) -> list[str]:
    out = []
    for path in sorted((DATA / "naver_news_raw").glob("*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            for line in fh:
                out.append(orjson.loads(line).get("text") or "")
                if len(out) >= limit:
                    return out
    return out


def best(rounds: int, run) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        run()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?")
    ap.add_argument("--limit", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    from malgeum import Document
    from malgeum.recipe import build, load

    if a.file:
        with open(a.file, "rb") as fh:
            raw = [orjson.loads(line).get("text") or "" for _, line in zip(range(a.limit), fh, strict=False)]
    else:
        raw = naver_texts(a.limit)
    steps = build(load())
    before = [s for s in steps if s.kind in ("fix_mojibake", "normalize_unicode", "normalize_whitespace")]
    (step,) = [s for s in steps if s.kind == "boilerplate"]
    texts = []
    for i, t in enumerate(raw):
        doc = Document(str(i), t)
        for s in before:
            s.apply(doc)
        texts.append(doc.text)
    print(f"{len(texts):,} texts, {sum(map(len, texts)):,} characters; seconds of CPU, best of {a.rounds}")
    print(f"{'line rules':12s} {'where strings stand':>20s} {'every line start':>17s} {'ratio':>6s}  same")
    for name, rules in [*((p.lang, p.line) for p in step._packs if p.line), ("joined", step._lines_all)]:
        one = rules.one_regex()
        fast = [[(m.span(), m.lastgroup) for m in rules.finditer(t)] for t in texts]
        plain = [[(m.span(), m.lastgroup) for m in one.finditer(t)] for t in texts]
        t_fast = best(a.rounds, lambda r=rules: [r.finditer(t) for t in texts])
        t_plain = best(a.rounds, lambda o=one: [list(o.finditer(t)) for t in texts])
        print(f"{name:12s} {t_fast:20.3f} {t_plain:17.3f} {t_plain / t_fast:6.2f}  {fast == plain}")
    t_step = best(a.rounds, lambda: [step.apply(Document("x", t)) for t in texts])
    print(f"the boilerplate step: {t_step:.3f} s, {sum(map(len, texts)) / t_step / 1e6:.2f} M characters/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
