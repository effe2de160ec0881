"""Synthetic crawled news, written for malgeum: stories assembled from our own sentence parts, with the
junk that Korean portals add (bylines, credits, prompts, repeats, spam blocks, foreign captions).

Used by tests, benchmarks and the bundled example; every document comes with its gold text.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

_PLACES = [
    "서울",
    "부산",
    "대구",
    "인천",
    "광주",
    "대전",
    "울산",
    "세종",
    "수원",
    "춘천",
    "청주",
    "전주",
    "창원",
    "제주",
]
_ACTORS = [
    "시는",
    "정부는",
    "교육청은",
    "경찰은",
    "기상청은",
    "한국은행은",
    "보건당국은",
    "국토교통부는",
    "환경부는",
    "소방당국은",
    "구청은",
    "농촌진흥청은",
    "통계청은",
    "공정거래위원회는",
    "법원은",
    "도의회는",
]
_TOPICS = [
    "내년도 예산안",
    "대중교통 요금 조정안",
    "미세먼지 저감 대책",
    "청년 주거 지원 사업",
    "전통시장 활성화 방안",
    "어린이 통학로 안전 점검",
    "겨울철 한파 대비책",
    "소상공인 금융 지원",
    "공공도서관 확충 계획",
    "하천 정비 사업",
    "1인 가구 돌봄 서비스",
    "지역 축제 운영 계획",
    "전기차 충전소 설치 계획",
    "노후 상수도관 교체 사업",
]
_VERBS = [
    "을 발표했다고 {d}일 밝혔다.",
    "을 확정했다고 {d}일 밝혔다.",
    "에 대한 의견 수렴을 시작했다.",
    "을 다음 달부터 시행할 예정이다.",
    "의 세부 내용을 공개했다.",
    "을 두고 관계 기관과 협의에 들어갔다.",
]
_DETAILS = [
    "이번 조치로 약 {n}만 명이 혜택을 받을 것으로 예상된다.",
    "총사업비는 {n}억 원 규모로, 국비와 지방비가 절반씩 투입된다.",
    '관계자는 "시민들의 불편을 최소화하는 데 중점을 뒀다"고 설명했다.',
    "지난해 같은 기간보다 {p}% 늘어난 수치다.",
    "전문가들은 제도의 취지에는 공감하면서도 현장의 인력 부족을 우려했다.",
    "시민단체는 성명을 내고 실효성 있는 후속 대책을 요구했다.",
    "해당 사업은 오는 {m}월까지 단계적으로 추진된다.",
    "주민 설명회는 {d}일 오후 구민회관에서 열린다.",
    "업계는 비용 부담이 커질 수 있다며 유예 기간을 둬야 한다고 주장했다.",
    "당국은 상황을 지켜본 뒤 추가 조치 여부를 결정할 방침이다.",
    "올해 상반기에만 관련 민원이 {n}건 넘게 접수된 것으로 집계됐다.",
    '한 주민은 "오래 기다려 온 일이라 반갑다"며 "끝까지 잘 마무리되길 바란다"고 말했다.',
]
_NAMES = ["김민수", "이지은", "박정우", "최서연", "정하늘", "강도윤", "조은비", "윤태호", "한지민", "오세훈"]
_OUTLETS = ["연합뉴스", "뉴시스", "뉴스1"]
_SALAD = [
    "향했다",
    "아침에",
    "욱신거리는",
    "수십",
    "내가",
    "그냥",
    "옮겨",
    "얘기는",
    "로맨스",
    "확률이",
    "인정받고",
    "손을",
    "만나는",
    "그러나",
    "절대",
    "기른",
    "들어가면",
    "이성에",
    "간신히",
    "밖으로",
    "아닐까요?",
    "보고도",
    "부장에게",
    "의기투합하여",
    "손바닥을",
    "지금이나",
    "넘긴",
    "다시",
    "윤호에게",
    "말도",
    "직접",
    "메뉴판을",
    "혹시라도",
]
_SPAM_WORDS = ["바카라사이트", "온라인슬롯", "토토사이트추천", "홀덤사이트", "인터넷식보", "포커주소", "룰렛이벤트"]
_CAPTIONS = [
    "In this photo taken on March 3, 2021, commuters walk past a closed shop downtown. (AP Photo/Lee Jin-man)",
    "People wait in line outside a vaccination center on Tuesday, Jan. 4, 2022. (AP Photo/Ahn Young-joon)",
]


def _story(rng: random.Random) -> list[str]:
    place = rng.choice(_PLACES)
    actor = rng.choice(_ACTORS)
    topic = rng.choice(_TOPICS)
    fill = {"d": rng.randint(1, 28), "n": rng.randint(2, 900), "p": rng.randint(2, 40), "m": rng.randint(1, 12)}
    head = f"{place} {topic} 발표…{rng.choice(['시민 기대', '업계 촉각', '실효성 논란', '이달 시행'])}"
    first = f"{place} {actor} {topic}{rng.choice(_VERBS).format(**fill)}"
    lines = [head, first]
    n = rng.randint(3, 10)
    for _ in range(n):
        k = rng.randint(1, 3)
        para = " ".join(
            rng.choice(_DETAILS).format(
                d=rng.randint(1, 28), n=rng.randint(2, 900), p=rng.randint(2, 40), m=rng.randint(1, 12)
            )
            for _ in range(k)
        )
        lines.append(para)
    return lines


def _salad(rng: random.Random, lines: int) -> list[str]:
    out = []
    for i in range(lines):
        words = rng.sample(_SALAD, rng.randint(7, 12))
        if i % 2 == 0:
            words.insert(rng.randint(1, len(words) - 1), rng.choice(_SPAM_WORDS))
        out.append(" ".join(words))
    return out


def document(rng: random.Random, n: int) -> tuple[dict, str]:
    """One crawled record {id, text, url} and its gold text."""
    story = _story(rng)
    gold = list(story)
    raw = list(story)
    name, outlet = rng.choice(_NAMES), rng.choice(_OUTLETS)
    if rng.random() < 0.7:
        raw[1] = f"({rng.choice(_PLACES)}={outlet}) {name} 기자 = {raw[1]}"
    if rng.random() < 0.4:
        raw.insert(1, "관련링크")
    if rng.random() < 0.5:
        raw.append(f"{name} 기자 {'abcdefghij'[n % 10]}{n}@example.co.kr")
    if rng.random() < 0.3:
        raw.append(f"▶ 네이버에서 {outlet} 구독하기")
    if rng.random() < 0.3:
        raw.append(f"<저작권자ⓒ {outlet}. 무단 전재 재배포 금지>")
    if rng.random() < 0.15:
        raw += story[1:]  # printed twice
    if rng.random() < 0.1:
        raw += _salad(rng, rng.randint(4, 8))
    if rng.random() < 0.08:
        raw.insert(rng.randint(2, len(raw)), rng.choice(_CAPTIONS))
    rec = {"id": f"synth-{n:08d}", "url": f"https://news.example.kr/article/{n}", "text": "\n".join(raw)}
    return rec, "\n".join(gold)


def corpus(n_docs: int, seed: int = 0) -> Iterator[tuple[dict, str]]:
    rng = random.Random(seed)
    for n in range(n_docs):
        yield document(rng, n)
