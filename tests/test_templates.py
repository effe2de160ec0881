"""Corpus-learned templates: what a site repeats on its pages goes, its stories stay, and the counts say why.

Every text here is our own: invented sites, reporters and stories.
"""

from __future__ import annotations

import random

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_run import records

from malgeum import Document
from malgeum.cli import main
from malgeum.engine import local
from malgeum.steps.templates import CutTemplates
from malgeum.templates import learn_documents

SUBJECTS = ["시의회는", "주민들은", "연구진은", "교육청은", "상인회는", "소방당국은", "구청은", "시민단체는"]
OBJECTS = ["새 도서관 건립안을", "하천 정비 계획을", "야간 버스 노선을", "공원 조성 예산을", "급식 지원 확대를"]
VERBS = ["검토했다.", "발표했다.", "논의했다.", "승인했다.", "다시 요구했다.", "보류하기로 했다."]
PLACES = ["동쪽 마을", "강변 시장", "옛 역사 부지", "산업단지 입구", "학교 앞 사거리", "구도심 골목"]


def story(rng: random.Random, n: int = 5) -> list[str]:
    return [
        f"{rng.choice(PLACES)}에서 {rng.choice(SUBJECTS)} {rng.choice(PLACES)} 일대의 {rng.choice(OBJECTS)} "
        f"{rng.choice(['오랫동안', '처음으로', '조용히', '서둘러', '함께'])} {rng.choice(VERBS)}"
        for _ in range(n)
    ]


def news_page(rng: random.Random, i: int) -> dict:
    reporter = ["김하늘", "박바다", "이구름"][i % 3]
    lines = [
        f"{rng.choice(PLACES)} {rng.choice(OBJECTS)} 두고 {rng.choice(SUBJECTS)} {rng.choice(VERBS)}",
        f"입력 2024.{1 + i % 12:02d}.{1 + i % 28:02d}. 오전 {i % 12}:{i % 60:02d}  |  수정 2024.{1 + i % 12:02d}.",
        *story(rng),
        f"{reporter} 기자",
        "구독",
        "응원하기",
        "오늘의 날씨와 교통 소식을 앱에서 받아 보세요",
    ]
    return {"id": f"news-{i}", "url": f"https://news.example.kr/article/{1000 + i}", "text": "\n".join(lines)}


def gallery_post(rng: random.Random, i: int) -> dict:
    body = [f"{rng.choice(PLACES)} {rng.choice(['산책 후기', '다녀옴', '질문 있음', '사진 공유', '궁금한 점'])}"]
    body += story(rng, rng.randint(1, 3))
    if i % 3:
        body.append("- 산들 갤러리 앱에서 작성")
    return {"id": f"gal-{i}", "url": f"https://gall.example.net/board/view?no={i}", "text": "\n".join(body)}


