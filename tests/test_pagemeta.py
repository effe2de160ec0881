"""Page metadata: what a page declares (OpenGraph, JSON-LD, <meta>, <time>, Korean 입력/수정 stamps) read into its
document's meta, bounded and cleaned; hostile markup leaves fields out and never costs the page; the title is the
document's first line."""

from __future__ import annotations

import gzip
import time

import orjson
import pytest

from malgeum import pagemeta
from malgeum.readers import Fields, ShardReader, plan

BODY = """<p>The harbour authority said on Monday that the ferry service to the northern islands will resume next
week after repairs to the main pier were finished ahead of schedule.</p>
<p>Passengers are advised to book early, as the first sailings are expected to be full.</p>"""

ENGLISH = f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Ferry service to resume next week | Harbour Times</title>
<meta property="og:site_name" content="Harbour Times">
<meta property="og:title" content="Ferry service to resume next week - Harbour Times">
<meta property="og:url" content="https://harbour.example/news/ferry">
<meta property="article:published_time" content="2026-01-05T09:30:00Z">
<meta property="article:modified_time" content="2026-01-06T11:00:00+00:00">
<meta name="author" content="By Jane Doe, John Smith">
<meta property="article:author" content="https://facebook.com/janedoe">
<link rel="canonical" href="/news/ferry-service">
</head><body><nav><a href="/">Home</a></nav>
<main><h1>Ferry service to resume next week</h1>{BODY}</main></body></html>"""

KOREAN = """<!doctype html><html lang="ko-KR"><head><meta charset="utf-8">
<title>서울시, 심야버스 노선 북부 지역까지 확대 - 맑음일보</title>
<meta property="og:site_name" content="맑음일보"><meta name="author" content="맑음일보">
</head><body><article><h1>서울시, 심야버스 노선 북부 지역까지 확대</h1>
<div class="byline"><span>입력</span> <span>2026.01.03</span> 14:05 | <span>수정</span> 2026.01.04. 오후 1:07</div>
<p>서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 3일 밝혔다.</p>
<p>새 노선은 자정부터 오전 5시까지 30분 간격으로 운행되며, 첫 버스는 3월에 서울역에서 출발할 예정이다.</p>
</article></body></html>"""


def _ld(*blobs: object) -> str:
    return "".join(f'<script type="application/ld+json">{orjson.dumps(b).decode()}</script>' for b in blobs)


def _page(head: str = "", body: str = "", lang: str = "") -> str:
    return f"<html{lang}><head>{head}</head><body>{body}</body></html>"


def test_an_english_article_with_opengraph():
    got = pagemeta.from_html(ENGLISH, "https://harbour.example/news/ferry?ref=rss")
    assert got == {
        "site_name": "Harbour Times",
        "title": "Ferry service to resume next week",  # " - Harbour Times" trimmed: it is the site's name
        "page_lang": "en",
        "published": "2026-01-05T09:30:00+00:00",
        "modified": "2026-01-06T11:00:00+00:00",
        "author": "Jane Doe; John Smith",  # "By" dropped, the profile URL of article:author left out
        "canonical": "https://harbour.example/news/ferry-service",  # relative, resolved against the page
    }


def test_a_korean_article_with_its_stamps():
    got = pagemeta.from_html(KOREAN, "https://malgeum.example/news/1")
    assert got["title"] == "서울시, 심야버스 노선 북부 지역까지 확대"
    assert got["site_name"] == "맑음일보" and got["page_lang"] == "ko"
    # the page gives no offset, so none is added; 오후 1:07 is 13:07
    assert (got["published"], got["modified"]) == ("2026-01-03T14:05:00", "2026-01-04T13:07:00")
    assert "author" not in got  # the outlet's own name is no author
    assert "canonical" not in got


@pytest.mark.parametrize(
    ("stamp", "published"),
    [
        ("기사입력 2024-03-01 오후 12:30", "2024-03-01T12:30:00"),
        ("입력 2024.03.01 오전 12:05", "2024-03-01T00:05:00"),
        ("등록 2024년 3월 1일 14시 5분", "2024-03-01T14:05:00"),
        ("송고시간 2024-03-01 09:41", "2024-03-01T09:41:00"),
        ("입력 2024. 3. 1. 14:05", "2024-03-01T14:05:00"),
        ('<em class="term">입력</em><span data-date-time="x">2024.03.01. 오후 2:05</span>', "2024-03-01T14:05:00"),
        ("입력 : 2024.03.01(금)", "2024-03-01"),
        ("입력 2024.13.01 14:05", None),  # no 13th month
        ("입력 2024.02.30", None),
        ("입력 2024.03.01 25:10", None),
        ("검색어 입력 2024년 인기 검색어", None),  # a keyword with no date after it
        ("2024.03.01 입력", None),  # a date before the keyword is not the stamp
    ],
)
def test_korean_stamps(stamp, published):
    got = pagemeta.from_html(_page(body=f"<h1>심야버스 확대</h1><div>{stamp}</div><p>본문</p>"))
    assert got.get("published") == published, got


def test_stamps_are_read_only_on_korean_pages():
    page = _page(body="<h1>Bus routes</h1><p>입력 2024.03.01 14:05</p>", lang=' lang="en"')
    assert "published" not in pagemeta.from_html(page)


def test_json_ld_graph_lists_and_nesting():
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Harbour Times", "url": "https://harbour.example/"},
            {
                "@type": ["NewsArticle", "Article"],
                "headline": "Ferry &amp; bus services <b>resume</b>",
                "datePublished": "2026-01-05",
                "dateModified": "2026-01-07T08:00:00+0100",
                "author": [
                    {"@type": "Person", "name": "Jane Doe"},
                    {"@type": "Organization", "name": "Harbour Times"},
                    {"@type": "Person", "givenName": "John", "familyName": "Smith"},
                    "Mary Major",
                ],
                "publisher": {"@type": "NewsMediaOrganization", "name": "Harbour Times Ltd"},
            },
        ],
    }
    got = pagemeta.from_html(_page(_ld(ld), "<p>text</p>"))
    assert got == {
        "site_name": "Harbour Times Ltd",  # the article's publisher before any WebSite
        "title": "Ferry & bus services resume",
        "published": "2026-01-05",
        "modified": "2026-01-07T08:00:00+01:00",
        "author": "Jane Doe; John Smith; Mary Major",  # an Organization author is a publisher
    }


def test_a_list_of_json_ld_objects_and_a_broken_blob():
    blobs = _ld([{"@type": "BlogPosting", "headline": "Notes from the pier", "datePublished": "2025-12-24"}])
    got = pagemeta.from_html(_page('<script type="application/ld+json">{"@type": "Article",</script>' + blobs))
    assert (got["title"], got["published"]) == ("Notes from the pier", "2025-12-24")


def test_time_elements_and_itemprop():
    article = '<article><h1>Pier</h1><time datetime="2025-11-02T10:00:00+09:00">2 Nov</time></article>'
    sidebar = '<aside><time datetime="2020-01-01">old</time><time datetime="2021-01-01">older</time></aside>'
    assert pagemeta.from_html(_page(body=sidebar + article))["published"] == "2025-11-02T10:00:00+09:00"
    # several <time> outside any <article>, none marked: none is known to be the page's
    assert "published" not in pagemeta.from_html(_page(body=sidebar))
    assert pagemeta.from_html(_page(body=sidebar + '<time pubdate datetime="2024-05-06">'))["published"] == "2024-05-06"
    prop = '<span itemprop="datePublished" content="2024-05-06T07:08:09">6 May</span>'
    assert pagemeta.from_html(_page(body=prop))["published"] == "2024-05-06T07:08:09"
    names = '<meta name="DC.date.issued" content="2023-04-05"><meta name="pubdate" content="20230406">'
    assert pagemeta.from_html(_page(names))["published"] == "2023-04-05"


@pytest.mark.parametrize(
    "value",
    [
        "2026-13-45",
        "2026-02-30",
        "2026-01-01T24:00:00",
        "2026-01-01T10:00:00+15:00",
        "1970-01-01",
        "2999-01-01",
        "yesterday",
        "March 3, 2025",
        "2026-01-01junk",
    ],
)
def test_bad_dates_are_left_out(value):
    got = pagemeta.from_html(_page(f'<meta property="article:published_time" content="{value}">'))
    assert "published" not in got, got


def test_a_date_after_the_crawl_is_refused():
    page = _page('<meta property="article:published_time" content="2026-03-01T10:00:00Z">')
    assert pagemeta.from_html(page, crawled="2026-02-01T00:00:00Z") == {}
    assert pagemeta.from_html(page, crawled="2026-03-01T00:00:00Z")["published"] == "2026-03-01T10:00:00+00:00"


def test_modified_before_published_is_left_out():
    head = '<meta property="article:published_time" content="2026-03-02">'
    head += '<meta property="og:updated_time" content="2026-03-01">'
    assert pagemeta.from_html(_page(head)) == {"published": "2026-03-02"}


def test_titles_without_opengraph():
    # several <h1>: the one the <title> repeats, not the logo's
    page = _page("<title>Bfx - News - Pier reopens</title>", "<h1>Bfx Online</h1><h1>Pier reopens</h1>")
    assert pagemeta.from_html(page)["title"] == "Pier reopens"
    # a site suffix trimmed when it is the page's host
    page = _page("<title>Pier reopens | harbour.example</title>")
    assert pagemeta.from_html(page, "https://www.harbour.example/a")["title"] == "Pier reopens"
    # a suffix that names no known site stays: it may be part of the title
    assert (
        pagemeta.from_html(_page("<title>Pier reopens - a long story</title>"))["title"]
        == "Pier reopens - a long story"
    )
    # OpenGraph of the site's root describes the site, not this page
    head = '<meta property="og:title" content="Harbour: all the news"><meta property="og:url" content="https://harbour.example/">'
    page = _page(head + "<title>Pier reopens</title>")
    got = pagemeta.from_html(page, "https://harbour.example/news/pier")
    assert got["title"] == "Pier reopens" and "canonical" not in got


def test_languages_and_canonical_links():
    def lang(attr: str = "", head: str = "") -> str | None:
        return pagemeta.from_html(_page(head, "<p>x</p>", attr)).get("page_lang")

    assert lang(' lang="ko-KR"') == "ko" and lang(' lang="zh_Hant_TW"') == "zh" and lang(' lang="EN"') == "en"
    assert lang(head='<meta http-equiv="content-language" content="de-AT, en">') == "de"
    assert lang(' lang="und"') is None and lang(' lang="ko KR; drop table"') is None

    def canonical(href: str, url: str | None = "https://a.example/news/1", head: str = "") -> str | None:
        return pagemeta.from_html(_page(f'{head}<link rel="canonical" href="{href}">'), url).get("canonical")

    assert canonical("../2") == "https://a.example/2"
    assert canonical("//cdn.example/x") == "https://cdn.example/x"
    assert canonical("2", head='<base href="https://b.example/docs/">') == "https://b.example/docs/2"
    assert canonical("/news/1", url=None) is None  # relative with no page address: not absolute
    assert canonical("javascript:alert(1)") is None and canonical("https://a.example/\x01x") is None


def test_hostile_pages_leave_fields_out_and_stay_cheap():
    huge = '<script type="application/ld+json">{"@type": "Article", "headline": "' + "x" * 2_000_000 + '"}</script>'
    nested = '<script type="application/ld+json">' + '{"a": [' * 5000 + "]}" * 5000 + "</script>"
    deep: dict[str, object] = {"@type": "Thing"}
    for _ in range(100):
        deep = {"@type": "Thing", "hasPart": [deep]}
    wide = {"@type": "WebPage", "hasPart": [{"@type": "Thing", "name": str(i)} for i in range(20_000)]}
    junk = _ld({"@type": ["Article", 7, None], "headline": ["a"], "author": {"name": 5}, "datePublished": {"x": 1}})
    control = '<meta property="og:title" content="Pier\x00 re\u200bopens\x07 \u2028today">'
    metas = '<meta name="x" content="y">' * 20_000
    page = _page(huge + nested + _ld(deep, wide) + junk + control + metas, "<h1>" + "h" * 10_000 + "</h1>" * 3)
    start = time.perf_counter()
    got = pagemeta.from_html(page)
    assert time.perf_counter() - start < 2
    assert got == {"title": "Pier reopens today"}  # control characters out, zero-width ones joined


def test_metadata_that_fails_leaves_the_field_out(monkeypatch):
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pagemeta, "_author", broken)
    got = pagemeta.from_html(ENGLISH, "https://harbour.example/news/ferry")
    assert "author" not in got and got["title"] == "Ferry service to resume next week"
    assert pagemeta.read(object(), "", None) == {}  # not a tree at all


def test_the_title_as_first_line():
    text = "The harbour authority said on Monday that the ferry service will resume."
    assert pagemeta.title_first(text, "Ferry service to resume") == f"Ferry service to resume\n{text}"
    assert pagemeta.title_first("FERRY service to resume!\n" + text, "Ferry service to resume") == (
        "FERRY service to resume!\n" + text
    )
    # an extractor that kept a label above the heading: the heading is not added twice
    assert pagemeta.title_first(f"World\nFerry service to resume\n{text}", "Ferry service to resume").startswith(
        "World"
    )
    assert pagemeta.title_first("", "Ferry service to resume") == ""
    assert pagemeta.title_first(text, None) == text and pagemeta.title_first(text, "!!") == text
    # a record's title, when the page's own heading leads already, is not added above it
    assert pagemeta.title_first(f"Ferry back\n{text}", "Ferry service to resume", "Ferry back").startswith("Ferry back")
    # a title with the site's name set off ("Story | Site", "Site - Story") when the text leads with the story's
    # heading: no site name need be known
    lead = f"Ferry service to resume\n{text}"
    assert pagemeta.title_first(lead, "Ferry service to resume | The Harbour Post") == lead
    assert pagemeta.title_first(lead, "누리일보 - Ferry service to resume") == lead
    # but the story's part is the longer one: a title that is a site's name beside a short word is added
    assert pagemeta.title_first(f"News\n{text}", "News | The Harbour Post").startswith("News | The Harbour Post\n")


# --- through the readers ------------------------------------------------------------------------------------


def test_an_html_field_gets_the_page_metadata_and_keeps_the_records_own(tmp_path):
    rows = tmp_path / "rows.jsonl"
    body_only = "<p>서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 3일 밝혔다.</p>"
    rows.write_bytes(
        b"\n".join(
            orjson.dumps(r)
            for r in [
                {"id": "en", "url": "https://harbour.example/news/ferry", "html": ENGLISH},
                {
                    "id": "ko",
                    "link": "https://malgeum.example/news/1",
                    "html": KOREAN,
                    "title": "RSS의 제목",
                    "author": None,
                },
                {"id": "rss", "html": body_only, "title": "심야버스 북부까지\n확대", "published": "Fri, 02 Jan 2026"},
            ]
        )
    )
    docs = {d.id: d for s in plan([str(rows)]) for _, d in ShardReader(s, Fields(html="html"))}
    en = docs["en"]
    assert en.text.startswith("Ferry service to resume next week\n\nThe harbour authority")  # already first: once
    assert en.text.count("Ferry service to resume next week") == 1
    assert en.meta["canonical"] == "https://harbour.example/news/ferry-service" and en.meta["page_lang"] == "en"
    assert en.meta["published"] == "2026-01-05T09:30:00+00:00" and en.meta["extractor"] == "malgeum"
    ko = docs["ko"]
    assert ko.meta["title"] == "RSS의 제목" and ko.meta["author"] is None  # the record's own fields stay
    assert ko.meta["published"] == "2026-01-03T14:05:00" and ko.meta["site_name"] == "맑음일보"
    assert ko.text.startswith("서울시, 심야버스 노선 북부 지역까지 확대\n")  # the page's own title leads already
    rss = docs["rss"]  # an RSS body: no page metadata; its record's title, made one line, leads
    assert (
        rss.text
        == "심야버스 북부까지 확대\n서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 3일 밝혔다."
        and rss.meta["published"] == "Fri, 02 Jan 2026"
    )
    assert "page_lang" not in rss.meta


def test_html_files_and_warc_records_get_the_page_metadata(tmp_path):
    from test_web_input import _record, _warc

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_text(KOREAN, encoding="utf-8")
    (folder / "b.html.gz").write_bytes(
        gzip.compress(ENGLISH.replace("<h1>Ferry service to resume next week</h1>", "").encode())
    )
    _warc(folder / "c.warc.gz", [_record("https://harbour.example/news/ferry", ENGLISH.encode(), "text/html")])
    docs = {d.meta.get("url") or d.id: d for s in plan([str(folder)]) for _, d in ShardReader(s)}
    a = docs["a.html"]
    assert (
        a.meta["title"] == "서울시, 심야버스 노선 북부 지역까지 확대" and a.meta["published"] == "2026-01-03T14:05:00"
    )
    assert a.text.split("\n")[0] == "서울시, 심야버스 노선 북부 지역까지 확대"
    b = docs["b.html.gz"]  # no <h1>: the title from OpenGraph becomes the first line
    assert b.text.startswith("Ferry service to resume next week\n\nThe harbour authority")  # a block, as the others
    # an .html file has no address: the relative canonical link is resolved against og:url
    assert b.meta["canonical"] == "https://harbour.example/news/ferry-service"
    c = docs["https://harbour.example/news/ferry"]
    assert c.meta["canonical"] == "https://harbour.example/news/ferry-service" and c.meta["date"]
    assert c.meta["author"] == "Jane Doe; John Smith"


def test_a_site_named_only_by_its_front_page_link_is_taken_off_the_title():
    """No og:site_name, no JSON-LD: the logo's link to the front page says the site's name."""
    page = (
        "<html><head><title>서울시, 아동 빚 대물림 막았다 | 누리일보</title></head><body>"
        "<div class='gnb'><a href='/'>누리일보</a> <a href='/all'>전체기사</a></div><p>본문</p></body></html>"
    )
    assert pagemeta.from_html(page, "https://www.nuri-ilbo.example/news/1")["title"] == "서울시, 아동 빚 대물림 막았다"
    absolute = page.replace("href='/'", "href='https://www.nuri-ilbo.example/'")
    assert (
        pagemeta.from_html(absolute, "https://www.nuri-ilbo.example/news/1")["title"] == "서울시, 아동 빚 대물림 막았다"
    )
    # a front-page link that says something else leaves the title whole
    other = page.replace(">누리일보</a>", ">홈</a>")
    assert pagemeta.from_html(other, "https://www.nuri-ilbo.example/news/1")["title"].endswith("| 누리일보")
