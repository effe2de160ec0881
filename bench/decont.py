"""Benchmark items injected into real news: recall of the decont step, news lines cut by mistake, throughput.

    python bench/decont.py [--records 3000] [--seed 7] [--extra-items N] [--datatrove]

The items are ours, written here from templates and word lists of invented places, people and things (no real
benchmark's text): Korean and English questions with four choices, and passages with a question. Each item is
injected into a Naver news record (and the English ones into English news from the jungyeul pairs too) in each
of these ways: whole; re-spaced; re-wrapped into short lines; with three characters changed; in two or three
pieces between the story's paragraphs; all of re-spaced, re-wrapped and two changed characters at once. `part`
(only the first 60% of the item's text) is shown beside them, outside the bar.

Recall: the injected copies whose item a cut names (its id in the reason, its benchmark in the rule). False cuts:
the lines of news text (all records, with and without an injection) that lost a character to a decont cut.
Throughput: the decont step alone and the default recipe on the same `--records` records, one process.
`--datatrove` also runs datatrove's 12-gram decontamination idea (its own hashing, text simplification and word
tokenizer; all of an item's text indexed, as with `find_query_ngrams`) on the same injected copies.
"""

from __future__ import annotations

import argparse
import gzip
import random
import shutil
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson

from malgeum import Document, Pipeline
from malgeum.decont import build
from malgeum.document import trace
from malgeum.steps.decont import Decontaminate

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
NEWS = DATA / "naver_news_raw" / "naver_news_dev.jsonl.gz"
PAIRS = DATA / "korean_english_news_jungyeul" / "korean-english-park.test.tar.gz"
VARIANTS = ("whole", "respaced", "rewrapped", "edited", "pieces", "all")
EXTRA = ("part",)

# invented names and things, Korean
KO_PLACES = ["한빛시", "소담군", "푸른섬", "다온읍", "새별마을", "가람도", "누리시", "온새미군", "하람동", "미르섬"]
KO_PEOPLE = ["김하늘", "박도윤", "이서연", "최민준", "정다은", "강지후", "윤소율", "장예준", "임하린", "한결"]
KO_THINGS = ["도서관", "천문대", "기차역", "종자 은행", "시계탑", "방직 공장", "과수원", "등대", "빵집", "나룻배 터"]
KO_GOODS = ["쌀", "소금", "목화", "귤", "김", "옹기", "한지", "비단", "녹차", "버섯"]
KO_SEASONS = ["봄", "여름", "가을", "겨울"]
KO_WEATHER = ["태풍", "가뭄", "폭설", "장마", "황사"]
KO_ROLES = ["설계를 맡았다", "돈을 모았다", "주민을 설득했다", "지붕을 고쳤다", "길을 새로 냈다", "기록을 남겼다"]
KO_BOOKS = ["바람의 지도", "소금 길", "별을 세는 밤", "강가의 학교", "늦은 수확", "푸른 등불"]

# invented names and things, English
EN_PLACES = ["Marlow Creek", "Eastbrook", "Fernhollow", "Kestrel Bay", "Oakridge Falls", "Thistledown", "Amberfield"]
EN_PLACES += ["Brindle Harbor", "Silverpine", "Wrenford"]
EN_PEOPLE = ["Elena Voss", "Tomas Reyes", "Mira Okafor", "Jonah Pell", "Ada Lindqvist", "Samuel Achebe"]
EN_PEOPLE += ["Hana Kobayashi", "Luca Ferraro", "Nadia Petrov", "Owen Castell"]
EN_THINGS = ["library", "observatory", "ferry terminal", "seed bank", "clock tower", "textile mill", "orchard"]
EN_THINGS += ["lighthouse", "bakery", "rope bridge"]
EN_GOODS = ["barley", "salt", "wool", "pears", "kelp", "pottery", "paper", "silk", "tea", "mushrooms"]
EN_WEATHER = ["storms", "droughts", "heavy snow", "floods", "dust winds"]
EN_ROLES = ["drew the plans", "raised the money", "persuaded the council", "repaired the roof", "cut a new road"]
EN_ROLES += ["kept the records"]


