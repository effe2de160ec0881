"""Lines a news site repeats inside its articles go, by what the corpus teaches (the lines a host repeats) and by
general signals (stamps, the headlines under a list's heading), never by a pattern naming a site. Every page and
story here is our own."""

from __future__ import annotations

import random

import pytest
from test_run import records as kept_records
from test_templates import story

from malgeum import Document
from malgeum.engine import local
from malgeum.recipe import build
from malgeum.steps.templates import CutTemplates, trimmed_lines
from malgeum.templates import learn_documents

SENTENCES = [
    "가람시는 올해 하천 정비 예산을 지난해보다 늘리기로 했다.",
    "시의회는 다음 달 임시회에서 예산안을 심의한다.",
    "주민들은 둑길 산책로가 좁다며 넓혀 달라고 요구해 왔다.",
    "시는 상류 저류지를 먼저 짓고 산책로는 내년에 고친다는 계획이다.",
    "환경단체는 공사 기간에 철새 도래지를 보호할 대책을 내놓으라고 했다.",
    "담당 부서는 공사 구간을 나눠 소음이 적은 시간에만 작업하겠다고 밝혔다.",
    "누리군도 비슷한 사업을 검토하고 있는 것으로 알려졌다.",
    "전문가들은 홍수 대비와 생태 보전을 함께 따져야 한다고 조언했다.",
]
AD = "[광고] 가람은행 새해 특판 정기예금 가입하기"


def page(rng: random.Random, i: int) -> Document:
    """A story page of one host: its own sentences, with the site's ad line after a different paragraph each
    time, so the ad never stands beside the same line twice."""
    lines = story(rng, 7)
    at = rng.randrange(1, len(lines))
    lines = [*lines[:at], AD, *lines[at:]]
    return Document(f"p{i}", "\n\n".join(lines), {"url": f"https://news.garam.example/{i}"})


def _cut(docs: list[Document], **params) -> dict[str, list[tuple[str, str]]]:
    step = CutTemplates(**params)
    step.use(learn_documents(docs, **params))
    return {d.id: [(e.rule, e.removed.strip()) for e in step.process(d).edits] for d in docs}


def test_a_line_on_every_page_of_a_host_goes_wherever_it_stands():
    rng = random.Random(4)
    docs = [page(rng, i) for i in range(12)]
    cut = _cut(docs)
    assert all(cuts == [("template.host", AD)] for cuts in cut.values())


def test_a_line_on_a_few_pages_beside_different_lines_stays():
    # on 4 of 12 pages: not a template by its count, and its neighbours differ on each
    rng = random.Random(4)
    docs = [page(rng, i) for i in range(12)]
    for d in docs[4:]:
        d.text = d.text.replace(AD + "\n\n", "")
    assert not any(_cut(docs).values())


def test_a_template_line_a_rule_trimmed_first_is_still_the_hosts():
    rng = random.Random(2)
    footer = "누리일보 · 등록번호 가람 아00000 · 발행인 누리 · ⓒ 누리일보 무단전재 및 재배포 금지"
    stories = ["\n\n".join(story(rng, 3)) for _ in range(8)]
    docs = [Document(f"p{i}", f"{s}\n\n{footer}", {"url": f"https://nuri.example/{i}"}) for i, s in enumerate(stories)]
    table = learn_documents(docs)
    steps = build({"steps": ["boilerplate", "templates"]})
    steps[1].use(table)
    doc = steps[1].process(steps[0].process(docs[0]))
    assert [(e.rule, e.removed.strip()) for e in doc.edits] == [
        ("ko.credit.copyright_mark", "ⓒ 누리일보 무단전재 및 재배포 금지"),
        ("template.host", "누리일보 · 등록번호 가람 아00000 · 발행인 누리 ·"),
    ]
    assert doc.text.rstrip() == stories[0]


def test_trimmed_lines_put_back_what_the_last_step_cut_inside_them():
    caption = "가람시장이 새 청사 앞에서 발언하고 있다."
    doc = Document("t", f"첫 줄이다.\n{caption} 가람시 제공\n끝.")
    (step,) = build({"steps": ["boilerplate"]})
    step.process(doc)
    assert doc.text == f"첫 줄이다.\n{caption}\n끝."
    assert trimmed_lines(doc) == {len("첫 줄이다.\n"): f"{caption} 가람시 제공"}


def _edits(text: str) -> list[tuple[str, str]]:
    (step,) = build({"steps": ["boilerplate"]})
    return [(e.rule, e.removed.strip()) for e in step.process(Document("t", text)).edits]


