"""Lines a news site repeats inside its articles: made-up portal pages around real stories, in a WARC, cleaned as a
user would (`malgeum clean crawl/ -o OUT`, the default recipe).

    python bench/portal_warc.py [--out DIR] [--pages-scale 1.0] [--show SITE]

Five made-up sites, each with its own page template (different markup, and different lines inside the article
element: a reporter box, `입력 … | 수정 …` stamps, a share bar, an ad line, a related list, a most-read list, a
comments widget), four Korean and one English, some with many pages and some with only a few. The boxes carry
generated class names (`css-0f1e`), as many sites ship them: an extractor cannot tell a box's role from its class,
so what it keeps of them is what the recipe's steps must cut. Every page
varies what a real template varies: the stamps' dates and times, the reporter (one of the site's staff), the
related titles (other stories of the site), the most-read list (one per day of pages), counts of comments and
likes. The story text is real, read here from ../shared/data (Chosun RSS `content_html` and Naver News for the
Korean sites, the English records of Naver News for the English site) and never stored in the project: its title
and paragraphs are the gold of the page.

Scoring: per page, kept text against the gold by `score_clean.overlap` (../shared/tools: lines aligned with
difflib, then characters): precision = gold characters kept / characters kept, recall = gold characters kept /
gold characters, summed over the site's pages (a dropped page keeps nothing). `--show SITE` prints the kept
lines of SITE that are not gold, most frequent first.
"""

from __future__ import annotations

import argparse
import gzip
import html
import importlib.util
import io
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from malgeum.explain import iter_records

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CHOSUN = SHARED / "data" / "chosun_rss_neardup" / "chosun_raw_html_sample.jsonl.gz"
NAVER = SHARED / "data" / "naver_news_raw" / "naver_news_dev.jsonl.gz"
SCORER = SHARED / "tools" / "score_clean.py"
SEED = 3


@dataclass
class Story:
    title: str
    paragraphs: list[str]


# --- stories --------------------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_FIGURE = re.compile(r"<figure\b.*?</figure>", re.S | re.I)
_BREAKS = re.compile(r"(?:<br\s*/?>\s*){2,}|</p>\s*<p[^>]*>", re.I)
# a story paragraph: a sentence that ends like one, with none of the marks of the junk a raw record carries
_KO_SENTENCE = re.compile(r"[다요죠까]\.[\"'”’)]?$")
_JUNK_MARKS = re.compile(r"@|ⓒ|©|무단|기자|▶|☞|\[사진|사진=|제공\)|뉴스1|연합뉴스|재배포|구독|https?://|www\.")


def _clean_paragraphs(parts: list[str], sentence: re.Pattern[str], junk: re.Pattern[str]) -> list[str]:
    out = []
    for p in parts:
        p = " ".join(html.unescape(_TAG.sub(" ", p)).split())
        if 40 <= len(p) <= 600 and sentence.search(p) and not junk.search(p):
            out.append(p)
    return out


