"""A labelled PII test set, written by us: sentences with personal data and hard negatives that look like it.

    python bench/pii_set.py            # precision / recall per kind of the pii step on the set

`cases(seed)` builds the set deterministically: Korean and English sentences (our own templates) with e-mails,
phone numbers in every Korean format (mobile, landline, 070/050, +82, with and without separators), 15xx
numbers, international numbers, resident registration numbers (hyphen, space, none, masked; post-2020
numbers without a valid checksum), Luhn-valid card numbers, bank accounts beside a bank name, public IPv4 and
IPv6 addresses, and hard negatives: dates, times, prices, article and order numbers, business registration
numbers, ISBNs, version numbers, ranges, scores, phone-like IDs, Luhn-invalid card-like numbers, accounts with no
bank, and reserved addresses (private, loopback, broadcast) in technical prose.
Each case lists the character spans that are personal data and their kind. Public numbers (a landline, 070,
050x or 1588-style number of a customer centre, a funeral hall, a shop) are personal data only under
`public_phones: replace` (`cases(public_phones="replace")`); mobiles, and landlines called someone's, always.

    python bench/pii_set.py --public-phones replace
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

Case = dict[str, Any]

NAMES = ["김민준", "이서연", "박지호", "최수아", "정우진", "강하은", "조예준", "윤지아"]
WORDS_EN = ["Alice", "Brian", "Chloe", "Daniel", "Emma", "Felix"]
DOMAINS = ["naver.com", "gmail.com", "daum.net", "korea.kr", "example.co.kr", "hanmail.net", "univ.ac.kr"]
BANKS = ["국민은행", "신한은행", "우리은행", "하나은행", "농협", "기업은행", "카카오뱅크", "토스뱅크", "우체국"]


def _luhn_complete(prefix: str, length: int, r: random.Random) -> str:
    body = prefix + "".join(str(r.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def _birth(r: random.Random) -> str:
    return f"{r.randrange(100):02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"


def email(r: random.Random) -> str:
    user = r.choice(["hong.gd", "reporter", "kim_minjun", "news-desk", "j.park", "abc123", "press+ko"])
    return f"{user}{r.randrange(100) if r.random() < 0.4 else ''}@{r.choice(DOMAINS)}"


def phone(r: random.Random, prefixes: tuple[str, ...] = ("010", "011", "016")) -> str:
    mid, last = f"{r.randrange(1000, 10000)}", f"{r.randrange(10000):04d}"
    prefix = r.choice(prefixes)
    return r.choice(
        [
            f"{prefix}-{mid}-{last}",
            f"{prefix}{mid}{last}" if prefix.startswith("01") else f"{prefix}-{mid}-{last}",  # mobiles run together
            f"{prefix}.{mid}.{last}",
            f"({prefix}) {mid}-{last}",
            f"+82-{prefix[1:]}-{mid}-{last}",
            f"+82 {prefix[1:]} {mid} {last}",
            f"{prefix} {mid} {last}",
        ]
    )


def landline(r: random.Random) -> str:
    return phone(r, ("02", "031", "051", "064", "070", "0505"))


def phone_intl(r: random.Random) -> str:
    return r.choice(
        [
            f"+1 (415) {r.randrange(200, 999)}-{r.randrange(10000):04d}",
            f"+44 20 {r.randrange(1000, 9999)} {r.randrange(1000, 9999)}",
            f"+81-3-{r.randrange(1000, 9999)}-{r.randrange(1000, 9999)}",
            f"+86 10 {r.randrange(1000, 9999)} {r.randrange(1000, 9999)}",
            f"({r.randrange(200, 999)}) {r.randrange(200, 999)}-{r.randrange(10000):04d}",
        ]
    )


def rrn(r: random.Random) -> str:
    # random last digits: numbers issued since October 2020 carry no checksum, so none is made valid here
    birth, rest = _birth(r), f"{r.randint(1, 8)}{r.randrange(10**6):06d}"
    return r.choice(
        [f"{birth}-{rest}", f"{birth}{rest}", f"{birth} - {rest}", f"{birth}-{rest[0]}******", f"{birth} {rest}"]
    )


def card(r: random.Random) -> str:
    if r.random() < 0.2:
        d = _luhn_complete(r.choice(["34", "37"]), 15, r)
        return f"{d[:4]}-{d[4:10]}-{d[10:]}"
    d = _luhn_complete(r.choice(["4", "51", "52", "55", "9410", "3560", "6011"]), 16, r)
    sep = r.choice(["-", " ", ""])
    return sep.join(d[i : i + 4] for i in range(0, 16, 4))


def account(r: random.Random) -> str:
    groups = r.choice([(3, 2, 6), (6, 2, 6), (3, 3, 6), (4, 3, 6), (3, 6, 2, 3), (3, 4, 4, 2)])
    return "-".join("".join(str(r.randrange(10)) for _ in range(g)) for g in groups)


def ipv4(r: random.Random) -> str:
    """A publicly routable address (first octets of ranges that are all public)."""
    first = r.choice([1, 8, 27, 58, 61, 112, 121, 175, 211, 222])
    return f"{first}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"


def ipv6(r: random.Random) -> str:
    groups = [f"{r.randrange(65536):x}" for _ in range(7)]
    return r.choice(["2404:6800:" + ":".join(groups[:6]), "2001:4860::" + groups[0], "2600:" + ":".join(groups)])


def reserved_ip(r: random.Random) -> str:
    return r.choice(
        [
            f"192.168.{r.randrange(256)}.{r.randrange(1, 255)}",
            f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
            "127.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            f"fe80::{r.randrange(65536):x}:{r.randrange(65536):x}",
            "::1",
        ]
    )


POSITIVE: list[tuple[str, Callable[[random.Random], str], list[str]]] = [
    (
        "email",
        email,
        ["기사 제보는 {x} 로 보내 주세요.", "{n} 기자 {x}", "문의: {x}", "Contact us at {x} for details."],
    ),
    (
        "phone",
        phone,
        [
            "자세한 내용은 {x}로 문의하면 된다.",
            "{n} 씨의 연락처는 {x}이다.",
            "고객센터({x})에서 안내한다.",
            "Call {x} after 6 p.m.",
            "전화 {x}",
        ],
    ),
    ("phone", landline, ["{n} 씨의 연락처는 {x}이다.", "{n} 씨 자택 전화 {x}", "휴대폰이 꺼져 있으면 집 전화 {x}로"]),
    ("phone", phone_intl, ["Call our office at {x}.", "해외 문의는 {x}로 하면 된다."]),
    ("rrn", rrn, ["{n}의 주민등록번호 {x}가 유출됐다.", "주민번호: {x}", "신청서에 {x}를 적었다."]),
    ("card", card, ["카드번호 {x}로 결제했다.", "신용카드 {x} 결제 내역", "Card number: {x}"]),
    ("account", account, ["{b} {x} 예금주 {n}", "입금 계좌: {b} {x}", "{b} 계좌 {x}로 송금하세요."]),
    ("ip", ipv4, ["접속 IP는 {x}로 확인됐다.", "The server at {x} was attacked.", "로그에 {x} 주소가 남았다."]),
    ("ip", ipv6, ["IPv6 주소 {x}에서 접속했다.", "requests from {x} were blocked"]),
]

# numbers that reach an institution or a business: personal data only under `public_phones: replace`
PUBLIC: list[tuple[str, Callable[[random.Random], str], list[str]]] = [
    (
        "phone",
        landline,
        [
            "고객센터({x})에서 안내한다.",
            "빈소는 가람병원 장례식장, 발인 5일 오전 6시. {x}",
            "예약 문의 {x}",
            "전화 {x}",
        ],
    ),
    ("phone", lambda r: f"{r.choice(['1588', '1577', '1644', '1899'])}-{r.randrange(10000):04d}", ["대표번호 {x}"]),
]

NEGATIVE: list[tuple[Callable[[random.Random], str], list[str]]] = [
    (reserved_ip, ["기본 게이트웨이는 보통 {x}이다.", "The address {x} is reserved.", "예제에서는 {x}을 쓴다."]),
    (lambda r: f"{r.randint(1990, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", ["입력 {x}", "{x} 기준"]),
    (lambda r: f"{r.randint(1990, 2025)}.{r.randint(1, 12):02d}.{r.randint(1, 28):02d}", ["{x}/뉴스1", "사진 {x}"]),
    (lambda r: f"{r.randint(2000, 2025)}년 {r.randint(1, 12)}월 {r.randint(1, 28)}일", ["{x} 오전 발표"]),
    (lambda r: f"{r.randint(0, 23):02d}:{r.randrange(60):02d}:{r.randrange(60):02d}", ["기록 {x}", "at {x} UTC"]),
    (lambda r: f"{r.randrange(1, 999)},{r.randrange(1000):03d},{r.randrange(1000):03d}원", ["가격은 {x}이다."]),
    (lambda r: f"${r.randrange(1, 999)},{r.randrange(1000):03d}.{r.randrange(100):02d}", ["It cost {x}."]),
    (
        lambda r: f"{r.randint(2015, 2024)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randrange(10**6):06d}",
        ["기사번호 {x}"],
    ),
    (lambda r: f"{r.randrange(100, 999)}-{r.randrange(10, 99)}-{r.randrange(10000, 99999)}", ["사업자등록번호 {x}"]),
    (lambda r: f"978-89-{r.randrange(1000, 9999)}-{r.randrange(100, 999)}-{r.randrange(10)}", ["ISBN {x}"]),
    (
        lambda r: f"{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}.{r.randint(0, 99)}",
        ["버전 {x} 업데이트", "version {x}"],
    ),
    (lambda r: f"{r.randrange(1, 20) * 100}-{r.randrange(21, 60) * 100}", ["{x}명이 모였다.", "{x}원 선"]),
    (lambda r: f"{r.randint(1, 5)}-{r.randint(0, 4)}", ["{x}로 이겼다."]),
    (lambda r: f"{r.randint(2015, 2024)}-{r.randrange(10000):04d}-{r.randrange(10000):04d}", ["접수번호 {x}"]),
    (lambda r: f"{r.randrange(1000, 9999)}-{r.randrange(1000, 9999)}-{r.randrange(1000, 9999)}", ["운송장 {x}"]),
    (lambda r: f"{r.randint(2015, 2024)}고단{r.randrange(1000, 9999)}", ["사건번호 {x}"]),
    (lambda r: f"SM-G{r.randrange(900, 999)}N", ["모델명 {x}"]),
    (
        lambda r: f"{r.randrange(30, 40)}.{r.randrange(10**6)} {r.randrange(120, 130)}.{r.randrange(10**6)}",
        ["좌표 {x}"],
    ),
    (lambda r: f"{r.randrange(10**15, 10**16 - 1)}", ["주문번호 {x}"]),  # no card word, mostly not Luhn
    (lambda r: account(r), ["모델 번호 {x}", "제품 코드 {x}"]),  # account-shaped, no bank near
    (lambda r: f"{r.randrange(1, 99)}.{r.randrange(100)}%", ["상승률은 {x}였다."]),
    (lambda r: f"제{r.randrange(1, 300)}조 제{r.randrange(1, 9)}항", ["법 {x}에 따라"]),
    (lambda r: f"{r.randint(1, 12)}/{r.randint(1, 28)}/{r.randint(2000, 2025)}", ["on {x}"]),
]


def cases(seed: int = 0, positives: int = 400, negatives: int = 240, public_phones: str = "keep") -> list[Case]:
    """Sentences with their PII spans; positives also hold a hard negative now and then."""
    r = random.Random(seed)
    out: list[Case] = []
    for i in range(positives):
        kind, make, templates = (POSITIVE + PUBLIC)[i % (len(POSITIVE) + len(PUBLIC))]
        value = make(r)
        t = r.choice(templates)
        text = t.format(x=value, n=r.choice(NAMES + WORDS_EN), b=r.choice(BANKS))
        start = text.index(value)
        public = i % (len(POSITIVE) + len(PUBLIC)) >= len(POSITIVE)
        spans = [] if public and public_phones == "keep" else [[start, start + len(value), kind]]
        if r.random() < 0.3:  # a date or price beside it, which must stay
            neg = r.choice(NEGATIVE)
            text = f"{text} {r.choice(neg[1]).format(x=neg[0](r))}"
        out.append({"text": text, "pii": spans})
    for i in range(negatives):
        make, templates = NEGATIVE[i % len(NEGATIVE)]
        out.append({"text": r.choice(templates).format(x=make(r)), "pii": []})
    return out


def score(found: list[list[Any]], gold: list[list[Any]]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives): a hit is the same kind over the same span."""
    f = {tuple(x) for x in found}
    g = {tuple(x) for x in gold}
    return len(f & g), len(f - g), len(g - f)


