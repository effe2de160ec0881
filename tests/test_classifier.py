"""The user-trained classifier: training, the saved model, the step's two units and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pytest

from malgeum import Document, Pipeline, cli
from malgeum import classifier as classifier_module
from malgeum.classifier import TextClassifier, curve, features
from malgeum.document import restore
from malgeum.recipe import RecipeError, build

# our own writing: SMS-style gambling and loan ads, and ordinary news and chat
ADS = [
    "(광고) 신규 가입 첫충 30% 매충 10% 지급 가입코드 7777 빠른 환전 보장 무료거부 0808001234",
    "[국외발신] 형님 오늘도 꽁머니 3만 지급 중입니다 슬롯 바카라 먹튀 없는 곳 코드 abc12",
    "스포츠 배팅 최대 배당 이벤트 진행중 첫 입금 보너스 20% 텔레그램 문의 @betking",
    "무직자 신용불량자 당일 대출 가능 한도 최대 500만원 비대면 즉시 승인 카톡 문의",
    "[Web발신] 회원님 잔액 548,000원 아이디 확인 후 환전 신청 바랍니다 ab12.com",
    "(광고) 안전놀이터 추천 가입 즉시 만원 지급 룰렛 이벤트 매일 진행 무료수신거부 080",
    "★첫충 매충★ 카지노 슬롯 파워볼 전 종목 운영 신규 가입 시 포인트 지급 코드 8888",
    "소액결제 현금화 정보이용료 당일 입금 수수료 최저 상담 24시간 문의 주세요",
    "토토 사이트 이용 중 먹튀 피해 없으신가요 보증업체 가입 시 보너스 머니 지급",
    "대출 거절 당하셨나요 저신용자 전용 상품 안내 한도 조회 무료 링크 클릭",
    "[국제발신] 형님 신규 사이트 오픈 기념 꽁머니 이벤트 가입 즉시 만원 지급",
    "(광고) 파워볼 미니게임 최고 배당 첫충 20% 매충 5% 코드 입력 필수",
]
NEWS = [
    "정부는 내년도 예산안을 국회에 제출했으며 복지 분야 지출이 가장 크게 늘었다.",
    "서울의 낮 기온은 영상 10도로 어제보다 조금 높겠고 오후부터 구름이 많아지겠습니다.",
    "주민들은 새로 문을 연 도서관이 아이들에게 좋은 쉼터가 될 것이라며 반겼다.",
    "경찰은 불법 도박 사이트를 운영한 일당 12명을 검거했다고 밝혔다.",
    "한국은행은 기준금리를 동결하고 물가 흐름을 지켜보겠다고 설명했다.",
    "오늘 저녁에 같이 밥 먹을래? 회사 앞 국숫집 새로 생겼대.",
    "선수들은 마지막 경기에서 최선을 다했지만 아쉽게 준우승에 그쳤다.",
    "시는 다음 달부터 버스 노선을 조정해 출퇴근 시간 배차 간격을 줄이기로 했다.",
    "전문가들은 가계 대출 증가세가 둔화하고 있지만 안심하기는 이르다고 지적했다.",
    "이 영화는 가족의 의미를 잔잔하게 그려 관객들의 호평을 받고 있다.",
    "연구팀은 새로운 배터리 소재가 충전 속도를 두 배 가까이 높였다고 발표했다.",
    "내일은 전국이 대체로 맑겠으나 아침 기온이 크게 떨어져 쌀쌀하겠습니다.",
]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clf") / "spam.npz"
    clf = TextClassifier.train(ADS + NEWS, [1] * len(ADS) + [0] * len(NEWS), c=10.0)
    clf.save(path)
    return path


def test_ads_score_above_news_and_the_saved_model_scores_the_same(model_path):
    clf = TextClassifier.load(model_path)
    new_ad = "신규 가입 첫충 보너스 지급 슬롯 카지노 코드 입력 무료거부 080"
    new_news = "시의회는 오늘 본회의를 열어 조례 개정안을 통과시켰다고 밝혔다."
    p = clf.predict([new_ad, new_news])
    assert p[0] > 0.5 > p[1]
    trained = TextClassifier.train(ADS + NEWS, [1] * len(ADS) + [0] * len(NEWS), c=10.0)
    assert np.allclose(trained.predict([new_ad, new_news]), p, atol=1e-4)


def test_features_are_normalised_per_text_and_an_empty_text_is_scored():
    rows, cols, vals = features(["가나다", "", "가나다 라마"], (1, 2, 3), 2**12)
    norms = np.bincount(rows, weights=vals * vals, minlength=3)
    assert np.allclose(norms, 1.0)  # an empty text still has its end-of-text feature
    assert cols.max() < 2**12


def test_a_text_longer_than_a_batch_is_scored_in_pieces_like_the_whole(model_path, monkeypatch):
    clf = TextClassifier.load(model_path)
    text = " ".join(ADS)
    whole = clf.predict([text])[0]
    monkeypatch.setattr(classifier_module, "_BATCH_CHARS", 200)
    assert len(text) > 200
    pieces = clf.predict([text, "짧은 문장입니다."])
    assert abs(pieces[0] - whole) < 0.05  # only the n-grams across a seam are lost


def test_document_unit_drops_with_rule_and_score(model_path):
    (step,) = build({"steps": [{"classifier": {"model": str(model_path), "threshold": 0.5}}]})
    pipe = Pipeline([step])
    ad = pipe.process(Document("a", "가입 즉시 꽁머니 지급 첫충 매충 슬롯 바카라 코드 7777"))
    news = pipe.process(Document("n", "시의회는 오늘 본회의를 열어 조례 개정안을 통과시켰다고 밝혔다."))
    assert ad.dropped and ad.dropped[1] == "classifier.spam" and ">= 0.5" in ad.dropped[2]
    assert news.dropped is None and news.scores["classifier"] < 0.5
    assert step.stats.rules["classifier.spam"]["docs"] == 1


def test_line_unit_cuts_only_the_ad_lines_and_the_log_restores_the_input(model_path):
    (step,) = build({"steps": [{"classifier": {"model": str(model_path), "threshold": 0.5, "unit": "line"}}]})
    text = "\n".join([NEWS[0], "신규 가입 첫충 30% 꽁머니 지급 슬롯 바카라 코드 7777", NEWS[2]])
    doc = Pipeline([step]).process(Document("d", text))
    assert doc.text == NEWS[0] + "\n" + NEWS[2]
    assert {e.rule for e in doc.edits} == {"classifier.spam"}
    assert restore(doc) == text


@pytest.mark.parametrize(
    ("params", "message"),
    [({"unit": "page"}, "unit must be"), ({"threshold": 1.5}, "threshold must be"), ({"size": 3}, "unknown")],
)
def test_bad_parameters_are_refused(model_path, params, message):
    with pytest.raises((RecipeError, ValueError), match=message):
        build({"steps": [{"classifier": {"model": str(model_path), **params}}]})


def test_a_file_that_is_not_a_classifier_is_refused(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, something=np.zeros(3))
    with pytest.raises(ValueError, match="not a classifier"):
        TextClassifier.load(bad)
    with pytest.raises(ValueError, match="both positive and negative"):
        TextClassifier.train(ADS, [1] * len(ADS))


def test_a_missing_model_file_is_named_at_start(tmp_path):
    with pytest.raises(ValueError, match=r"step 1 \(classifier\): parameter 'model': no file or folder .*none.npz"):
        build({"steps": [{"classifier": {"model": str(tmp_path / "none.npz")}}]})  # by `recipe check` and every run


def test_curve_counts_both_classes():
    p, y = np.array([0.9, 0.6, 0.4, 0.1]), np.array([1, 1, 0, 0])
    assert curve(p, y, [0.5]) == [(0.5, 1.0, 0.0)]
    assert curve(p, y, [0.3]) == [(0.3, 1.0, 0.5)]


def test_train_classifier_cli_then_clean_with_it(tmp_path, capsys):
    pos, neg = tmp_path / "ads.jsonl", tmp_path / "news.txt"
    pos.write_bytes(b"".join(orjson.dumps({"text": t}) + b"\n" for t in ADS))
    neg.write_text("\n".join(NEWS) + "\n", encoding="utf-8")
    model = tmp_path / "m.npz"
    args = [
        "train-classifier",
        "--positive",
        str(pos),
        "--negative",
        str(neg),
        "-o",
        str(model),
        "--validate",
        "25",
        "--orders",
        "1-3",
    ]
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert "12 positive and 12 negative texts" in err and "threshold" in err
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"steps:\n  - classifier: {{model: {model}, threshold: 0.5}}\n", encoding="utf-8")
    src = tmp_path / "in.jsonl"
    docs = [{"id": "ad", "text": "가입 즉시 꽁머니 지급 첫충 매충 슬롯 바카라 코드 7777"}, {"id": "n", "text": NEWS[4]}]
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    out = tmp_path / "out"
    assert cli.main(["clean", str(src), "-o", str(out), "--recipe", str(recipe), "--workers", "1"]) == 0
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert stats["kept"] == 1 and stats["dropped"] == 1