def _josa(word: str, pair: str) -> str:
    """A Korean particle after `word`: 을/를, 이/가, 은/는, 과/와 by its last syllable's final consonant."""
    last = word[-1]
    final = 0xAC00 <= ord(last) <= 0xD7A3 and (ord(last) - 0xAC00) % 28 != 0
    a, b = pair.split("/")
    return word + (a if final else b)


def ko_mcq(r: random.Random, n: int) -> dict:
    place, person, thing, thing2 = r.choice(KO_PLACES), r.choice(KO_PEOPLE), *r.sample(KO_THINGS, 2)
    year = r.randrange(1720, 2010)
    q = r.choice(
        [
            f"다음 중 {year}년 {place}에 {_josa(thing, '이/가')} 세워질 때 {_josa(person, '이/가')} 한 일로 옳은 것은?",
            f"{place}의 {thing}에 대한 설명으로 옳지 않은 것은? (단, {year}년 기록을 따른다)",
            f"{person}의 책 「{r.choice(KO_BOOKS)}」에 나오는 {place} {_josa(thing, '과/와')} 관계있는 것은?",
        ]
    )
    choices = [
        f"{r.randrange(12, 900)}명의 주민과 함께 {_josa(thing2, '을/를')} 고쳤다",
        f"{r.choice(KO_GOODS)} 값을 {r.randrange(2, 9)}배로 올렸다",
        f"{r.choice(KO_SEASONS)}마다 {_josa(r.choice(KO_WEATHER), '을/를')} 막을 둑을 쌓았다",
        f"{r.choice(KO_PLACES)}까지 가는 {_josa(r.choice(KO_THINGS), '을/를')} 새로 열었다",
    ]
    return {"id": f"ko-mcq-{n:04d}", "question": q, "choices": choices, "answer": r.randrange(4)}


def ko_reading(r: random.Random, n: int) -> dict:
    place, person, thing = r.choice(KO_PLACES), r.choice(KO_PEOPLE), r.choice(KO_THINGS)
    year, good = r.randrange(1720, 2010), r.choice(KO_GOODS)
    sentences = [
        f"{year}년 {place}에는 처음으로 {_josa(thing, '이/가')} 문을 열었다.",
        f"당시 {_josa(person, '은/는')} 주민 {r.randrange(20, 990)}명과 함께 {r.choice(KO_ROLES)}.",
        f"그 뒤 {year + r.randrange(2, 30)}년까지 {place}의 {good} 거래는 {r.randrange(11, 95)}퍼센트 늘었다.",
        f"그러나 {r.choice(KO_SEASONS)}마다 찾아오는 {r.choice(KO_WEATHER)} 때문에 {_josa(thing, '은/는')} "
        f"{r.randrange(2, 12)}번이나 문을 닫아야 했다.",
        f"오늘날 {place} 사람들은 {_josa(person, '을/를')} 기리며 해마다 {r.choice(KO_SEASONS)}에 잔치를 연다.",
    ]
    passage = " ".join(sentences[: r.randrange(3, 6)])
    q = r.choice(["윗글의 내용과 일치하는 것은?", f"윗글에서 {_josa(person, '이/가')} 한 일로 알맞은 것은?"])
    choices = [f"{_josa(r.choice(KO_THINGS), '을/를')} {r.choice(KO_ROLES)[:-2]}" for _ in range(4)]
    return {"id": f"ko-read-{n:04d}", "passage": passage, "question": q, "choices": choices}


