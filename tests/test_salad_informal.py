"""The salad step abstains on informal writing (comments, chat, forum replies, lyrics, poems) and still cuts word
salad. The informal documents are our own writing (tests/data/informal_ko.txt); bench/informal.py measures the
same on real comment threads."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from malgeum import Document
from malgeum.steps.salad import _INFORMAL, CutWordSalad

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import salad as generator  # noqa: E402

INFORMAL = ROOT / "tests" / "data" / "informal_ko.txt"
_HEADER = re.compile(r"^=== (\w+): (.+)$", re.M)


def _documents() -> list[tuple[str, str]]:
    text = INFORMAL.read_text(encoding="utf-8")
    heads = list(_HEADER.finditer(text))
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return [(f"{h[1]}:{h[2]}", text[h.end() : end].strip("\n")) for h, end in zip(heads, ends, strict=True)]


DOCUMENTS = _documents()
STORY = [
    "시는 올해 하반기부터 도심 하천 산책로 구간을 넓히고 야간 조명을 새로 설치한다고 밝혔다.",
    "공사는 다음 달 착공해 내년 봄까지 이어질 예정이며, 공사 기간에도 산책로 일부는 열어 둔다.",
    "시 관계자는 주민 의견을 들어 쉼터와 화장실 위치를 정했다고 설명했다.",
    "하천 주변 상인들은 방문객이 늘어날 것으로 기대하고 있다.",
]


@pytest.fixture(scope="module")
def step() -> CutWordSalad:
    s = CutWordSalad()  # the bundled model
    s.setup()
    return s


def _cut(step: CutWordSalad, text: str) -> tuple[list[str], Document]:
    doc = step.process(Document("t", text))
    return [e.removed.strip() for e in doc.edits if e.rule == "salad.disordered_block"], doc


def test_every_genre_is_there():
    genres = {name.split(":")[0] for name, _ in DOCUMENTS}
    assert genres == {"comments", "chat", "forum", "lyrics", "poetry"}


@pytest.mark.parametrize(("name", "text"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_informal_writing_stays(step, name, text):
    assert _cut(step, text)[0] == []


def test_a_comment_thread_is_informal_and_the_step_abstains(step):
    thread = "\n".join(text for name, text in DOCUMENTS if name.startswith("comments:"))
    removed, doc = _cut(step, thread)
    assert removed == [] and doc.scores["salad_abstained"] == "informal"


def test_chat_without_a_single_mark_stays(step):
    # no ㅋㅋ, no emoticon, no full stop: what keeps it is that a run of lines without full stops is not shuffled
    # prose (without that test the step cuts it)
    lines = [line for name, text in DOCUMENTS if name.startswith("chat:") for line in text.split("\n")]
    chat = "\n".join(line for line in lines if not _INFORMAL.search(line))
    assert _cut(step, chat)[0] == []
    no_stop_test = CutWordSalad(stopped_share=0.0)
    no_stop_test.setup()
    assert _cut(no_stop_test, chat)[0] != []


def test_the_same_shuffled_words_go_with_their_full_stops_and_stay_without(step):
    rng = random.Random(4)
    block = generator.salad_block(rng, 6, keyword_rate=0.0)
    stopped = [line if "." in line else line + "." for line in block]
    unstopped = [line.replace(".", "") for line in block]
    assert len(_cut(step, "\n".join([*STORY[:2], *stopped, *STORY[2:]]))[0]) >= 5
    assert _cut(step, "\n".join([*STORY[:2], *unstopped, *STORY[2:]]))[0] == []


def test_an_essay_of_places_with_labels_stays(step):
    essay = "\n".join(
        [
            "여름 끝자락에 다녀온 도시들을 적어 둔다. 기억은 지명으로 먼저 돌아온다.",
            "원주. 창문을 열어 둔 채 잠이 들었다. 새벽에 들어온 바람이 이불 끝을 들추고 나갔다.",
            "군산. 골목은 생각보다 짧았다. 오래된 간판 아래에서 한참을 서 있다가 돌아섰다.",
            "속초. 바다는 낮보다 밤에 더 가까웠다. 파도 소리를 세다가 숫자를 잊었다.",
            "돌아와서 보니 가방 안에 모래가 조금 남아 있었다.",
        ]
    )
    assert _cut(step, essay)[0] == []


def test_word_salad_next_to_comments_of_another_page_still_goes(step):
    # informal marks on a line or two do not make a news page a comment thread
    rng = random.Random(9)
    block = generator.salad_block(rng, 5)
    text = "\n".join([*STORY[:2], "기사 잘 봤습니다 ㅎㅎ", *block, *STORY[2:]])
    removed, doc = _cut(step, text)
    assert "salad_abstained" not in doc.scores
    assert len(removed) >= 4 and all(line in removed for line in block if "." in line)
