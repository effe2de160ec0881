"""bench/genres.py: what counts as a cut, how cuts are sampled and judged, on our own written posts."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest

from malgeum import Document, Pipeline
from malgeum import recipe as recipes
from malgeum.document import Cut
from malgeum.engine import local
from malgeum.steps.templates import CutTemplates, load_table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import genres  # noqa: E402

POSTS = ROOT / "bench" / "written" / "community_posts.jsonl"
KINDS = genres.step_kinds(recipes.load())


def _posts() -> list[dict]:
    return [orjson.loads(line) for line in POSTS.read_text(encoding="utf-8").splitlines()]


def test_written_posts_are_records_of_three_invented_hosts():
    posts = _posts()
    assert len(posts) >= 110
    assert len({p["id"] for p in posts}) == len(posts)
    hosts = Counter(p["url"].split("/")[2] for p in posts)
    assert set(hosts) == {"gall.mulgyeol.example", "www.jisikmadang.example", "cafe.chorokson.example"}
    assert all(p["text"].strip() and set(p) == {"id", "url", "text"} for p in posts)


def test_normalisation_is_not_a_cut_and_a_drop_is_one():
    doc = Document("d", "첫 줄  입니다\n둘째 줄")
    doc.apply_cuts("normalize_whitespace", [Cut(4, 6, "ws.collapse", "two spaces", " ")])
    doc.apply_cuts("boilerplate", [Cut(0, 2, "ko.byline.test", "a byline")])
    doc.drop("min_length", "length.too_short", "short")
    cuts = list(genres.cuts_of(doc, KINDS))
    assert [(c.column, c.rule, c.removed) for c in cuts] == [
        ("boilerplate", "ko.byline.test", "첫 "),
        ("dropped", "length.too_short", doc.text),
    ]


def _item(doc: str, removed: str) -> genres.CutItem:
    return genres.CutItem(doc, "rule.x", "boilerplate", removed, "why")


def test_a_cut_that_stays_stays_in_the_sample():
    old = [_item(f"d{i}", f"잘린 글 {i}") for i in range(40)]
    new = [_item(f"n{i}", f"새로 잘린 글 {i}") for i in range(40)]
    before = {c.key for c in genres.sampled(old, 10)}
    after = {c.key for c in genres.sampled(old + new, 10)}
    # new cuts may displace old ones from the sample, but an old cut never enters it because of a change
    assert len(after) == 10 and {k for k in after if k[0].startswith("d")} <= before
    assert before & after and after - before
    assert genres.sampled(old, 10) == genres.sampled(list(reversed(old)), 10)


def test_white_space_cuts_are_counted_not_sampled():
    assert genres.sampled([_item("d", " \n"), _item("d", "")], 5) == []


def test_verdicts_are_stored_by_key_without_the_text(tmp_path, monkeypatch):
    monkeypatch.setattr(genres, "JUDGEMENTS", tmp_path)
    todo = [_item("d1", "사진=홍길동 기자"), _item("d2", "오늘 날씨가 맑다.")]
    genres.judge("mine", todo, "rw", ["2=story text"])
    stored = [orjson.loads(x) for x in (tmp_path / "mine.jsonl").read_text().splitlines()]
    assert [(j["doc"], j["verdict"], j.get("note")) for j in stored] == [
        ("d1", "right", None),
        ("d2", "wrong", "story text"),
    ]
    assert all("홍길동" not in str(j) and "날씨" not in str(j) for j in stored)
    assert set(genres.load_judgements("mine")) == {todo[0].key, todo[1].key}
    with pytest.raises(SystemExit, match="2 unjudged cuts"):
        genres.judge("mine", todo, "r", [])


def test_table_of_our_posts_counts_judged_and_unjudged(tmp_path, monkeypatch):
    """The user's path on our own posts; one verdict given, the other sampled cuts show as unjudged."""
    records = _posts()[:30]
    inputs = genres.write_inputs(records, tmp_path / "in")
    out = tmp_path / "run"
    local.run(inputs, out, recipes.load(), workers=1, progress=False)
    monkeypatch.setattr(genres, "JUDGEMENTS", tmp_path / "judgements")
    row, chosen = genres.measure("posts", out, KINDS, 5)
    assert row.docs == 30 and row.unjudged == len(chosen) > 0 and row.judged == 0
    genres.judge("posts", chosen[:1], "w", [])
    row, _ = genres.measure("posts", out, KINDS, 5)
    assert (row.judged, row.wrong, row.unjudged) == (1, 1, len(chosen) - 1)
    # what the table adds up is what the steps did, document by document
    pipe = Pipeline(recipes.build(recipes.load()))
    for step in pipe.steps:
        if isinstance(step, CutTemplates):  # with the templates the run learned of these posts
            step.use(load_table(out))
    docs = [pipe.process(Document(r["id"], r["text"], {"url": r["url"]})) for r in records]
    cut = sum(len(c.removed) for d in docs for c in genres.cuts_of(d, KINDS))
    assert row.chars_cut["templates"] > 0
    assert sum(row.chars_cut.values()) == cut
    assert "| posts | 30 |" in genres.table([row])


@pytest.mark.acceptance
def test_genres_built_from_shared_data(shared):
    assert sum(1 for _ in genres.chosun()) == 12644
    threads = list(genres.kocohub_threads())
    sizes = [r["text"].count("\n") for r in threads]  # comments: lines after the title
    assert len(threads) > 500 and min(sizes) >= genres.THREAD_MIN and max(sizes) <= genres.THREAD_MAX
    sms = genres.sample_records(list(genres.kisa(False)()), genres.KISA_SAMPLE)
    assert len(sms) == genres.KISA_SAMPLE and not any(genres.CONVERTER_LINE.search(r["text"]) for r in sms)
