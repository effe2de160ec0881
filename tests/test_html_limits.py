"""Bounded work per page: a page nested deeper than browsers nest, or whose extraction overruns the time budget,
goes to quarantine with the reason; the run goes on. And the time limit itself: nested limits, no leaked alarm."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import orjson
import pytest
from test_run import records, write_jsonl

from malgeum import html, limits
from malgeum.cli import main
from malgeum.readers import Fields, ShardReader, plan

STORY = "<p>시청은 내년 봄부터 강변 자전거길을 넓히기로 했다고 3일 밝혔다. 공사는 두 달 걸린다.</p>"


def _nested(depth: int, inner: str = STORY) -> str:
    return "<html><body>" + "<div>" * depth + inner + "</div>" * depth + "</body></html>"


def test_a_page_as_deep_as_browsers_nest_is_extracted_a_deeper_one_refused():
    assert "자전거길" in html.extract(_nested(html.MAX_DEPTH - 3))  # html, body and p count too
    with pytest.raises(html.PageTooDeep, match="deeper than 512"):
        html.extract(_nested(html.MAX_DEPTH + 1))
    with pytest.raises(html.PageTooDeep):
        html.extract(_nested(100_000), "trafilatura")  # refused before either extractor starts


def test_deep_pages_are_quarantined_by_the_cli_and_the_rest_kept(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(
        folder / "pages.jsonl",
        [
            {"id": "ok", "html": _nested(20)},
            {"id": "deep", "html": _nested(100_000)},  # minutes in the extractor's C code, unbounded
            {"id": "ok2", "html": _nested(40)},
        ],
    )
    (folder / "deep.html").write_text(_nested(5_000), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(folder), "-o", str(out), "--html-field", "html", "--time-budget", "5"]) == 0
    assert {r["id"] for r in records(out, ("kept",))} == {"ok", "ok2"}
    q = records(out, ("quarantine",))
    assert sorted(r["error"] for r in q) == ["page nested deeper than 512 elements"] * 2
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert stats["balanced"] and stats["quarantined"] == 2


def test_an_extraction_over_the_time_budget_is_quarantined(tmp_path, monkeypatch):
    def slow(tree, page, extractor, url):  # a page that keeps the Python extractor busy
        if "slow" in page:
            while True:
                time.sleep(0.01)
        return "본문"

    monkeypatch.setattr(html, "_extract", slow)
    rows = tmp_path / "rows.jsonl"
    write_jsonl(rows, [{"id": "a", "html": "<p>slow</p>"}, {"id": "b", "html": "<p>fast</p>"}])
    (shard,) = plan([str(rows)])
    got = dict(ShardReader(shard, Fields(html="html", extractor="trafilatura"), page_seconds=0.2))
    assert got[1].error == "timeout: HTML extraction over 0.2 s"
    assert got[2].text == "본문"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left armed


def test_a_limit_inside_a_limit_resumes_the_outer_one():
    with pytest.raises(limits.OverTime) as outer, limits.time_limit(0.3):
        with limits.time_limit(5):
            time.sleep(0.05)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0.1 < left < 0.3
        while True:
            time.sleep(0.01)
    assert outer.value.seconds == 0.3
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


def test_no_limit_means_none(monkeypatch):
    with limits.time_limit(0):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_web_pages_in_a_warc_are_bounded_too(tmp_path: Path):
    from test_web_input import _record, _warc

    crawl = tmp_path / "crawl"
    crawl.mkdir()
    pages = [("https://a.example/deep", _nested(3_000)), ("https://a.example/ok", _nested(10))]
    _warc(crawl / "c.warc.gz", [_record(url, page.encode(), "text/html; charset=utf-8") for url, page in pages])
    out = tmp_path / "out"
    assert main(["clean", str(crawl), "-o", str(out)]) == 0
    (q,) = records(out, ("quarantine",))
    assert q["error"] == "page nested deeper than 512 elements" and q["url"] == "https://a.example/deep"
    assert [r["meta"]["url"] for r in records(out, ("kept",))] == ["https://a.example/ok"]
