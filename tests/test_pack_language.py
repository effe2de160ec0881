"""A pack acts only on text of its language, in every step that applies pack rules: boilerplate, spam,
spam_page, pii, min_length. The pages and lines here are our own."""

from __future__ import annotations

import pytest

from malgeum import Document
from malgeum.recipe import build
from malgeum.scripts import LineScripts
from malgeum.steps.pii import RedactPII
from malgeum.steps.spam import CutSpam
from malgeum.steps.spam_page import JudgeSpamPage

ENGLISH_STORY = (
    "The harbour board met on Tuesday to settle the future of the old ferry pier at the end of Mill Road.\n"
    "Members agreed that the pier would close in the spring while engineers check its timber piles.\n"
    "A temporary landing will be built next to the lifeboat station, the board said in a statement."
)
KOREAN_STORY = (
    "가람시 항만위원회는 화요일 회의를 열어 방앗길 끝 옛 여객선 부두의 앞날을 논의했다.\n"
    "위원들은 기술진이 나무 말뚝을 점검하는 동안 부두를 봄에 닫기로 뜻을 모았다.\n"
    "위원회는 구조대 옆에 임시 선착장을 짓겠다고 밝혔다."
)
# what a Korean portal's English edition keeps around its stories: Korean menus and a Korean footer
KOREAN_FOOTER = "저작권자 © 가람일보 무단전재 및 재배포 금지"


def _rules(recipe: dict, text: str) -> list[str]:
    doc = Document("t", text)
    for step in build(recipe):
        doc = step.process(doc)
    return [e.rule for e in doc.edits] + ([doc.dropped[1]] if doc.dropped else [])


DEFAULT = {
    "steps": [
        "boilerplate",
        {"spam_page": {"mode": "filter"}},
        {"spam": {"window": 3}},
        "pii",
        "min_length",
    ]
}

# junk an English page has that a Korean rule would name on a Korean page, each set between English lines
ENGLISH_PAGE_LINES = [
    "https://harbour.example/news/2024/pier",
    "[ https://harbour.example/news/2024/pier ]",
    "2024.03.15",
    "▶ More harbour news",
    "ⓒ Garam Daily",
    "-----",
    "pier@harbour.example",
    KOREAN_FOOTER,  # a Korean line on an English page: the page is not Korean, no Korean rule acts on it
    "[가람일보] 영문판",
]


@pytest.mark.parametrize("line", ENGLISH_PAGE_LINES)
def test_no_korean_rule_acts_on_an_english_page(line):
    lines = ENGLISH_STORY.split("\n")
    text = "\n".join([lines[0], line, *lines[1:]])
    assert [r for r in _rules(DEFAULT, text) if r.startswith("ko.")] == []


def test_an_english_line_quoted_on_a_korean_page_gets_no_korean_rule():
    quoted = "https://harbour.example/news/2024/pier says the pier will close in the spring, the board wrote."
    text = f"{KOREAN_STORY}\n{quoted}\n{KOREAN_STORY}"
    assert [r for r in _rules(DEFAULT, text) if r.startswith("ko.")] == []


def test_a_bare_link_is_the_language_of_the_text_around_it():
    link = "https://harbour.example/news/2024/pier"
    assert _rules(DEFAULT, f"{KOREAN_STORY}\n{link}") == ["ko.nav.url_line"]
    assert _rules(DEFAULT, f"{ENGLISH_STORY}\n{link}") == ["en.nav.link_line"]


def test_a_text_of_links_only_is_no_languages_and_is_dropped():
    # nothing says which language it is: no pack names its cut, the length step drops it
    assert _rules(DEFAULT, "https://harbour.example/news/2024/pier\nhttps://harbour.example/news/2024/map") == [
        "length.no_letters"
    ]


def test_an_english_page_with_a_korean_footer_is_not_korean():
    scripts = LineScripts(f"{ENGLISH_STORY}\n{KOREAN_FOOTER}")
    assert not scripts.in_document("hangul") and scripts.in_document("latin") and scripts.main() == "latin"
    bilingual = LineScripts(f"{ENGLISH_STORY}\n{KOREAN_STORY}")
    assert bilingual.in_document("hangul") and bilingual.in_document("latin")


SPAM_KO = "바카라사이트 추천 온라인카지노 바로가기 꽁머니 이벤트"


def test_an_english_sentence_ending_does_not_shield_a_korean_spam_line():
    # `…입니다.` ends like a Korean sentence, so the Korean pack shields it; a bare `.` after keywords does not,
    # and the English pack (whose sentences end in `.`) is not asked about a Korean line
    line = f"{SPAM_KO} 토토사이트."
    doc = CutSpam().process(Document("t", f"{KOREAN_STORY}\n{line}\n{KOREAN_STORY}"))
    assert [(e.rule, e.removed.strip()) for e in doc.edits] == [("spam.keyword_line", line)]
    assert "(ko)" in doc.edits[0].reason


def test_english_spam_words_inside_a_korean_line_are_not_english_spam():
    line = "가람시 경찰은 online casino 광고와 free spins 문구를 내건 업체를 조사하고 있다고 밝혔다"
    doc = CutSpam(langs=["en"]).process(Document("t", f"{KOREAN_STORY}\n{line}\n{KOREAN_STORY}"))
    assert doc.edits == []


CASINO_EN = (
    "Online casino bonus: sign up today and claim 200 free spins with no deposit bonus!\n"
    "Best slots and online slots, deposit now and get a casino bonus on your first deposit.\n"
    "Join now, sign up, register and deposit: online casinos pay free spins every day.\n"
)


def test_a_page_is_judged_by_the_pack_of_its_main_script():
    korean_page = f"{KOREAN_STORY}\n{KOREAN_STORY}\n{KOREAN_STORY}\n{CASINO_EN}"
    assert LineScripts(korean_page).main() == "hangul"
    doc = JudgeSpamPage(langs=["en"]).process(Document("t", korean_page))
    assert doc.dropped is None and "spam_page" not in doc.scores


def test_an_english_id_word_does_not_spare_a_number_in_a_korean_sentence():
    # `model` spares a number on an English line (a model number); in a Korean sentence it is no English word
    english = RedactPII().find("The model 010-2345-6789 ships in May.")
    korean = RedactPII().find("가람시 주민 홍길동 씨는 model 010-2345-6789 번으로 연락해 달라고 했다.")
    assert english == [] and [k for *_, k in korean] == ["phone"]


def test_a_bank_word_counts_in_any_script():
    # the words that make a number someone's count wherever they stand: a missed redaction costs more
    found = RedactPII().find("가람시 주민 홍길동 씨의 계좌는 HSBC 123-456789-012 이다.")
    assert [k for *_, k in found] == ["account"]
