"""Every step names what it cut and why: data cases in data/step_cases*.yaml (one file per topic), plus behaviour
tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from malgeum import Document, Pipeline
from malgeum.recipe import build

CASES = [
    case
    for path in sorted((Path(__file__).parent / "data").glob("step_cases*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []
]


def cuts(step_entry, text: str) -> list[tuple[str, str]]:
    (step,) = build({"steps": [step_entry]})
    doc = step.process(Document("t", text))
    return [(e.rule, e.removed) for e in doc.edits]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_step_case(case):
    assert cuts(case["step"], case["text"]) == [tuple(c) for c in case["cuts"]]


def test_mojibake_fix_inserts_the_repaired_text():
    (step,) = build({"steps": ["fix_mojibake"]})
    doc = step.process(Document("t", "ÇÑ±¹¾î ¹®Àå"))
    assert doc.text == "한국어 문장"


def test_keep_foreign_scores_but_keeps():
    text = (
        "정부는 24일 새 정책을 발표했다. 이번 정책은 다음 달부터 시행된다고 관계자가 설명했다.\n"
        "In this photo made on May 22, 2019, a long queue of climbers line a path."
    )
    (step,) = build({"steps": [{"foreign": {"keep": True}}]})
    doc = step.process(Document("t", text))
    assert doc.text == text
    assert doc.scores["foreign_blocks"][0]["lang"] == "en"


def test_min_length_drops_with_reason():
    (step,) = build({"steps": [{"min_length": {"min_chars": 10}}]})
    doc = step.process(Document("t", "짧다"))
    assert doc.dropped == ("min_length", "length.too_short", "2 characters left, fewer than 10")


def test_documents_dropped_earlier_pass_later_steps_untouched():
    p = Pipeline.from_recipe({"steps": [{"min_length": {"min_chars": 10}}, "boilerplate"]})
    doc = p.process(Document("t", "관련링크"))
    assert doc.dropped and doc.text == "관련링크"
    assert p.stats()["boilerplate"]["docs_in"] == 0


def test_stats_count_cuts_and_characters_by_rule():
    p = Pipeline.from_recipe({"steps": ["boilerplate"]})
    for text in ["관련링크\n본문이다.", "관련링크\n>\n다른 본문이다."]:
        p.process(Document("t", text))
    s = p.stats()["boilerplate"]
    assert s["docs_in"] == 2 and s["docs_changed"] == 2
    assert s["rules"]["ko.nav.portal_link"] == {"cuts": 3, "chars": 5 + 5 + 2, "docs": 2}
    assert s["chars_removed"] == 12


CAPTIONED = (
    "시는 24일 시청 앞 광장에서 성탄 트리 점등식을 열었다.\n"
    "24일 서울시청 앞 광장에서 시민들이 성탄 트리를 바라보고 있다. /사진=뉴스1\n"
    "점등식에는 시민 500여 명이 참석했다."
)


def test_captions_keep_cuts_the_credit_and_drop_cuts_the_caption():
    assert cuts("boilerplate", CAPTIONED) == [("ko.credit.photo_suffix", " /사진=뉴스1")]
    assert cuts({"boilerplate": {"captions": "drop"}}, CAPTIONED) == [
        ("ko.caption.dropped", "24일 서울시청 앞 광장에서 시민들이 성탄 트리를 바라보고 있다. /사진=뉴스1\n")
    ]
    # a story paragraph that ends with a reporter's e-mail is not a caption
    text = "시는 24일 성탄 트리 점등식을 열었다. hong@news.co.kr"
    assert cuts({"boilerplate": {"captions": "drop"}}, text) == cuts("boilerplate", text)
    with pytest.raises(ValueError, match="keep or drop"):
        build({"steps": [{"boilerplate": {"captions": "hide"}}]})


def test_captions_drop_keeps_a_story_paragraph_that_ends_with_a_byline():
    text = "그는 올해 시장 점유율이 크게 늘었다고 설명했다. 김철수 기자"
    assert cuts({"boilerplate": {"captions": "drop"}}, text) == [("ko.byline.caption_reporter", " 김철수 기자")]
