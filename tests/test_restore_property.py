"""Property: whatever the recipe and the document, output text + edits rebuild the input exactly."""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from malgeum import Pipeline, restore
from malgeum.document import Document

PIECES = [
    "(서울=연합뉴스) 홍길동 기자 = ",
    "정부는 내년 예산안을 발표했다고 밝혔다.",
    "관련링크",
    "▶ 네이버에서 뉴시스 구독하기",
    "hong@yna.co.kr",
    "바카라사이트 주소 모음 놀이터 ",
    "향했다 아침에 인터넷식보 수십",
    "In this photo made on May 22, 2019, climbers queue on the ridge (AP Photo/Jane Doe)",
    "<저작권자ⓒ 연합뉴스. 무단 전재 재배포 금지>",
    "사진=뉴스1",
    "  ",
    "\t",
    "\u200b",
    "\u00a0",
    "\r\n",
    "\n",
    "\n\n\n",
    "\x00",
    "ÇÑ±¹¾î",
    "cafÃ©",
    "한국어",
    "e\u0301",
    "ᄀ\u1161",
    "[디지털타임스 박정일 기자] ",
    "LG전자 제공",
    ">",
]

STEP_NAMES = [
    "fix_mojibake",
    "normalize_unicode",
    "normalize_whitespace",
    "boilerplate",
    "spam",
    "foreign",
    "repeats",
    "min_length",
]
# the rest of the per-document steps: scoring models, language ID, personal data, the quality filters
MORE_STEPS = ["salad", "pii", "lid", "gopher_quality", "gopher_repetition", "fineweb_quality", "c4"]

texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=20).map("".join),
)
recipes = st.lists(st.sampled_from(STEP_NAMES), min_size=1, max_size=8, unique=True).flatmap(st.permutations)

_cache: dict[tuple[str, ...], Pipeline] = {}


def _pipeline(names: list[str]) -> Pipeline:
    key = tuple(names)
    if key not in _cache:
        _cache[key] = Pipeline.from_recipe({"steps": list(names)})
    return _cache[key]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, names=recipes)
def test_output_plus_edits_restores_the_input(text, names):
    doc = _pipeline(names).process(Document("d", text))
    record = orjson.loads(orjson.dumps(doc.to_record()))
    assert restore(record) == text
    # every removed string is what the step saw at those offsets: lengths agree
    for e in doc.edits:
        assert e.end - e.start == len(e.removed)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, names=st.lists(st.sampled_from(STEP_NAMES + MORE_STEPS), min_size=1, max_size=6, unique=True))
def test_no_step_crashes_and_restore_holds_with_every_step(text, names):
    doc = _pipeline(names).process(Document("d", text))
    assert restore(orjson.loads(orjson.dumps(doc.to_record()))) == text