@pytest.mark.parametrize(
    "stamp",
    [
        "입력 2026.01.03 14:05 | 수정 2026.01.03 15:00",
        "입력 2026.01.03 14:05",
        "기사입력 2026-01-03 오후 2:05 · 최종수정 2026-01-03 오후 3:00",
        "등록 2026.01.03 14:05:33",
        "가람일보 | 홍길동 기자 | 승인 2026.01.03 14:05",
    ],
)
def test_a_korean_stamp_line_goes_whole(stamp):
    assert _edits(f"{SENTENCES[0]}\n{stamp}\n{SENTENCES[1]}") == [("ko.nav.timestamp", stamp)]


@pytest.mark.parametrize(
    "stamp",
    ["Published Jan. 3, 2026 02:05 PM | Updated Jan. 3, 2026 03:00 PM", "Updated 3:00 p.m.", "Posted on 2026-01-03"],
)
def test_an_english_stamp_line_goes_whole(stamp):
    story = "The harbour board met on Tuesday to settle the future of the old ferry pier."
    assert _edits(f"{story}\n{stamp}\n{story}") == [("en.nav.timestamp", stamp)]


def test_a_sentence_about_an_update_stays():
    line = "시는 2026.01.03 14:05 입력 마감 뒤에 수정 요청을 받지 않는다고 밝혔다."
    assert _edits(f"{SENTENCES[0]}\n{line}") == []


def test_the_headlines_under_a_most_read_heading_go_and_the_story_after_them_stays():
    headlines = ["가람시 새 청사 착공", "누리군 버스 노선 개편…주민 의견 듣는다", '"둑길 넓혀 달라" 주민 청원']
    text = "\n".join([SENTENCES[0], "", "많이 본 뉴스", "", *headlines, "", SENTENCES[1]])
    assert _edits(text) == [("ko.nav.related_list", "\n".join(["많이 본 뉴스", "", *headlines]))]
    # a story sentence right under the heading is not a headline
    assert _edits("\n".join(["관련기사", SENTENCES[1]])) == [("ko.nav.related_list", "관련기사")]


def test_an_english_list_under_a_heading_a_line_rule_took_goes_too():
    story = "The harbour board met on Tuesday to settle the future of the old ferry pier."
    text = "\n".join([story, "", "Related stories", "", "Pier to close in spring", "New landing for the ferry"])
    rules = [r for r, _ in _edits(text)]
    assert len(rules) == 2 and rules[1] == "en.nav.related_list"
    assert build({"steps": ["boilerplate"]})[0].process(Document("t", text)).text.strip() == story


def portal(rng: random.Random, i: int) -> bytes:
    """A page whose boxes carry generated class names: the extractor keeps them, the steps must cut them."""
    body = story(rng, 6)
    paragraphs = "".join(f"<p>{s}</p>" for s in body)
    popular = "".join(f"<li><a href='/{n}'>{t}</a></li>" for n, t in enumerate(rng.sample(HEADLINES, 4)))
    return f"""<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>기사 {i}</title></head><body>
<article class="css-1a"><h1>{story(rng, 1)[0].removesuffix(".")}</h1>
<div class="css-2b">입력 2026.01.{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d} | 수정 2026.01.{1 + i % 28:02d} 23:59</div>
{paragraphs}<div class="css-3c">{AD}</div>
<div class="css-4d"><p>{rng.choice(["김가람", "이누리", "박한별", "최은비"])} 기자</p><p>구독</p><p>응원하기</p></div>
<div class="css-5e"><h3>많이 본 뉴스</h3><ol>{popular}</ol></div></article></body></html>""".encode()


HEADLINES = [
    "가람시 새 청사 착공",
    "누리군 버스 노선 개편…주민 의견 듣는다",
    '"둑길 넓혀 달라" 주민 청원',
    "가람천 철새 도래지 보호구역 지정",
    "시립도서관 야간 개관 연장",
    "누리군 농산물 직판장 문 열어",
]


def test_a_portals_pages_in_a_warc_keep_only_their_stories(tmp_path):
    from test_web_input import _record, _warc

    rng = random.Random(8)
    records = [_record(f"https://news.garam.example/{i}", portal(rng, i), "text/html; charset=utf-8") for i in range(8)]
    out = tmp_path / "out"
    local.run([str(_warc(tmp_path / "crawl.warc.gz", records))], out, workers=1, progress=False)
    kept = kept_records(out)
    assert len(kept) == 8
    for r in kept:
        lines = [line for line in r["text"].split("\n") if line.strip()]
        # the headline, then the story only: sentences of story()
        assert not lines[0].endswith("다.") and all(line.endswith("다.") for line in lines[1:]), lines
        assert len(lines) == 7