def en_mcq(r: random.Random, n: int) -> dict:
    place, person, thing, thing2 = r.choice(EN_PLACES), r.choice(EN_PEOPLE), *r.sample(EN_THINGS, 2)
    year = r.randrange(1720, 2010)
    q = r.choice(
        [
            f"Which of the following best describes what {person} did when the {thing} of {place} was built in {year}?",
            f"According to the town records of {year}, which statement about the {thing} in {place} is false?",
            f"Why did the council of {place} ask {person} to look after the old {thing} after {year}?",
        ]
    )
    choices = [
        f"{person.split()[0]} worked with {r.randrange(12, 900)} neighbours to repair the {thing2}",
        f"the price of {r.choice(EN_GOODS)} rose {r.randrange(2, 9)} times over",
        f"a wall was raised against the {r.choice(EN_WEATHER)} that came every year",
        f"a new road was opened to {r.choice(EN_PLACES)} past the {r.choice(EN_THINGS)}",
    ]
    return {"id": f"en-mcq-{n:04d}", "question": q, "choices": choices, "answer": r.randrange(4)}


def en_reading(r: random.Random, n: int) -> dict:
    place, person, thing = r.choice(EN_PLACES), r.choice(EN_PEOPLE), r.choice(EN_THINGS)
    year, good = r.randrange(1720, 2010), r.choice(EN_GOODS)
    sentences = [
        f"In {year}, the town of {place} opened its first {thing}.",
        f"{person} gathered {r.randrange(20, 990)} volunteers and {r.choice(EN_ROLES)} before the winter came.",
        f"By {year + r.randrange(2, 30)}, the trade in {good} through {place} had grown by "
        f"{r.randrange(11, 95)} percent.",
        f"Yet the {r.choice(EN_WEATHER)} of every season closed the {thing} {r.randrange(2, 12)} times.",
        f"Today the people of {place} remember {person.split()[0]} with a fair held each spring.",
    ]
    passage = " ".join(sentences[: r.randrange(3, 6)])
    q = r.choice(
        ["Which statement is supported by the passage?", f"What does the passage say {person.split()[0]} did?"]
    )
    choices = [f"{r.choice(EN_ROLES)} for the {r.choice(EN_THINGS)}" for _ in range(4)]
    return {"id": f"en-read-{n:04d}", "passage": passage, "question": q, "choices": choices}


MAKERS = {
    "ko_mcq": (ko_mcq, 80),
    "ko_reading": (ko_reading, 60),
    "en_mcq": (en_mcq, 60),
    "en_reading": (en_reading, 40),
}


def filler(n: int, seed: int) -> list[dict]:
    """Items of random syllables and invented words: an index of millions of windows, none of them news."""
    r = random.Random(seed + 1)
    syllables = [chr(0xAC00 + r.randrange(11172)) for _ in range(600)]
    vocab = [
        "".join(r.choice("bcdfghklmnprstvwz") + r.choice("aeiou") for _ in range(r.randrange(2, 5)))
        for _ in range(5000)
    ]
    out = []
    for i in range(n):
        if i % 2:
            words = ["".join(r.choices(syllables, k=r.randrange(1, 5))) for _ in range(r.randrange(10, 20))]
        else:
            words = r.choices(vocab, k=r.randrange(15, 35))
        out.append({"id": f"filler-{i}", "question": " ".join(words)})
    return out


def render(item: dict, r: random.Random) -> list[str]:
    """The item as a page shows it: passage, question, labelled choices, each on its line."""
    korean = item["id"].startswith("ko")
    labels = r.choice([["①", "②", "③", "④"], ["1)", "2)", "3)", "4)"]] if korean else [["A.", "B.", "C.", "D."]])
    lines = [item["passage"]] if "passage" in item else []
    lines.append(item["question"])
    lines += [f"{lab} {c}" for lab, c in zip(labels, item["choices"], strict=True)]
    return lines


def respace(text: str, r: random.Random) -> str:
    out = []
    for i, ch in enumerate(text):
        if ch == " " and r.random() < 0.5:
            out.append("" if _hangul(text[i - 1 : i]) else "  ")
        else:
            out.append(ch)
            if _hangul(ch) and _hangul(text[i + 1 : i + 2]) and r.random() < 0.15:
                out.append(" ")
            if ch.isalpha() and text[i + 1 : i + 2] in (",", ".", "?") and r.random() < 0.5:
                out.append(" ")
    return "".join(out)