def evaluate(set_: list[Case], public_phones: str = "keep") -> dict[str, dict[str, float]]:
    from malgeum.steps.pii import KINDS, RedactPII

    step = RedactPII(mode="tag", public_phones=public_phones)
    per: dict[str, list[int]] = {k: [0, 0, 0] for k in (*KINDS, "all")}
    misses = []
    for c in set_:
        found = [[s, e, k] for s, e, k in step.find(c["text"])]
        for kind in KINDS:
            tp, fp, fn = score([x for x in found if x[2] == kind], [x for x in c["pii"] if x[2] == kind])
            for acc in (per[kind], per["all"]):
                acc[0] += tp
                acc[1] += fp
                acc[2] += fn
        if score(found, c["pii"])[1:] != (0, 0):
            misses.append((c["text"], found, c["pii"]))
    out = {}
    for kind, (tp, fp, fn) in per.items():
        out[kind] = {
            "positives": tp + fn,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
        }
    out["_misses"] = misses  # type: ignore[assignment]
    return out


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--public-phones", choices=["keep", "replace"], default="keep")
    public_phones = ap.parse_args().public_phones
    set_ = cases(public_phones=public_phones)
    res = evaluate(set_, public_phones=public_phones)
    misses = res.pop("_misses")
    n_neg = sum(not c["pii"] for c in set_)
    print(f"{len(set_)} sentences: {sum(len(c['pii']) for c in set_)} pieces of personal data, {n_neg} hard negatives")
    print(f"{'kind':8s} {'positives':>9s} {'precision':>9s} {'recall':>7s}")
    for kind, m in res.items():
        print(f"{kind:8s} {m['positives']:9d} {m['precision']:9.3f} {m['recall']:7.3f}")
    for text, found, gold in misses[:20]:  # type: ignore[misc]
        print(f"  {text!r}\n     found {found} gold {gold}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