def korean_stories() -> list[Story]:
    """Chosun RSS stories (their `content_html` without figures), then Naver News stories, cleaned to the
    paragraphs that are story sentences."""
    stories = []
    with gzip.open(CHOSUN, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            body = _FIGURE.sub(" ", r.get("content_html") or "")
            paras = _clean_paragraphs(_BREAKS.split(body), _KO_SENTENCE, _JUNK_MARKS)
            if len(paras) >= 3 and r.get("title"):
                stories.append(Story(" ".join(r["title"].split()), paras[:8]))
    with gzip.open(NAVER, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            paras = _clean_paragraphs(r["text"].split("\n"), _KO_SENTENCE, _JUNK_MARKS)
            if len(paras) >= 3 and r.get("title"):
                stories.append(Story(" ".join(r["title"].split()), paras[:8]))
    return stories


_EN_SENTENCE = re.compile(r"[.!?][\"'”’)]?$")
_EN_JUNK = re.compile(r"\[[A-Z][A-Z .,'-]{2,40}\]$|@|https?://")  # a photo caption ends in its credit: [YONHAP]


def english_stories() -> list[Story]:
    """The English records of Naver News (Korea JoongAng Daily), without their photo captions."""
    stories = []
    with gzip.open(NAVER, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            text = r["text"]
            if len(re.findall(r"[A-Za-z]", text)) < 3 * len(re.findall(r"[가-힣]", text)) + 200:
                continue
            paras = _clean_paragraphs(text.split("\n"), _EN_SENTENCE, _EN_JUNK)
            if len(paras) >= 3 and r.get("title"):
                stories.append(Story(" ".join(r["title"].split()), paras[:8]))
    return stories


# --- sites ----------------------------------------------------------------------------------------------------


@dataclass
class Page:
    """What varies from page to page of one site."""

    story: Story
    rng: random.Random
    index: int
    related: list[str]  # titles of other stories of the site
    popular: list[str]  # the most-read list of the page's day

    def stamp(self, fmt: str) -> tuple[str, str]:
        """Two times of one day in `fmt` (a strftime format): published, then updated."""
        day = time.mktime((2026, 1, 1 + self.index // 6, 6, 0, 0, 0, 0, -1))
        t1 = day + self.rng.randrange(0, 12 * 3600)
        t2 = t1 + self.rng.randrange(600, 6 * 3600)
        return time.strftime(fmt, time.localtime(t1)), time.strftime(fmt, time.localtime(t2))


def _paragraphs(page: Page, tag: str = "p", ad: str = "") -> str:
    """The story's paragraphs, with `ad` after one of them, a different one from page to page (so the ad line
    stands beside different lines on every page)."""
    paras = page.story.paragraphs
    ad_after = page.rng.randrange(1, len(paras))
    out = []
    for i, p in enumerate(paras):
        out.append(f"<{tag}>{html.escape(p)}</{tag}>")
        if ad and i + 1 == ad_after:
            out.append(ad)
    return "\n".join(out)


def _items(titles: list[str], tag: str = "li") -> str:
    return "".join(f'<{tag}><a href="/news/{abs(hash(t)) % 99999}">{html.escape(t)}</a></{tag}>' for t in titles)


def garam(page: Page) -> str:
    """A portal with everything inside <article>: stamps under the headline, a share bar, an ad after the
    second paragraph, a reporter box with subscribe and cheer buttons, related and most-read lists, comments."""
    rng = page.rng
    d1, d2 = page.stamp("%Y.%m.%d %H:%M")
    # twelve reporters over forty pages: most names are on fewer pages than a template needs
    name = rng.choice(
        [
            "김가람",
            "이누리",
            "박한별",
            "최은비",
            "정다운",
            "한솔잎",
            "오새봄",
            "유하준",
            "배시온",
            "권도윤",
            "남궁별",
            "황보람",
        ]
    )
    updated = f" | <span>수정 {d2}</span>" if rng.random() < 0.7 else ""  # some stories are never updated
    ad = '<div class="css-0000">[광고] 가람은행 새해 특판 정기예금 연 4.5% 가입하기</div>'
    return f"""<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">
<title>{html.escape(page.story.title)} - 가람뉴스</title></head>
<body><header><div class="css-1eef"><a href="/">가람뉴스</a></div><nav><ul><li><a href="/politics">정치</a></li><li>
<a href="/economy">경제</a></li>
<li><a href="/society">사회</a></li><li><a href="/world">국제</a></li><li><a href="/culture">문화</a></li><li>
<a href="/sports">스포츠</a></li></ul></nav></header>
<main><article class="css-16e9">
<h1 class="css-0ee3">{html.escape(page.story.title)}</h1>
<div class="css-06dd"><span>입력 {d1}</span>{updated}</div>
<div class="css-25cc"><button>페이스북</button> <button>트위터</button> <button>카카오톡</button>
<button>URL 복사</button></div>
<div class="css-1dc6">
{_paragraphs(page, ad=ad)}
</div>
<div class="css-15c0"><div><strong>{name} 기자</strong></div><div><a href="/sub">구독</a></div><div>
<a href="/cheer">응원하기</a></div></div>
<section class="css-0dba"><h3>관련기사</h3><ul>{_items(page.related)}</ul></section>
<section class="css-05b4"><h3>많이 본 뉴스</h3><ol>{_items(page.popular)}</ol></section>
<div class="css-24a3"><h3>댓글 {rng.randrange(0, 300)}</h3><p>로그인하고 댓글을 남겨주세요</p></div>
</article></main>
<footer><p>가람뉴스 | 서울특별시 가람구 가람로 1 | 대표전화 02-000-0000</p>
<p>Copyright © 가람뉴스. All rights reserved.</p></footer>
</body></html>"""


def nuri(page: Page) -> str:
    """Divs, not <article>: the reporter's line and e-mail above the story, stamps in one line, an `AD` line
    between paragraphs, a recommend counter, 'read together' and 'real-time popular' lists, a comments count."""
    rng = page.rng
    d1, d2 = page.stamp("%Y-%m-%d %H:%M")
    name, mail = rng.choice(
        [("김철수", "kcs"), ("윤소라", "ysr"), ("장마루", "jmr"), ("서하늘", "shn"), ("문가온", "mgo")]
    )
    ad = '<div class="css-1c9d">AD ▶ 누리몰 설맞이 최대 70% 할인 바로가기</div>'
    return f"""<html><head><meta charset="utf-8"><title>{html.escape(page.story.title)} | 누리일보</title></head><body>
<div class="gnb">
<a href="/">누리일보</a> <a href="/all">전체기사</a> <a href="/local">지역</a>
<a href="/opinion">오피니언</a> <a href="/login">로그인</a>
</div>
<div class="c"><div class="css-1497"><h2 class="css-0c91">{html.escape(page.story.title)}</h2>
<p class="css-048b">{name} 기자 {mail}@nuri-ilbo.example</p><p class="css-237a">기사입력 {d1} · 최종수정 {d2}</p></div>
<div class="css-1b74">
{_paragraphs(page, tag="div", ad=ad)}
</div>
<div class="css-136e"><p>이 기사를 추천합니다 (추천 {rng.randrange(0, 90)})</p>
<p><a href="/reporter">기자의 다른 기사 보기</a></p>
<div class="css-0b68"><strong>함께 보면 좋은 기사</strong><ul>{_items(page.related)}</ul></div>
<div class="css-0362"><strong>실시간 인기 기사</strong><ol>{_items(page.popular)}</ol></div>
<div class="css-2251"><p>전체 댓글 {rng.randrange(0, 40)}개</p><p><a href="/cmt">댓글 쓰기</a></p></div></div></div>
<div class="f">누리일보 · 등록번호 가람 아00000 · 발행인 누리 · ⓒ 누리일보 무단전재 및 재배포 금지</div>
</body></html>"""


def hanbit(page: Page) -> str:
    """A small site: one line of name, reporter and stamp, a share line and a related list after the story."""
    rng = page.rng
    d1, _ = page.stamp("%Y.%m.%d %H:%M")
    name = rng.choice(["강한빛", "노을진"])
    return f"""<html><head><meta charset="utf-8"><title>{html.escape(page.story.title)}</title></head><body>
<div class="css-1a4b"><a href="/">한빛타임스</a> <a href="/news">뉴스</a> <a href="/people">사람들</a></div>
<article><header><h1>{html.escape(page.story.title)}</h1>
<p class="css-1245">한빛타임스 | {name} 기자 | 승인 {d1}</p></header>
{_paragraphs(page)}
<p class="css-25cc">이 기사를 공유합니다</p>
<div class="css-0a3f"><h4>관련기사</h4><ul>{_items(page.related[:2])}</ul></div></article>
<div class="css-0239">ⓒ 한빛타임스 무단전재 및 재배포 금지</div></body></html>"""


def dalbit(page: Page) -> str:
    """A mid-sized site: a registration stamp with seconds, a guest reporter, reaction buttons with counts, a
    most-read list inside the article."""
    rng = page.rng
    d1, _ = page.stamp("%Y.%m.%d %H:%M:%S")
    name = rng.choice(["달빛나", "별하람", "구름솔"])
    return f"""<html><head><meta charset="utf-8"><title>{html.escape(page.story.title)} - 달빛데일리</title></head>
<body>
<nav><a href="/">달빛데일리</a> · <a href="/hot">화제</a> · <a href="/life">생활</a></nav>
<article class="css-2128"><h1>{html.escape(page.story.title)}</h1><div class="css-1922">등록 {d1}</div>
<div class="css-111c">{_paragraphs(page)}</div>
<div class="css-0916">{name} 객원기자</div>
<div class="css-0110"><span>좋아요 {rng.randrange(0, 50)}</span> <span>화나요 {rng.randrange(0, 9)}</span></div>
<div class="css-1fff"><h3>많이 본 뉴스</h3><ul>{_items(page.popular[:4])}</ul></div></article>
<footer>달빛데일리 · 청소년보호책임자 달빛 · 제보 tip@dalbit.example</footer></body></html>"""


def harbour(page: Page) -> str:
    """An English paper: byline and dateline, a share bar, an advertisement line, related stories, most read,
    a comments count and a sign-in prompt, a newsletter box."""
    rng = page.rng
    d1, d2 = page.stamp("%b. %d, %Y %I:%M %p")
    name = rng.choice(["Jane Doe", "Sam Roe", "Ada Moss", "Tom Quill"])
    ad = '<div class="css-17f9">ADVERTISEMENT</div>'
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(page.story.title)} | Harbour Post</title></head>
<body><header><a href="/">The Harbour Post</a><nav>
<a href="/news">News</a> <a href="/business">Business</a> <a href="/sport">Sport</a> <a href="/opinion">Opinion</a>
</nav></header>
<main><article>
<h1>{html.escape(page.story.title)}</h1>
<p class="css-0ff3">By {name}</p>
<p class="css-07ed">Published {d1} | Updated {d2}</p>
<ul class="css-25cc"><li>Share on Facebook</li><li>Share on X</li><li>Email this story</li></ul>
{_paragraphs(page, ad=ad)}
<aside class="css-26dc"><p>Get the Harbour Post morning briefing in your inbox.</p></aside>
<section><h2>Related stories</h2><ul>{_items(page.related)}</ul></section>
<section><h2>Most read</h2><ol>{_items(page.popular)}</ol></section>
<div class="css-24a3"><h3>Comments ({rng.randrange(0, 120)})</h3><p>Sign in to join the conversation.</p></div>
</article></main><footer>© 2026 The Harbour Post. All rights reserved.</footer></body></html>"""


@dataclass
class Site:
    host: str
    lang: str
    pages: int
    render: Callable[[Page], str]


SITES = [
    Site("news.garam.example", "ko", 40, garam),
    Site("www.nuri-ilbo.example", "ko", 24, nuri),
    Site("dalbit-daily.example", "ko", 8, dalbit),
    Site("hanbit-times.example", "ko", 4, hanbit),
    Site("harbourpost.example", "en", 20, harbour),
]


def _distinct(stories: list[Story]) -> list[Story]:
    """One story per title and per first paragraph (the Chosun sample holds edited versions of one story)."""
    seen: set[str] = set()
    out = []
    for s in stories:
        if s.title not in seen and s.paragraphs[0] not in seen:
            seen.update((s.title, s.paragraphs[0]))
            out.append(s)
    return out


def build(out: Path, scale: float) -> dict[str, tuple[str, str]]:
    """Write out/crawl/portals.warc.gz; returns {url: (host, gold text)}."""
    from fastwarc.warc import WarcRecord, WarcRecordType

    rng = random.Random(SEED)
    pools = {"ko": _distinct(korean_stories()), "en": _distinct(english_stories())}
    for pool in pools.values():
        rng.shuffle(pool)
    taken = {"ko": 0, "en": 0}
    gold: dict[str, tuple[str, str]] = {}
    data = io.BytesIO()
    for site in SITES:
        n = max(1, round(site.pages * scale))
        pool = pools[site.lang]
        stories = pool[taken[site.lang] : taken[site.lang] + n]
        taken[site.lang] += n
        if len(stories) < n:
            raise SystemExit(f"{site.host}: {len(stories)} {site.lang} stories, {n} wanted")
        titles = [s.title for s in stories]
        days = {}
        for i, story in enumerate(stories):
            others = [t for t in titles if t != story.title]
            day = i // 6  # six pages a day share the day's most-read list
            days.setdefault(day, random.Random(f"{site.host}{day}").sample(titles, min(5, len(titles))))
            page = Page(story, random.Random(f"{site.host}{i}"), i, rng.sample(others, min(3, len(others))), days[day])
            url = f"https://{site.host}/news/2026/{i + 1:05d}"
            body = site.render(page).encode("utf-8")
            rec = WarcRecord()
            rec.init_headers(record_type=WarcRecordType.response)
            rec.headers["WARC-Target-URI"] = url
            rec.headers["Content-Type"] = "application/http; msgtype=response"
            rec.set_bytes_content(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body)
            buf = io.BytesIO()
            rec.write(buf)
            data.write(gzip.compress(buf.getvalue()))
            gold[url] = (site.host, "\n".join([story.title, *story.paragraphs]))
    (out / "crawl").mkdir(parents=True, exist_ok=True)
    (out / "crawl" / "portals.warc.gz").write_bytes(data.getvalue())
    return gold


def _scorer() -> Callable[[str, str], tuple[int, int, int]]:
    spec = importlib.util.spec_from_file_location("score_clean", SCORER)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.overlap


def kept_texts(run: Path) -> dict[str, str]:
    """{url: kept text} of a run's output (dropped pages are absent)."""
    out = {}
    for _, r in iter_records(run, ("kept",)):  # whatever the run's compression
        out[r["meta"].get("url")] = r["text"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/tmp/malgeum-portal-warc"))
    ap.add_argument("--pages-scale", type=float, default=1.0, help="multiply every site's page count")
    ap.add_argument("--show", metavar="HOST", help="print the non-gold lines kept on HOST's pages")
    ap.add_argument("--recipe", default=None, help="recipe name or file (default: the default recipe)")
    a = ap.parse_args()
    t0 = time.time()
    gold = build(a.out, a.pages_scale)
    run = a.out / "run"
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(a.out / "crawl"), "-o", str(run), "-q", "--overwrite"]
    subprocess.run([*cmd, *(["--recipe", a.recipe] if a.recipe else [])], check=True)
    kept = kept_texts(run)
    overlap = _scorer()
    per: dict[str, list[int]] = {}
    stray: dict[str, Counter[str]] = {}
    for url, (host, g) in gold.items():
        text = kept.get(url, "")
        m, pc, gc = overlap(text, g)
        s = per.setdefault(host, [0, 0, 0, 0])
        s[0], s[1], s[2], s[3] = s[0] + m, s[1] + pc, s[2] + gc, s[3] + 1
        gold_lines = {" ".join(x.split()) for x in g.split("\n")}
        c = stray.setdefault(host, Counter())
        c.update(" ".join(x.split()) for x in text.split("\n") if x.strip() and " ".join(x.split()) not in gold_lines)
    summary = orjson.loads((run / "templates" / "summary.json").read_bytes())
    print(f"{len(gold)} pages, {time.time() - t0:.0f} s; templates learned for {summary['hosts_learned']} hosts")
    print(f"{'site':24} {'pages':>5} {'precision':>9} {'recall':>7}  most frequent kept non-gold line")
    total = [0, 0, 0, 0]
    for site in SITES:
        m, pc, gc, n = per[site.host]
        total = [x + y for x, y in zip(total, per[site.host], strict=True)]
        top = stray[site.host].most_common(1)
        first = f"{top[0][1]}x {top[0][0][:50]}" if top else "-"
        print(f"{site.host:24} {n:5} {m / max(pc, 1):9.3f} {m / max(gc, 1):7.3f}  {first}")
    m, pc, gc, n = total
    print(f"{'all':24} {n:5} {m / max(pc, 1):9.3f} {m / max(gc, 1):7.3f}")
    if a.show:
        for line, count in stray[a.show].most_common():
            print(f"{count:4}  {line[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