def _hangul(ch: str) -> bool:
    return len(ch) == 1 and "가" <= ch <= "힣"


def rewrap(text: str, r: random.Random) -> str:
    """Short lines: Korean broken anywhere every 8-16 characters, English at spaces every 15-30."""
    flat = " ".join(text.split("\n"))
    lines, line = [], ""
    if any(_hangul(c) for c in flat):
        width = r.randrange(8, 17)
        return "\n".join(flat[i : i + width].strip() for i in range(0, len(flat), width))
    width = r.randrange(15, 31)
    for word in flat.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def edit(text: str, r: random.Random, k: int) -> str:
    """`k` letters replaced by another of their script."""
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    for i in r.sample(letters, min(k, len(letters))):
        c = chars[i]
        chars[i] = chr(r.randrange(0xAC00, 0xD7A4)) if _hangul(c) else r.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def variant(lines: list[str], how: str, r: random.Random) -> list[str]:
    """The blocks of text to inject (one, or several for pieces)."""
    text = "\n".join(lines)
    if how == "respaced":
        return [respace(text, r)]
    if how == "rewrapped":
        return [rewrap(text, r)]
    if how == "edited":
        return [edit(text, r, 3)]
    if how == "all":
        return [rewrap(respace(edit(text, r, 2), r), r)]
    if how == "part":
        return [text[: int(len(text) * 0.6)]]
    if how == "pieces":
        k = r.choice((2, 3)) if len(lines) >= 3 else 2
        if len(lines) < k:  # one long line: cut it at spaces
            words = text.split(" ")
            step = -(-len(words) // k)
            return [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
        cuts = sorted(r.sample(range(1, len(lines)), k - 1))
        return ["\n".join(lines[a:b]) for a, b in zip([0, *cuts], [*cuts, len(lines)], strict=True)]
    return [text]


def inject(news: str, blocks: list[str], r: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """The news text with the blocks put between its lines (in order, at distinct places); the spans of news text
    as (start, end) in the result."""
    lines = news.split("\n")
    at = sorted(r.sample(range(len(lines) + 1), len(blocks))) if len(lines) + 1 >= len(blocks) else [0] * len(blocks)
    parts: list[tuple[str, bool]] = []
    prev = 0
    for pos, block in zip(at, blocks, strict=True):
        parts += [(line, True) for line in lines[prev:pos]]
        parts.append((block, False))
        prev = pos
    parts += [(line, True) for line in lines[prev:]]
    text, news_spans, offset = [], [], 0
    for i, (piece, is_news) in enumerate(parts):
        if is_news:
            news_spans.append((offset, offset + len(piece)))
        text.append(piece)
        offset += len(piece) + (i < len(parts) - 1)
    return "\n".join(text), news_spans


def removed_ranges(doc: Document) -> list[tuple[int, int]]:
    out, pos = [], 0
    for span in trace(doc.text, doc.edits):
        if span.edit is not None:
            out.append((pos, pos + len(span.text)))
        pos += len(span.text)
    return out


def cut_news_lines(text: str, news_spans: list[tuple[int, int]], removed: list[tuple[int, int]]) -> tuple[int, int]:
    """(news lines with text, those of them that lost a character that is not white space)."""
    total = cut = 0
    for s, e in news_spans:
        if not text[s:e].strip():
            continue
        total += 1
        cut += any(a < e and s < b and text[max(a, s) : min(b, e)].strip() for a, b in removed)
    return total, cut


def english_news() -> list[str]:
    """The English side of the jungyeul pairs, eight sentences a record."""
    if not PAIRS.exists():
        return []
    with tarfile.open(PAIRS) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".en"))
        sentences = tar.extractfile(member).read().decode("utf-8").splitlines()  # type: ignore[union-attr]
    sentences = [s.strip() for s in sentences if s.strip()]
    return ["\n".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=3000, help="records timed with the decont step and the default")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--extra-items", type=int, default=0, help="filler items in the index (its size)")
    ap.add_argument("--datatrove", action="store_true", help="also datatrove's 12-gram idea on the same copies")
    a = ap.parse_args()
    if not NEWS.exists():
        print(f"no {NEWS}: this bench needs ../shared", file=sys.stderr)
        return 1
    with gzip.open(NEWS) as f:
        news = [orjson.loads(line)["text"] for line in f]
    english = english_news()
    r = random.Random(a.seed)
    items: dict[str, list[dict]] = {b: [make(r, n) for n in range(count)] for b, (make, count) in MAKERS.items()}
    tmp = Path(tempfile.mkdtemp(prefix="decont-bench-"))
    specs = []
    for b, its in items.items():
        (tmp / f"{b}.jsonl").write_bytes(b"".join(orjson.dumps(it) + b"\n" for it in its))
        specs.append(str(tmp / f"{b}.jsonl"))
    if a.extra_items:
        (tmp / "filler.jsonl").write_bytes(b"".join(orjson.dumps(it) + b"\n" for it in filler(a.extra_items, a.seed)))
        specs.append(str(tmp / "filler.jsonl"))
    t0 = time.perf_counter()
    meta = build(specs, tmp / "index")
    print(
        f"index: {sum(len(v) for v in items.values())} items (+{a.extra_items:,} filler), {meta['windows']:,} windows, "
        f"built in {time.perf_counter() - t0:.2f} s; skipped: "
        + ", ".join(f"{k} {v['too_short']} short, {v['too_common']} common" for k, v in meta["benchmarks"].items())
    )
    step = Decontaminate(str(tmp / "index"))
    step.setup()

    # the injected copies: every item, every way, each into a record of its own
    copies: list[tuple[str, str, str, list[tuple[int, int]], list[str]]] = []  # bench, id, how, text, news spans
    k = 0
    for b, its in items.items():
        for it in its:
            for how in VARIANTS + EXTRA:
                host = english[k % len(english)] if (b.startswith("en") and english and k % 2) else news[k % len(news)]
                k += 1
                blocks = variant(render(it, r), how, r)
                text, spans = inject(host, blocks, r)
                copies.append((b, it["id"], how, text, spans, blocks))  # type: ignore[arg-type]
    found: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    covered = Counter[str]()
    injected_chars = Counter[str]()
    news_lines = news_cut = 0
    misses = []
    for b, item_id, how, text, spans, blocks in copies:
        doc = Document(item_id, text)
        step.process(doc)
        shown[how] += 1
        if any(e.rule == f"decont.{b}" and f" item {item_id}:" in e.reason for e in doc.edits):
            found[how] += 1
        elif len(misses) < 5 and how in VARIANTS:
            misses.append((b, item_id, how, blocks))
        removed = removed_ranges(doc)
        total, cut = cut_news_lines(text, spans, removed)
        news_lines += total
        news_cut += cut
        gone = sum(len("".join(text[s:e].split())) for s, e in removed)
        news_gone = sum(
            len("".join(text[max(s, a) : min(e, b2)].split()))
            for a, b2 in removed
            for s, e in spans
            if s < b2 and a < e
        )
        covered[how] += gone - news_gone
        injected_chars[how] += sum(len("".join(x.split())) for x in blocks)
    print(f"\n{'injection':<10} {'copies':>6} {'recall':>7} {'chars cut':>9}")
    for how in VARIANTS + EXTRA:
        print(
            f"{how:<10} {shown[how]:>6} {found[how] / shown[how]:>7.3f} {covered[how] / injected_chars[how]:>9.3f}"
            + ("  (outside the bar)" if how in EXTRA else "")
        )
    bar = sum(found[h] for h in VARIANTS) / sum(shown[h] for h in VARIANTS)
    print(f"recall over {', '.join(VARIANTS)}: {bar:.4f} (bar 0.99)")
    for m in misses:
        print("missed:", m[0], m[1], m[2], repr(m[3])[:300])

    # clean news: every record as it is, and the English records
    clean_lines = clean_cut = clean_docs = 0
    for i, text in enumerate(news + english):
        doc = Document(str(i), text)
        step.process(doc)
        total, cut = cut_news_lines(
            text, [(0, len(text))] if "\n" not in text else _line_spans(text), removed_ranges(doc)
        )
        clean_lines += total
        clean_cut += cut
        clean_docs += bool(doc.edits)
    print(
        f"\nnews lines cut without an injection: {news_cut + clean_cut} of {news_lines + clean_lines:,} "
        f"({(news_cut + clean_cut) / (news_lines + clean_lines):.5%}; bar 0.1%); clean records touched: "
        f"{clean_docs} of {len(news) + len(english):,}"
    )

    _throughput(news[: a.records], tmp / "index")
    if a.datatrove:
        _datatrove(items, copies, news + english)
    shutil.rmtree(tmp)
    return 0


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _throughput(texts: list[str], index: Path) -> None:
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"\nthroughput on {len(texts):,} news records ({mb:.1f} MB), one process:")
    for label, pipe in (
        ("decont step", Pipeline([Decontaminate(str(index))])),
        ("default recipe", Pipeline.from_recipe()),
    ):
        pipe.setup()
        t0 = time.perf_counter()
        for i, t in enumerate(texts):
            pipe.process(Document(str(i), t))
        s = time.perf_counter() - t0
        print(f"  {label:<15} {s:7.2f} s  {len(texts) / s:8,.0f} docs/s  {mb / s:6.2f} MB/s")


