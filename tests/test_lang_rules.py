"""A pack speaks its language: Korean rules cut Korean lines, English rules English ones, and the rule an edit
names is of its line's language. Every text here is our own."""

from __future__ import annotations

import pytest

from malgeum import Document
from malgeum.recipe import build
from malgeum.scripts import LineScripts

ENGLISH_BEFORE = "The council met on Monday evening to talk about the old bridge over the river."
ENGLISH_AFTER = "It voted to close the bridge next year and to build a new one upstream."
KOREAN_BEFORE = "가람시의회는 월요일 저녁 옛 다리 문제를 논의하려고 모였다."
KOREAN_AFTER = "시의회는 내년에 다리를 닫고 상류에 새 다리를 짓기로 했다."

# junk, or lines that look like Korean junk to a Korean rule, as an English page has them
ENGLISH_LINES = [
    "https://example.org/reports/bridge-2024",
    "-----",
    "[Editor's note]",
    "[Update]",
    "© 2024 Garam Daily",
    "Copyright 2024 Garam Daily. All rights reserved.",
    "Photo: Jane Doe",
    "#river #bridge #council",
    "jane.doe@example.org",
    "▶ More stories from the valley",
    "[1] Doe, J. (2020). Bridges of the river valley. https://example.org/doi/10.1000/182",
    "Doe, J. and Roe, R. (2019) Old stone bridges, pp. 10-12. www.example.net/stone",
    "Advertisement",
    "(AP Photo/Jane Doe)",
    "Share this article",
]

# captions of a Korean story with a credit in it, and Korean junk
KOREAN_LINES = [
    "가람시청 전경 © 가람시",
    "행사 참석자들이 기념 촬영을 하고 있다. ⓒ 가람일보",
    "누리군 문화재단 로고 ©누리군",
    "시장이 새 청사 앞에서 발언하고 있다. (c) 가람일보",
    "가람시 제공",
    "2024.3.15",
    "https://example.com/news/1",
]


def _edits(text: str) -> list[tuple[str, str]]:
    (step,) = build({"steps": ["boilerplate"]})
    doc = step.process(Document("t", text))
    return [(e.rule, e.removed) for e in doc.edits]


@pytest.mark.parametrize("line", ENGLISH_LINES)
def test_an_english_line_is_never_cut_by_a_korean_rule(line):
    rules = [rule for rule, _ in _edits(f"{ENGLISH_BEFORE}\n{line}\n{ENGLISH_AFTER}")]
    assert [r for r in rules if not r.startswith("en.")] == []


@pytest.mark.parametrize("line", KOREAN_LINES)
def test_a_korean_line_is_never_cut_by_an_english_rule(line):
    edits = _edits(f"{KOREAN_BEFORE}\n{line}\n{KOREAN_AFTER}")
    assert [r for r, _ in edits if not r.startswith("ko.")] == []


@pytest.mark.parametrize("line", KOREAN_LINES[:3])
def test_a_caption_with_a_copyright_mark_keeps_the_caption(line):
    (edit,) = _edits(f"{KOREAN_BEFORE}\n{line}\n{KOREAN_AFTER}")
    assert edit[0] == "ko.credit.copyright_mark" and edit[1].strip()[0] in "©ⓒ(" and edit[1] != line


def test_the_same_junk_is_named_by_the_rule_of_its_pages_language():
    link = "https://example.org/reports/bridge-2024"
    assert _edits(f"{ENGLISH_BEFORE}\n{link}\n{ENGLISH_AFTER}") == [("en.nav.link_line", link + "\n")]
    assert _edits(f"{KOREAN_BEFORE}\n{link}\n{KOREAN_AFTER}") == [("ko.nav.url_line", link + "\n")]


def test_a_bilingual_notice_is_a_line_of_both_scripts():
    notice = "[국내에서만 사용 가능. 재배포 금지. For use only in the Republic of Korea. No redistribution]"
    text = f"{KOREAN_BEFORE}\n{notice}\nphoto@example.kr"
    scripts = LineScripts(text)
    at = text.index("[")
    assert scripts.fits(at, "hangul") and scripts.fits(at, "latin")
    # the address below it, which has no letters to tell, is of both too: the Korean pack, first, names it
    assert _edits(text) == [("ko.credit.no_resale", notice + "\n"), ("ko.byline.email_line", "photo@example.kr")]


def test_a_line_too_short_to_tell_takes_its_neighbours_script():
    text = f"{ENGLISH_BEFORE}\nⓒ KBS\n{KOREAN_BEFORE}\n2024.3.15\n{KOREAN_AFTER}"
    scripts = LineScripts(text)
    assert scripts.fits(text.index("2024.3.15"), "hangul") and not scripts.fits(text.index("2024.3.15"), "latin")
    kbs = text.index("ⓒ KBS")
    assert scripts.fits(kbs, "latin") and not scripts.fits(kbs, "hangul")  # the line above it is English
    assert not LineScripts(ENGLISH_BEFORE).in_document("hangul") and LineScripts(KOREAN_BEFORE).in_document("hangul")


def test_a_text_that_is_only_a_link_is_no_packs():
    # nothing around the link says which language it is in: no pack names it (min_length drops such a text)
    scripts = LineScripts("https://example.com/news/2024/article/12345.html")
    assert not scripts.fits(0, "hangul") and not scripts.fits(0, "latin") and not scripts.in_document("latin")
    assert _edits("https://example.com/news/2024/article/12345.html\n2024.3.15") == []


@pytest.mark.parametrize("line", ["이 기사를 공유합니다", "기사를 공유하세요", "기사 공유하기"])
def test_a_korean_share_widgets_line_goes_and_a_sentence_about_sharing_stays(line):
    assert _edits(f"{KOREAN_BEFORE}\n{line}\n{KOREAN_AFTER}") == [("ko.nav.portal_link", f"{line}\n")]
    sentence = "그는 이 기사를 공유합니다라는 문구가 지난달부터 모든 기사 끝에 붙었다고 말했다."
    assert _edits(f"{KOREAN_BEFORE}\n{sentence}\n{KOREAN_AFTER}") == []


def test_a_comment_boxs_login_prompt_goes_and_a_sentence_about_logging_in_stays():
    assert _edits(f"{KOREAN_BEFORE}\n로그인하고 댓글을 남겨주세요\n{KOREAN_AFTER}") == [
        ("ko.nav.widget", "로그인하고 댓글을 남겨주세요\n")
    ]
    sentence = "로그인하고 이용할 수 있는 민원 서비스가 올해 크게 늘었다."
    assert _edits(f"{KOREAN_BEFORE}\n{sentence}\n{KOREAN_AFTER}") == []
