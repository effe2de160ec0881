"""The foreign step judges a block by its own language against the document's, and by its place and form: it
keeps bilingual teaching material, quotations and a long quotation in another language, and cuts a wire caption
left in a Korean story. All text is our own."""

from __future__ import annotations

import pytest

from malgeum import Document, Pipeline
from malgeum.steps.foreign import CutForeignBlocks, document_script

KOREAN = [
    "시립도서관은 올해 외국 문학 특별전을 열고 번역가들의 작업 노트를 처음으로 공개했다고 밝혔다.",
    "전시는 다음 달 말까지 이어지며, 주말에는 번역가와 함께 원문을 읽는 강연도 마련된다.",
    "도서관 측은 원문과 번역문을 나란히 보여 주는 방식으로 번역의 고민을 전하고 싶었다고 설명했다.",
    "전시장 입구에는 작가가 직접 쓴 편지의 한 대목이 원문 그대로 걸려 있다.",
    "관람은 무료이며 단체 관람은 미리 예약해야 한다.",
]
RUSSIAN = [
    "Дорогие читатели, я долго думал о том, что значит переводить книгу с одного языка на другой и сохранить её голос.",
    "Каждое слово приходится взвешивать заново, потому что у каждого языка своя музыка и своя память о прошлом.",
    "Я благодарю всех, кто читает эти строки в переводе, и надеюсь, что мы ещё встретимся на страницах новых книг.",
]


@pytest.fixture(scope="module")
def step() -> CutForeignBlocks:
    return CutForeignBlocks()


def _cuts(step: CutForeignBlocks, text: str) -> list[tuple[str, str]]:
    doc = step.process(Document("t", text))
    return [(e.rule, e.removed.strip()) for e in doc.edits]


def test_a_long_russian_quotation_does_not_make_a_korean_article_russian(step):
    text = "\n".join([*KOREAN[:4], *RUSSIAN, KOREAN[4]])
    assert document_script(text)[0] == "hangul"
    assert _cuts(step, text) == []


def test_the_russian_quotation_stays_even_when_it_outweighs_the_korean(step):
    # three long Russian paragraphs against two Korean ones: a line's vote is capped, the quotation is not the text
    text = "\n".join([KOREAN[0], " ".join(RUSSIAN * 3), " ".join(RUSSIAN[::-1] * 3), KOREAN[2], KOREAN[4]])
    assert _cuts(step, text) == []


def test_a_bilingual_lesson_stays(step):
    lesson = "\n".join(
        [
            "이번 시간에는 여행지에서 길을 물을 때 쓰는 표현을 익혀 봅니다. 먼저 예문을 소리 내어 읽어 보세요.",
            "Excuse me, could you tell me how to get to the central station from here?",
            "실례지만 여기서 중앙역까지 어떻게 가는지 알려 주시겠어요?",
            "It is about ten minutes on foot if you walk straight down this street.",
            "이 길을 따라 곧장 걸어가면 걸어서 십 분 정도 걸립니다.",
            "Thank you so much, I really appreciate your kind help this morning.",
            "정말 고맙습니다. 오늘 아침 친절하게 도와주셔서 감사해요.",
        ]
    )
    assert _cuts(step, lesson) == []


def test_a_glossary_keeps_its_english_words(step):
    text = "\n".join(
        [
            KOREAN[0],
            "The library opened a special exhibition of translated literature this month.",
            "exhibition: 전시회",
            "translated literature: 번역 문학",
            KOREAN[1],
        ]
    )
    assert _cuts(step, text) == []


def test_a_bilingual_document_is_left_alone(step):
    english = [
        "The city library opened a special exhibition of foreign literature and showed translators' notes.",
        "The exhibition runs until the end of next month, with weekend talks by the translators themselves.",
        "Visitors can read the original texts side by side with their translations in every room of the hall.",
        "Admission is free, and groups are asked to book their visit in advance through the library website.",
    ]
    text = "\n".join([*english, KOREAN[0], KOREAN[4]])
    script, share = document_script(text)
    assert script == "latin" and share < step.dominance
    assert _cuts(step, text) == []


def test_an_english_caption_appended_to_a_korean_story_goes(step):
    caption = "Readers look at the handwritten notes of translators displayed at the city library on Monday."
    text = "\n".join([*KOREAN, caption])
    assert _cuts(step, text) == [("foreign.en", caption)]


def test_an_english_caption_appended_after_the_story_goes_in_the_default_recipe():
    caption = (
        "In this photo made on March 3, 2024, readers look at the handwritten notes of translators displayed at the "
        "city library. (Jane Roe/Example Photo via AP)"
    )
    text = "\n".join([*KOREAN, caption])
    doc = Pipeline.from_recipe().process(Document("t", text))
    assert [e.rule for e in doc.edits if e.step == "foreign"] == ["foreign.en"]
    assert caption not in doc.text and all(line in doc.text for line in KOREAN)
