"""Spam pages judged whole (steps/spam_page.py), and text about gambling, loans or sex kept whole.

Every text here is our own. The pages are dropped by the default recipe with a reason that counts what gave them
away; news, a crime report, a comment thread and a bank's message about a loan come out of it unchanged.
"""

from __future__ import annotations

import pytest

from malgeum import Document, Pipeline
from malgeum import recipe as recipes
from malgeum.recipe import build
from malgeum.steps.spam_page import JudgeSpamPage

TOTO_PAGE = """토토사이트 추천 순위 - 먹튀검증 끝난 메이저놀이터만 모았습니다
사설토토를 고를 때 가장 중요한 것은 먹튀 이력입니다. 저희는 3년 넘게 무사고로 운영된 안전놀이터만 소개합니다.
1위 그린벳 - 첫충 20% 매충 10% - 가입코드 GREEN
2위 블루토토 - 스포츠 배팅 한도 없음 - 미니게임 파워볼 지원
3위 레드카지노 - 바카라 슬롯 라이브카지노 - 첫 입금 보너스 30%
가입 후 입금하시면 보너스가 바로 지급됩니다. 궁금한 점은 텔레그램 @green_toto 로 문의해 주세요.
"""

LOBBY = """로그인 | 회원가입 | 입금 | 출금 | 이벤트 | 고객센터
라이브카지노
스피드 바카라
라이트닝 룰렛
블랙잭 VIP
슬롯게임
보물섬 슬롯
황금용 잭팟
미니게임
파워볼
신규 첫충 30% · 매충 5% · 쿠폰 이벤트
"""

LOAN_PAGE = """무직자 소액대출 당일 가능 - 신분증만 있으면 OK
은행에서 거절당하셨나요? 무직자, 주부, 대학생도 최대 200만원까지 당일 입금해 드립니다.
신용불량자, 연체자도 상담 가능합니다. 무방문 비대면으로 진행되며 선수수료는 절대 없습니다.
카톡 상담 ID quickloan / 24시간 문의 가능
"""

CASINO_EN = """Best Online Casinos 2025 - Claim Your Welcome Bonus
Our experts ranked the top casino sites for real money. Every casino on our list pays out fast.
1. Star Palace Casino - 150% bonus up to $500 plus 50 free spins. Use code STAR150.
2. Lucky Reels - no deposit bonus on sign up, 2,000 slots and live dealer blackjack.
3. Golden Jackpot - instant withdrawals, weekly cashback on roulette and poker.
Sign up through our links, deposit today and claim your free spins.
"""

NEWS_ABOUT_GAMBLING = """불법 온라인 도박 시장이 빠르게 커지고 있다는 분석이 나왔다.
한국도박문제예방치유원은 지난해 불법 도박 시장 규모가 100조원을 넘어선 것으로 추산된다고 12일 밝혔다.
보고서에 따르면 청소년들은 주로 SNS 광고를 통해 불법 토토사이트와 카지노사이트를 처음 접했다.
이들 사이트는 신규 가입 시 첫충 보너스와 쿠폰 이벤트를 내걸고 텔레그램으로 회원을 모으는 것으로 나타났다.
치유원 관계자는 "바카라와 슬롯처럼 결과가 빨리 나오는 게임일수록 중독으로 이어지기 쉽다"고 말했다.
"""

CRIME_REPORT = """해외에 서버를 두고 불법 도박사이트를 운영한 일당이 경찰에 붙잡혔다.
맑음경찰청 사이버수사대는 국민체육진흥법 위반 혐의로 총책 A(38)씨 등 12명을 검거해 5명을 구속했다고 3일 밝혔다.
경찰이 압수한 도박사이트 서버와 대포통장. /맑음경찰청
이들은 2년 동안 스포츠 토토와 바카라, 슬롯 게임을 제공하는 사이트 7곳을 운영하며
회원 3천여 명에게서 판돈 800억원을 받은 혐의를 받는다.
조사 결과 이들은 "가입만 하면 첫충 30% 보너스"라는 문자를 무작위로 보내고, 입금이 몰리면 사이트 주소를 바꿔 가며
단속을 피한 것으로 드러났다. 당첨금을 주지 않는 먹튀 피해를 호소한 회원도 수십 명에 달했다.
경찰은 범죄수익 40억원을 기소 전 몰수보전했다.
"""

COMMENT_THREAD = """사설토토로 집 날린 친구 있는데 진짜 인생 망가지더라
ㅋㅋ 광고 문자 하루에 세 개씩 옴 첫충 보너스 준다고
바카라 한 번 빠지면 답 없어요 주변에 말려주세요
경찰은 이런 사이트 운영자부터 잡아야지
나도 슬롯 게임 광고 계속 떠서 차단함
"""

LOAN_SMS = """[Web발신]
[맑음은행] 홍*동 고객님, 신청하신 전세자금대출 심사가 완료되었습니다.
대출금은 3월 2일 임대인 계좌로 입금될 예정입니다.
대출 상환 일정과 금리는 맑음은행 앱 > 대출 관리에서 확인하실 수 있습니다.
문의: 맑음은행 고객센터 1500-0000
"""