def _datatrove(items: dict[str, list[dict]], copies: list, clean: list[str]) -> None:
    """datatrove's NGramsDecontFilter over an index of its own hashes of every item's text (12-grams)."""
    from types import SimpleNamespace

    import numpy as np
    import xxhash
    from datatrove.data import Document as DtDoc
    from datatrove.pipeline.decont import NGramsDecontConfig, NGramsDecontFilter, NGramsDecontIndexer
    from datatrove.utils.word_tokenizers import KiwiTokenizer

    cfg = NGramsDecontConfig(find_query_ngrams=True)
    folder = Path(tempfile.mkdtemp(prefix="decont-dt-"))  # (removed at the end)
    filters = {}
    for lang in ("ko", "en"):
        f = NGramsDecontFilter(str(folder / lang), config=cfg, language={"ko": "kor", "en": "eng"}[lang])
        if lang == "ko":  # its Korean tokenizer asks for Kiwi's "sbg" model, which kiwipiepy-model does not hold
            f.tokenizer = KiwiTokenizer(model_type=None)
        # its xxhash64 hands xxhash a str, which xxhash 3 refuses: the same hash of the UTF-8 bytes
        f.hash_func = lambda s: xxhash.xxh64_intdigest(s.encode("utf-8"))
        indexer = SimpleNamespace(tokenizer=f.tokenizer, config=cfg, hash_func=f.hash_func)
        (folder / lang).mkdir()
        for b, its in items.items():
            if b.startswith(lang):
                hashes = set()
                for it in its:
                    query = "\n".join([it.get("passage", ""), it["question"], *it["choices"]])
                    hashes.update(NGramsDecontIndexer.compute_hashes(indexer, it["choices"][0], query))
                np.array(sorted(hashes), dtype=cfg.hash_config.np_descr).tofile(folder / lang / f"{b}.index.hashes")
        filters[lang] = f
    found: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    for b, _item_id, how, text, _spans, _blocks in copies:
        shown[how] += 1
        found[how] += filters[b[:2]].filter(DtDoc(text=text, id="x")) is not True
    print("\ndatatrove 12-grams (document dropped when any 12-gram of an item is in it):")
    for how in VARIANTS + EXTRA:
        print(f"  {how:<10} recall {found[how] / shown[how]:.3f}")
    flagged = sum(filters["ko"].filter(DtDoc(text=t, id="x")) is not True for t in clean)
    print(f"  clean records dropped (Korean tokenizer): {flagged} of {len(clean):,}")
    shutil.rmtree(folder)


if __name__ == "__main__":
    sys.exit(main())
