"""Web pages in: WARC files, .html files and an HTML field become documents through charset decoding and
main-content extraction; records that are not pages, cut short or undecodable go to quarantine with the reason."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import orjson
import pytest

from malgeum.engine import local
from malgeum.explain import iter_records
from malgeum.html import Undecodable, decode, extract
from malgeum.readers import Fields, ShardReader, plan

NEWS = """<!doctype html><html><head><title>맑음일보</title></head><body>
<nav><ul><li><a href="/">홈</a></li><li><a href="/politics">정치</a></li><li><a href="/economy">경제</a></li>
<li><a href="/society">사회</a></li><li><a href="/login">로그인</a></li></ul></nav>
<article>
<h1>서울시, 심야버스 노선 북부 지역까지 확대</h1>
<p>서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 25일 밝혔다.</p>
<p>새 노선은 자정부터 오전 5시까지 30분 간격으로 운행되며, 첫 버스는 3월에 서울역에서 출발할 예정이다.</p>
<p>시 관계자는 “야간 근로자의 귀갓길 부담을 덜기 위한 조치”라며 “이용 추이를 보고 노선을 더 늘리겠다”고 말했다.</p>
<p>홍길동 기자 gildong@malgeum.example</p>
<p>ⓒ 맑음일보 무단전재 및 재배포 금지</p>
<div class="share"><span>공유하기</span><p>페이스북 트위터 카카오톡 링크복사</p></div>
<p>기사 제공: 맑음일보</p>
<div class="comments"><p>댓글 0</p><p>로그인 후 댓글을 작성할 수 있습니다.</p><p>좋아요 0 싫어요 0</p></div>
</article>
<footer><p>회사소개 | 광고문의 | 개인정보처리방침 | 청소년보호정책</p></footer>
</body></html>"""

ENGLISH = """<html><head><meta charset="utf-8"><title>Harbour news</title></head><body>
<div class="menu"><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></div>
<main><h1>Ferry service to resume next week</h1>
<p>The harbour authority said on Monday that the ferry service to the northern islands will resume next week
after repairs to the main pier were finished ahead of schedule.</p>
<p>Passengers are advised to book early, as the first sailings are expected to be full.</p></main>
</body></html>"""


def _record(url: str, body: bytes, content_type: str, record_type: str = "response", http_extra: str = "") -> bytes:
    from fastwarc.warc import WarcRecord, WarcRecordType

    r = WarcRecord()
    r.init_headers(record_type=getattr(WarcRecordType, record_type))
    r.headers["WARC-Target-URI"] = url
    if record_type in ("response", "request"):
        r.headers["Content-Type"] = f"application/http; msgtype={record_type}"
        head = "HTTP/1.1 200 OK" if record_type == "response" else "GET / HTTP/1.1"
        r.set_bytes_content(f"{head}\r\nContent-Type: {content_type}\r\n{http_extra}\r\n".encode() + body)
    else:
        r.headers["Content-Type"] = content_type
        r.set_bytes_content(body)
    out = io.BytesIO()
    r.write(out)
    return out.getvalue()


def _chunked(body: bytes) -> bytes:
    return f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"


def _warc(path: Path, records: list[bytes], truncate_last: int = 0) -> Path:
    """A .warc.gz as crawlers write it: one gzip member per record."""
    data = b"".join(gzip.compress(r) for r in records)
    path.write_bytes(data[: len(data) - truncate_last] if truncate_last else data)
    return path


@pytest.fixture
def crawl(tmp_path) -> Path:
    folder = tmp_path / "crawl"
    folder.mkdir()
    legacy = NEWS.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">')
    legacy = legacy.replace("늘리기로", "늘리기로(똠방각하)")  # 똠: in CP949, not in EUC-KR proper
    records = [
        _record("https://malgeum.example/", b"", "application/warc-fields", "warcinfo"),
        _record("https://malgeum.example/news/1", b"", "text/html", "request"),
        _record("https://malgeum.example/news/1", NEWS.encode("utf-8"), "text/html; charset=utf-8"),
        _record("https://malgeum.example/news/2", legacy.encode("cp949"), "text/html"),  # charset in <meta> only
        _record("https://harbour.example/ferry", ENGLISH.encode(), "text/html; charset=ISO-8859-1"),  # lies
        _record("https://malgeum.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"),
        _record("https://malgeum.example/junk", bytes(range(128, 256)) * 8, "text/html"),
        # as wget and many crawlers store them: the body still gzip-encoded (and chunked)
        _record(
            "https://malgeum.example/news/4",
            _chunked(gzip.compress(ENGLISH.encode())),
            "text/html",
            http_extra="Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
        ),
        _record(
            "https://malgeum.example/news/5", b"not gzip at all", "text/html", http_extra="Content-Encoding: gzip\r\n"
        ),
        _record("https://malgeum.example/news/3", NEWS.encode(), "text/html"),
    ]
    _warc(folder / "crawl.warc.gz", records, truncate_last=40)
    return folder


def test_warc_records_become_documents_with_their_metadata(crawl):
    shards = plan([str(crawl)])
    assert [s.kind for s in shards] == ["warc"]
    got = list(ShardReader(shards[0]))
    docs = {d.meta["url"]: d for _, d in got if not hasattr(d, "error")}
    bad = [b for _, b in got if hasattr(b, "error")]
    assert set(docs) == {
        "https://malgeum.example/news/1",
        "https://malgeum.example/news/2",
        "https://harbour.example/ferry",
        "https://malgeum.example/news/4",
    }
    assert "ferry service to the northern islands" in docs["https://malgeum.example/news/4"].text
    one = docs["https://malgeum.example/news/1"]
    assert one.id.startswith("urn:uuid:") and one.meta["warc_record_id"] == one.id and one.meta["date"]
    assert "심야버스 노선을 북부 지역까지 늘리기로" in one.text and "30분 간격으로" in one.text
    assert one.meta["charset"] == "utf-8" and one.meta["extractor"] == "malgeum"
    two = docs["https://malgeum.example/news/2"]
    assert two.meta["charset"] == "cp949" and "늘리기로(똠방각하)" in two.text
    ferry = docs["https://harbour.example/ferry"]
    assert "ferry service to the northern islands" in ferry.text
    reasons = sorted(b.error.split(":")[0] for b in bad)
    assert reasons == ["not HTML", "truncated WARC record", "undecodable HTTP body", "undecodable page"], reasons
    assert all(b.extra["url"] and b.extra["warc_record_id"] for b in bad)


def test_a_crawl_runs_through_the_recipe_and_balances(crawl, tmp_path):
    out = tmp_path / "out"
    stats = local.run([str(crawl)], out, workers=1, progress=False)
    assert stats["balanced"] and stats["input_records"] == 8 and stats["quarantined"] == 4
    kept = {r["meta"]["url"]: r for sub, r in iter_records(out) if sub == "kept"}
    news = kept["https://malgeum.example/news/1"]
    assert "gildong@malgeum.example" not in news["text"] and "무단전재" not in news["text"]
    assert news["text"].startswith("서울시, 심야버스 노선 북부 지역까지 확대\n") and "이용 추이를 보고" in news["text"]
    removed = {e["rule"]: e["removed"] for e in news["meta"]["malgeum"]["edits"]}
    assert "gildong@malgeum.example" in removed["ko.byline.reporter_line"], removed
    for leftover in (
        "공유하기",
        "카카오톡",
        "기사 제공",
        "댓글 0",
        "로그인 후",
        "싫어요",
    ):  # what extraction let through
        assert leftover not in news["text"], leftover
    assert {"ko.nav.widget"} <= set(removed), removed
    q = [r for _, r in iter_records(out, ("quarantine",))]
    assert {r["error"].split(":")[0] for r in q} == {
        "not HTML",
        "truncated WARC record",
        "undecodable HTTP body",
        "undecodable page",
    }
    assert all(r["source"] == "crawl.warc.gz" and r["line"] for r in q)


def test_html_files_and_an_html_field(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(NEWS, encoding="utf-8")
    (pages / "b.html.gz").write_bytes(gzip.compress(ENGLISH.encode()))
    (pages / "c.htm").write_bytes(NEWS.replace("<head>", "<head><meta charset=euc-kr>").encode("cp949"))
    docs = {d.id: d for s in plan([str(pages)]) for _, d in ShardReader(s)}
    assert set(docs) == {"a.html", "b.html.gz", "c.htm"}
    assert docs["c.htm"].meta["charset"] == "cp949" and "심야버스" in docs["c.htm"].text
    rows = tmp_path / "rows.jsonl"
    rows.write_bytes(
        orjson.dumps({"id": "r1", "link": "https://malgeum.example/1", "content_html": NEWS})
        + b"\n"
        + orjson.dumps({"id": "r2", "content_html": 7})
        + b"\n"
    )
    fields = Fields(html="content_html")
    got = [d for s in plan([str(rows)]) for _, d in ShardReader(s, fields)]
    assert "심야버스" in got[0].text and "content_html" not in got[0].meta and got[0].meta["link"]
    assert got[1].error == "HTML field 'content_html' is a int, not a string"


@pytest.mark.parametrize("extractor", ["resiliparse", "trafilatura"])
def test_extractors_keep_the_story_and_leave_the_menu(extractor):
    text = extract(NEWS, extractor)
    assert "첫 버스는 3월에 서울역에서 출발할 예정이다." in text
    assert "청소년보호정책" not in text
    assert "\n" in text  # blocks stay lines, for the line rules


def test_http_bodies_as_crawlers_store_them():
    import zlib

    from malgeum.html import http_body

    page = "<p>본문</p>".encode()
    assert http_body(_chunked(gzip.compress(page)), "chunked", "gzip") == page
    raw_deflate = zlib.compressobj(wbits=-15)
    assert http_body(raw_deflate.compress(page) + raw_deflate.flush(), None, "deflate") == page
    assert http_body(page, None, "identity") == page
    import brotli

    assert http_body(brotli.compress(page), None, "br") == page
    with pytest.raises(ValueError, match="brotli"):
        http_body(page, None, "br")
    with pytest.raises(ValueError, match="unsupported"):
        http_body(page, None, "zstd-or-whatever")
    with pytest.raises(ValueError, match="cut short"):
        http_body(_chunked(page)[:8], "chunked", None)
    with pytest.raises(zlib.error):
        http_body(gzip.compress(page)[:-10], None, "gzip")


def test_decoding():
    assert decode("<p>한글</p>".encode("cp949"), "euc-kr")[:2] == ("<p>한글</p>", "cp949")
    assert decode(b"\xef\xbb\xbf<p>x</p>")[:2] == ("<p>x</p>", "utf-8")
    text, codec, bad = decode(("<p>" + "좋은 아침입니다. " * 40 + "</p>").encode() + b"\xff")
    assert codec == "utf-8" and bad == 1 and text.endswith("\ufffd")
    with pytest.raises(Undecodable):
        decode(bytes(range(128, 256)) * 8)


@pytest.mark.acceptance
def test_extraction_quality_on_the_scrapinghub_pages(shared):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from html_extraction import PAGES, _score, _shares

    gold = orjson.loads((PAGES / "ground-truth.json").read_bytes())
    rows = []
    for key, item in gold.items():
        page, _, _ = decode(gzip.decompress((PAGES / "html" / f"{key}.html.gz").read_bytes()))
        rows.append(_shares(item["articleBody"], extract(page)))
    precision, recall, f1 = _score(rows)
    assert f1 >= 0.91 and recall >= 0.97, (precision, recall, f1)  # README: 0.868 / 0.980 / 0.921


def test_pages_are_extracted_once_and_the_run_gives_what_reading_twice_gives(crawl, tmp_path, monkeypatch):
    from malgeum import html, spill
    from malgeum.cleaning import _clean_shard

    calls = []
    real = html.extract
    monkeypatch.setattr(html, "extract", lambda page, *a, **k: calls.append(1) or real(page, *a, **k))
    kept_for_cleaning = []
    monkeypatch.setattr(
        "malgeum.cleaning._clean_shard",
        lambda shard, settings, *a: (
            kept_for_cleaning.append(sorted(Path(settings.read_from).glob("*.read")))
            or _clean_shard(shard, settings, *a)
        ),
    )
    once = tmp_path / "once"
    local.run([str(crawl)], once, workers=1, progress=False)
    assert len(calls) == 4  # the four decodable HTML pages: extracted by the template pass only
    assert kept_for_cleaning and all(kept_for_cleaning)  # the cleaning pass had the pass's copy
    assert not list((once / "templates" / "learn").glob(f"*{spill.SUFFIX}"))  # and the copies went at the end

    # the same run with no copy kept: the cleaning pass reads and extracts the input again
    monkeypatch.setattr(spill, "worth_it", lambda *a: False)
    twice = tmp_path / "twice"
    local.run([str(crawl)], twice, workers=1, progress=False)
    assert len(calls) == 4 + 2 * 4

    def records(out: Path, sub: str) -> list[dict]:
        return [r for s, r in iter_records(out, (sub,)) if s == sub]

    for sub in ("kept", "dropped", "quarantine"):
        assert records(once, sub) == records(twice, sub), sub
    assert len(records(once, "quarantine")) == 4