@pytest.fixture(scope="module")
def default() -> Pipeline:
    return Pipeline.from_recipe()


def _run(pipe: Pipeline, text: str, url: str | None = None) -> Document:
    return pipe.process(Document("t", text, {"url": url} if url else {}))


def test_a_toto_seo_page_is_dropped_with_what_gave_it_away(default):
    doc = _run(default, TOTO_PAGE)
    assert doc.dropped == (
        "spam_page",
        "spam.page",
        "14 gambling terms and 12 sign-up or deposit calls in 273 characters (ko)",
    )
    assert doc.scores["spam_page"]["verdict"] == "page"


def test_a_casino_lobby_is_dropped_and_its_address_counts(default):
    doc = _run(default, LOBBY, "https://royal-casino77.example.com/lobby")
    assert doc.dropped == (
        "spam_page",
        "spam.page",
        "9 gambling terms and 9 sign-up or deposit calls in 119 characters, 1 gambling words in its address (ko)",
    )


def test_the_address_is_read_from_the_url_field_the_user_names():
    (step,) = build({"steps": [{"spam_page": {"url_field": "link"}}]})
    doc = step.process(Document("t", LOBBY, {"link": "https://royal-casino77.example.com/lobby"}))
    assert doc.dropped is not None and doc.dropped[2].endswith("1 gambling words in its address (ko)")


def test_a_loan_promotion_page_is_dropped(default):
    doc = _run(default, LOAN_PAGE)
    assert doc.dropped == (
        "spam_page",
        "spam.page",
        "9 loan terms and 10 application or contact calls in 164 characters (ko)",
    )


def test_an_english_casino_page_is_dropped(default):
    doc = _run(default, CASINO_EN)
    assert doc.dropped == (
        "spam_page",
        "spam.page",
        "12 gambling terms and 16 sign-up or deposit calls in 464 characters (en)",
    )


@pytest.mark.parametrize(
    ("text", "boilerplate"),
    [
        (NEWS_ABOUT_GAMBLING, []),
        # the boilerplate step takes the photo credit after the caption, and the SMS's tag and contact line
        (CRIME_REPORT, [("ko.credit.agency_after_caption", " /맑음경찰청")]),
        (COMMENT_THREAD, []),
        (
            LOAN_SMS,
            [("ko.nav.bracket_tag", "[Web발신]\n"), ("ko.prompt.contact", "\n문의: 맑음은행 고객센터 1500-0000")],
        ),
    ],
    ids=["news about gambling", "crime report", "comment thread", "SMS about a loan"],
)
def test_text_about_gambling_or_loans_keeps_every_sentence(default, text, boilerplate):
    doc = _run(default, text)
    assert doc.dropped is None
    assert [(e.rule, e.removed) for e in doc.edits if not e.rule.startswith("normalize.")] == boilerplate


def test_the_crime_report_names_enough_to_be_judged_and_abstains_as_reporting():
    doc = JudgeSpamPage().process(Document("t", CRIME_REPORT))
    figures = doc.scores["spam_page"]
    assert (figures["topic"], figures["verdict"]) == ("gambling", "reporting")
    assert figures["terms"] >= 4 and figures["calls"] >= 3


def test_tag_mode_keeps_the_page_with_its_figures():
    doc = JudgeSpamPage(mode="tag").process(Document("t", TOTO_PAGE))
    assert doc.dropped is None and doc.text == TOTO_PAGE
    figures = doc.scores["spam_page"]
    assert (figures["verdict"], figures["terms"], figures["calls"], figures["chars"]) == ("page", 14, 12, 274)


def test_a_short_text_is_not_judged():
    doc = JudgeSpamPage().process(Document("t", "토토 카지노 바카라 슬롯 첫충 입금 보너스 가입"))
    assert doc.dropped is None and doc.scores["spam_page"]["verdict"] == "short"


def test_thresholds_can_be_overridden_per_language():
    strict = JudgeSpamPage(thresholds={"ko": {"min_calls": 20}})
    doc = strict.process(Document("t", TOTO_PAGE))
    assert doc.dropped is None and doc.scores["spam_page"]["verdict"] == "few_calls"


def test_english_rules_do_not_judge_a_korean_page():
    doc = JudgeSpamPage(langs=["en"]).process(Document("t", TOTO_PAGE + CASINO_EN))
    assert doc.dropped is None and "spam_page" not in doc.scores


def test_mode_is_checked():
    with pytest.raises(ValueError, match="mode"):
        JudgeSpamPage(mode="drop")


@pytest.mark.parametrize("name", ["default", "web"])
def test_the_bundled_recipes_judge_pages_before_cutting_spam_lines(name):
    kinds = [k for k, _ in recipes.parse(recipes.load(name))]
    # before any step that cuts lines of the page's body (templates, spam): they would take its evidence
    assert kinds.index("boilerplate") < kinds.index("spam_page") < kinds.index("templates") < kinds.index("spam")