def corpus(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [news_page(rng, i) for i in range(60)] + [gallery_post(rng, i) for i in range(45)]


def clean_all(rows: list[dict], **params) -> dict[str, Document]:
    docs = [Document(r["id"], r["text"], {"url": r.get("url")}) for r in rows]
    step = CutTemplates(**params)
    step.use(learn_documents(docs, **params))
    return {d.id: step.process(d) for d in docs}


def cuts(doc: Document) -> list[tuple[str, str]]:
    return [(e.rule, e.removed.strip("\n")) for e in doc.edits]


def test_a_sites_template_goes_and_its_stories_stay():
    rows = corpus()
    out = clean_all(rows)
    page = out["news-5"]
    assert [c for c, _ in cuts(page)] == ["template.host"] * 5
    assert [t for _, t in cuts(page)][1:] == ["이구름 기자", "구독", "응원하기", rows[5]["text"].split("\n")[-1]]
    assert cuts(page)[0][1].startswith("입력 2024.")  # dates and times masked: one shape on every page
    assert page.edits[2].reason == "on 60 of 60 pages of news.example.kr"
    for line in rows[5]["text"].split("\n")[2:7]:  # the story's sentences
        assert line in page.text
    assert page.text.startswith(rows[5]["text"].split("\n")[0])  # its title too


def test_a_reporters_own_box_goes_once_it_recurs_enough():
    out = clean_all(corpus())
    # 20 pages of 60 carry each reporter's name: above the host's threshold (5% of its pages, at least 5)
    assert ("template.host", "박바다 기자") in cuts(out["news-4"])


def test_an_app_signature_goes_from_every_post_that_has_it():
    rows = corpus()
    out = clean_all(rows)
    signed = [r["id"] for r in rows if r["text"].endswith("- 산들 갤러리 앱에서 작성")]
    assert len(signed) == 30
    assert all(("template.host", "- 산들 갤러리 앱에서 작성") in cuts(out[i]) for i in signed)
    assert all("앱에서 작성" not in out[i].text for i in signed)


def test_a_story_recrawled_many_times_is_not_a_template():
    rows = corpus()
    rng = random.Random(3)
    again = "\n".join(["시청 앞 광장의 분수대가 다시 문을 열었다", *story(rng, 6)])
    rows += [{"id": f"copy-{i}", "url": f"https://news.example.kr/article/copy{i}", "text": again} for i in range(600)]
    out = clean_all(rows)
    assert out["copy-0"].edits == []
    assert out["copy-599"].text == again


def test_lines_that_recur_in_random_places_are_not_a_template():
    """Short comments repeat across threads, but never beside the same lines: the stability test keeps them."""
    rng = random.Random(11)
    rows = []
    for t in range(40):
        comments = [f"{rng.choice(SUBJECTS)} {rng.choice(OBJECTS)} {rng.choice(VERBS)}" for _ in range(12)]
        for _ in range(3):
            comments.insert(rng.randrange(1, len(comments)), rng.choice(["ㅋㅋㅋㅋ", "ㅠㅠ", "이게 맞나"]))
        title = f"{rng.choice(PLACES)} {rng.choice(OBJECTS)} 논란"
        rows.append({"id": f"thread-{t}", "text": "\n".join([title, *comments])})
    out = clean_all(rows)
    assert all(d.edits == [] for d in out.values())


def test_a_host_with_too_few_pages_learns_nothing():
    rng = random.Random(5)
    rows = [news_page(rng, i) for i in range(2)]
    table = learn_documents([Document(r["id"], r["text"], {"url": r["url"]}) for r in rows])
    assert len(table) == 0


def test_a_host_of_a_few_pages_learns_only_the_lines_on_every_page():
    # four pages (three reporters): the stamp, the buttons and the banner are on all four, the names are not
    rng = random.Random(5)
    out = clean_all([news_page(rng, i) for i in range(4)])
    assert [text for _, text in cuts(out["news-0"])] == [
        "입력 2024.01.01. 오전 0:00  |  수정 2024.01.",
        "구독",
        "응원하기",
        "오늘의 날씨와 교통 소식을 앱에서 받아 보세요",
    ]


def test_without_urls_the_corpus_counts():
    rows = [{**r, "url": None} for r in corpus()]
    out = clean_all(rows)
    assert ("template.corpus", "구독") in cuts(out["news-1"])
    assert out["news-1"].edits[-1].reason.endswith("pages of the corpus")


@pytest.mark.parametrize("url", ["", "not a url", "http://[::1", "https://", 42, "mailto:someone", "http://a b.kr/x"])
def test_urls_that_do_not_parse_never_fail_a_record(url):
    rows = corpus()
    rows[0]["url"] = url
    out = clean_all(rows)
    assert out[rows[0]["id"]].text


def test_keep_vetoes_a_learned_template():
    out = clean_all(corpus(), keep=["구독"])
    assert "구독" in out["news-2"].text.split("\n")
    assert ("template.host", "응원하기") in cuts(out["news-2"])


def test_a_corpus_of_one_document_learns_nothing():
    assert len(learn_documents([Document("one", "한 줄\n두 줄\n세 줄", {"url": "https://a.example.kr/1"})])) == 0


def test_bad_thresholds_fail_at_start():
    for bad in ({"share": 2}, {"min_count": 0}, {"min_pages": "5"}, {"min_count": 60, "max_count": 50}):
        with pytest.raises(ValueError):
            CutTemplates(**bad)


def _write(path, rows):
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def _kept(out):
    return records(out)


def test_the_command_learns_reports_and_reuses(tmp_path, capsys):
    src = _write(tmp_path / "in.jsonl", corpus())
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--workers", "1"]) == 0
    stats = orjson.loads((out / "stats.json").read_bytes())
    summary = stats["templates"]
    assert summary["hosts"] == 2 and summary["hosts_learned"] == 2 and summary["documents_without_host"] == 0
    listed = [orjson.loads(line) for line in (out / "templates" / "templates.jsonl").read_bytes().splitlines()]
    (signature,) = [t for t in listed if t["example"] == "- 산들 갤러리 앱에서 작성" and t["scope"] == "host"]
    assert (signature["host"], signature["count"], signature["pages"]) == ("gall.example.net", 30, 45)
    (templates,) = [s for s in stats["steps"] if s["name"] == "templates"]
    assert templates["rules"]["template.host"]["docs"] == 90
    # a new day's pages of the same sites, cleaned with what the first run learned
    rng = random.Random(99)
    new = _write(tmp_path / "new.jsonl", [news_page(rng, i) for i in range(200, 203)])
    again = tmp_path / "again"
    assert main(["clean", str(new), "-o", str(again), "-q", "--templates", str(out)]) == 0
    assert not (again / "templates").exists()  # nothing learned from three pages
    assert all("구독" not in r["text"].split("\n") for r in _kept(again))
    # the table is part of the run's identity: another table is another run
    assert main(["clean", str(new), "-o", str(again), "-q", "--templates", str(out)]) == 0
    (out / "templates" / "templates.npy").write_bytes((out / "templates" / "templates.npy").read_bytes()[:-16])
    assert main(["clean", str(new), "-o", str(again), "-q", "--templates", str(out)]) == 2


def test_the_command_refuses_templates_without_the_step(tmp_path):
    src = _write(tmp_path / "in.jsonl", corpus()[:3])
    recipe = tmp_path / "r.yaml"
    recipe.write_text("steps: [normalize_whitespace]\n")
    assert main(["clean", str(src), "-o", str(tmp_path / "o"), "--recipe", str(recipe), "--templates", "x"]) == 2


@pytest.mark.slow
def test_learning_resumes_and_does_not_depend_on_workers(tmp_path):
    rows = corpus() * 1
    src = _write(tmp_path / "in.jsonl", rows)
    one = local.run([str(src)], tmp_path / "one", workers=1, progress=False)
    two = local.run([str(src)], tmp_path / "two", workers=2, progress=False, chunk_bytes=4096)
    assert two["shards"] > 3
    assert _kept(tmp_path / "one") == _kept(tmp_path / "two")
    assert one["templates"]["templates_host"] == two["templates"]["templates_host"] > 0
    # a run killed after counting: the decision is made again from the counts, the same
    (tmp_path / "two" / "templates" / "summary.json").unlink()
    for f in (tmp_path / "two" / "stats").glob("part-*.json"):
        f.unlink()
    local.run([str(src)], tmp_path / "two", workers=2, progress=False, chunk_bytes=4096)
    assert _kept(tmp_path / "one") == _kept(tmp_path / "two")


@pytest.mark.ray
def test_ray_learns_the_same_templates(tmp_path):
    pytest.importorskip("ray")
    src = _write(tmp_path / "in.jsonl", corpus())
    local.run([str(src)], tmp_path / "local", workers=2, progress=False, chunk_bytes=8192)
    local.run([str(src)], tmp_path / "ray", workers=2, progress=False, chunk_bytes=8192, engine="ray")
    assert _kept(tmp_path / "local") == _kept(tmp_path / "ray")
    a, b = ((tmp_path / d / "templates" / "templates.jsonl").read_bytes() for d in ("local", "ray"))
    assert a == b


def portal_page(rng: random.Random, i: int) -> bytes:
    paragraphs = "".join(f"<p>{s}</p>" for s in story(rng, 6))
    return f"""<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>기사 {i}</title></head><body>
<nav><a href="/">홈</a> <a href="/politics">정치</a> <a href="/society">사회</a></nav>
<article><h1>{rng.choice(PLACES)} {rng.choice(OBJECTS)} 두고 {rng.choice(SUBJECTS)} {rng.choice(VERBS)}</h1>
<div class="stamp">입력 2024.03.{1 + i % 28:02d} 오후 {1 + i % 11}:{i % 60:02d} | 수정 2024.03.{1 + i % 28:02d}</div>
{paragraphs}
<div class="reporter"><span>{["김하늘", "박바다", "이구름"][i % 3]} 기자</span><div>구독</div><div>응원하기</div></div>
<div class="banner">지금 새 앱을 설치하고 매일 아침 소식을 먼저 받아 보세요</div></article>
<footer>회사 소개 | 이용약관 | 개인정보처리방침</footer></body></html>""".encode()


def test_a_portals_pages_in_a_warc_lose_the_template_inside_the_article(tmp_path):
    from test_web_input import _record, _warc

    rng = random.Random(21)
    records = [
        _record(f"https://portal.example.kr/news/{i}", portal_page(rng, i), "text/html; charset=utf-8")
        for i in range(30)
    ]
    warc = _warc(tmp_path / "crawl.warc.gz", records)
    out = tmp_path / "out"
    stats = local.run([str(warc)], out, workers=1, progress=False)
    assert stats["templates"]["hosts_learned"] == 1
    kept = _kept(out)
    assert len(kept) == 30
    for r in kept:
        lines = r["text"].split("\n")
        assert not {"구독", "응원하기", "지금 새 앱을 설치하고 매일 아침 소식을 먼저 받아 보세요"} & set(lines)
        assert not any(line.startswith("입력 2024.") for line in lines)
        assert sum(line.endswith("다.") for line in lines) == 7  # the headline and the story, whole


U64 = st.integers(min_value=0, max_value=(1 << 64) - 1)


@given(st.lists(st.tuples(U64, U64), min_size=1, max_size=50))
def test_a_hosts_keys_are_the_same_mixed_one_by_one_or_as_arrays(pairs):
    import numpy as np

    from malgeum.templates.shapes import scoped, scoped_array

    keys, seeds = (np.array(col, dtype=np.uint64) for col in zip(*pairs, strict=True))
    assert [int(z) for z in scoped_array(keys, seeds)] == [scoped(k, s) for k, s in pairs]


@given(st.text(alphabet=st.sampled_from("가나 다\n1２\t\u200bAaẞ\u0301e\r\x00ﾟ。"), max_size=80))
def test_the_whole_text_is_shaped_line_for_line_as_each_line_alone(text):
    from malgeum.templates.shapes import lines_with_shapes, shape

    for s, e, sh in lines_with_shapes(text):
        assert sh == shape(text[s:e]) and "\n" not in text[s:e]


@given(st.text(alphabet=st.sampled_from("가 나\t1２²Aaẞİ.-[ﾟ。\u00a0"), max_size=30))
def test_a_lines_head_is_the_first_character_of_its_shape(line):
    from malgeum.templates.shapes import head, shape

    if shape(line):
        assert head(line) == shape(line)[0]
