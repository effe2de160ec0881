"""The character fluency model and the word-salad step it drives (see bench/salad_injection.py)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from malgeum import Document, cli
from malgeum.fluency import CharLM, OrderGain
from malgeum.steps.salad import CutWordSalad

PROSE = Path(__file__).resolve().parents[1] / "bench" / "data" / "salad_prose_ko.txt"  # our own writing


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lm") / "ko.npz"
    assert cli.main(["train-lm", str(PROSE), "-o", str(path), "--min-count", "1"]) == 0
    return path


def _shuffled(line: str, seed: int) -> str:
    words = line.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


def test_real_word_order_gains_over_shuffles(model):
    lines = [line for line in PROSE.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 6][:60]
    gain = OrderGain(CharLM.load(model))
    real = gain.score(lines)
    salad = gain.score([_shuffled(line, i) for i, line in enumerate(lines)])
    assert sum(real) / len(real) > sum(salad) / len(salad) + 0.5
    assert gain.score(lines[:3]) == real[:3]  # seeded by the line: the same score every time


def test_a_block_of_shuffled_lines_goes_and_the_story_stays(model):
    lines = [line for line in PROSE.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 7]
    story = lines[:3]
    block = [_shuffled(line, 7 + i) for i, line in enumerate(lines[10:15])]
    text = "\n".join([*story, *block, *lines[3:6]])
    doc = Document("d", text)
    step = CutWordSalad(model=str(model))
    step.setup()
    step.process(doc)
    cut = [e for e in doc.edits if e.rule == "salad.disordered_block"]
    assert len(cut) == 5
    assert all("word salad: word order gains" in e.reason for e in cut)
    for line in [*story, *lines[3:6]]:
        assert line in doc.text


@pytest.fixture(scope="module")
def bundled() -> CutWordSalad:
    step = CutWordSalad()  # the model shipped in the wheel
    step.setup()
    return step


STORY = [
    "서울시는 내년부터 한강공원 다섯 곳에 그늘막 쉼터를 새로 설치한다고 밝혔다.",
    "시는 여름철 폭염에 대비해 쉼터마다 냉방 의자와 식수대를 함께 둘 계획이다.",
    "공원을 자주 찾는 시민들은 햇볕을 피할 곳이 생긴다며 반기는 분위기다.",
]
# salad as crawled pages carry it: shuffled everyday words, keywords absent (nothing for a lexicon to find)
SALAD = [
    "버스를 어제 창문을 오래된 놓았다. 바다가 친구의 걸었다. 기다리며 가방에 시장 조용히 아침",
    "편지를 마당에 주었다. 선생님은 우산을 골목길 따뜻한 도서관에서 저녁이 빨래를 끝까지",
    "국수를 밝게 학교 앞 달렸다. 책상 위에 할머니는 들었다. 운동장을 새로 커피를 언덕의",
    "사진을 바람이 조카와 늦게 창가에 있었다. 점심을 나무가 꺼냈다. 강아지가 자전거를 여름",
]
SUBHEADS = [
    "시, 한강공원 다섯 곳 그늘막 쉼터 설치…여름 전 완공",
    "냉방 의자·식수대 함께 설치, 예산 12억 원 투입",
    "- 시민 반응 긍정적, 추가 설치 요구도 이어져",
]


def test_bundled_model_cuts_a_keywordless_salad_block_and_keeps_the_story(bundled):
    doc = Document("d", "\n".join([STORY[0], *SALAD, *STORY[1:]]))
    bundled.process(doc)
    assert all(line in doc.text for line in STORY)
    # the bench cuts 90% of salad lines; block edges are where it misses
    assert sum(line not in doc.text for line in SALAD) >= 3
    assert {e.rule for e in doc.edits} == {"salad.disordered_block"}
    assert all("lines)" in e.reason and "nats per join" in e.reason for e in doc.edits)


def test_sub_headlines_a_single_odd_line_and_clean_prose_stay(bundled):
    for text in ("\n".join([*SUBHEADS, *STORY]), "\n".join([STORY[0], SALAD[0], *STORY[1:]]), "\n".join(STORY)):
        doc = Document("d", text)
        bundled.process(doc)
        assert doc.text == text and not doc.edits


# a photo essay: captions that end in a noun and a full stop, then a sentence (the kind of page that the salad
# step's evidence for "a full stop inside a line that does not end like a sentence" must not take)
PHOTO_ESSAY = [
    "새벽 물안개가 피어오른 호숫가의 왜가리. 사람이 다가가도 좀처럼 날아오르지 않는다.",
    "얼음이 녹은 물가에서 먹이를 찾는 청둥오리 무리. 겨울을 나려고 해마다 이곳을 찾는다.",
    "해 질 무렵 갈대숲 위로 줄지어 날아가는 기러기 떼.",
    "바람이 잦아든 저녁 호수 둘레길.",
]


def test_a_photo_essay_of_noun_captions_stays(bundled):
    text = "\n".join(PHOTO_ESSAY)
    doc = Document("d", text)
    bundled.process(doc)
    assert doc.text == text and not doc.edits


def test_a_salad_line_with_a_spaced_out_keyword_and_a_domain_is_a_hangul_line():
    from malgeum.steps.salad import _mostly_hangul

    assert _mostly_hangul("바람이 조카와 늦게 카 지 노 ab12.com 창가에 있었다 점심을")
    assert not _mostly_hangul("The quick brown fox jumps over 강아지")


def test_train_lm_reads_jsonl_and_text(tmp_path, capsys):
    src = tmp_path / "clean.jsonl"
    src.write_text('{"text": "오늘은 날씨가 맑고 바람이 시원하다."}\n', encoding="utf-8")
    out = tmp_path / "m.npz"
    assert cli.main(["train-lm", str(src), str(PROSE), "-o", str(out), "--order", "3"]) == 0
    lm = CharLM.load(out)
    assert lm.order == 3 and len(lm.logprob("날씨가 맑다")) == 6
    assert "n-grams" in capsys.readouterr().err


def test_saved_model_scores_like_the_trained_one(tmp_path):
    lm = CharLM.train(PROSE.read_text(encoding="utf-8").splitlines(), order=4, min_count=1)
    lm.save(tmp_path / "m.npz")
    again = CharLM.load(tmp_path / "m.npz")
    text = "오늘은 바람이 시원해서 공원을 걸었다."
    assert abs(float(lm.logprob(text).sum() - again.logprob(text).sum())) < 0.05 * len(text)
    # an n-gram never seen gets less than one seen often
    assert lm.logprob("다.")[-1] > lm.logprob("뷁.")[0]


def test_a_long_story_sentence_inside_salad_stays_and_ends_the_block(bundled):
    # long sentences that end like sentences are not scored (the step's main saving): they must stay, whatever
    # surrounds them
    long = (
        "시는 올해 여름 폭염에 대비해 한강공원 다섯 곳에 그늘막 쉼터를 새로 설치하고 쉼터마다 냉방 의자와 "
        "식수대를 함께 두어 시민들이 더위를 피할 수 있도록 하겠다고 밝혔으며 설치 공사는 다음 달 초에 "
        "시작해 장마가 오기 전에 모두 마칠 계획이라고 덧붙였다."
    )
    text = "\n".join([*SALAD[:3], long, *SALAD[1:4]])
    doc = Document("d", text)
    bundled.process(doc)
    assert long in doc.text
    assert all(e.rule == "salad.disordered_block" for e in doc.edits)


def test_a_model_of_a_tiny_text_and_broken_input_do_not_crash(tmp_path):
    lm = CharLM.train(["abcdefg"], order=4, min_count=2)  # every n-gram above order 1 is pruned
    assert len(lm.logprob("abc")) == 3
    assert len(CharLM.train([], order=3).logprob("ab")) == 2
    assert len(OrderGain(lm).score(["가 나 \ud800 다 라"])) == 1  # a lone surrogate from a broken page
    (tmp_path / "old.npz").write_bytes(b"")
    np.savez(tmp_path / "old.npz", meta=np.array([4, 1e-6]), a0_i=np.zeros(1, np.uint32))
    with pytest.raises(ValueError, match="retrain it"):
        CharLM.load(tmp_path / "old.npz")


def test_sentence_like_is_linear_on_a_run_of_brackets(bundled):
    line = "가 나 다 라 마 바 " + ")" * 30000 + "x"
    doc = Document("d", "\n".join([line, line, line]))
    bundled.process(doc)  # quadratic before: 8 s per line
    assert doc.text.count(")") == 90000


def test_headline_middle_dots_guard_and_spelled_out_keywords_do_not():
    from malgeum.steps.salad import _marked

    assert _marked("한·미 외교장관 워싱턴 회담") and _marked("노·사·정 대화 재개")
    assert not _marked("허리 빨간 보았다. 환·전·빠·른·곳 오늘")
    assert _marked("공정위, 담합 해운사 23개사에 962억원 과징금")  # counted things
    assert _marked("김모씨 “글쎄요. 직함을. 제가 안 물어봐서 모르겠네요.”")  # a transcript line


def test_disguised_tokens_are_recognised_by_form():
    from malgeum.steps.salad import _DISGUISED

    disguised = (
        "오늘 소 액 결 제 현 금 화 마당",
        "창문 바*카*라*사*이트 골목",
        "길 ab12[.]com 나무",
        "J/A/C/K/P/O/T 집",
    )
    for line in disguised:
        assert _DISGUISED.search(line), line
    plain = ("www.seoul.go.kr 에서 신청", "A/S 센터는 3곳", "우리 나라 좋은 나라 만세", "서버 10.0.0.1 접속")
    for line in plain:
        assert not _DISGUISED.search(line), line
