"""Hyperscan finds candidates and Python's re confirms: the matches are exactly re's own."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from malgeum import langpacks
from malgeum.prefilter import Scanner, relaxed

ALPHABET = [*" \n\t.,:/@()-_'0123456789aAbBcCkKsSſKıİéÉ가나기자다é\u0301😀", "casino", "Slots", "SIGN UP", "기자"]

PATTERNS = [
    r"(?i:\b(?:casinos?|slots?|sign(?:ing)? up|hold.em)\b)",
    r"\bk\w+",
    r"(?i)s[^)\n]{1,5}\)",
    r"(?<=[.!?])\s{1,3}(?i:photo|image)s?\s?:\s?[^\n]{1,20}",
    r"(?m)^[ \t]{0,4}(?:기자|ⓒ)[^\n]{0,10}$",
    r"(?i:ſ|k)[A-Z]",
    r"[가-힣]{2,3}\s?기자",
    r"@[A-Za-z][A-Za-z0-9_]{2,}",
    r"casino|(?i:slots?)|기자\s?[가-힣]",  # an alternation: one Hyperscan pattern per alternative
]


def _spans(matches) -> list[tuple[int, int, str | None, tuple]]:
    return [(m.start(), m.end(), m.lastgroup, m.groups()) for m in matches]


RXS = [re.compile(p) for p in PATTERNS]
SCANNER = Scanner(RXS)


def test_every_test_pattern_is_relaxed():
    assert SCANNER._fast == list(range(len(PATTERNS)))  # so the property below exercises the candidates


@settings(max_examples=1000, deadline=None)
@given(text=st.lists(st.sampled_from(ALPHABET), max_size=60).map("".join))
def test_matches_are_those_of_re_finditer(text):
    for rx, found in zip(RXS, SCANNER.finditer(text), strict=True):
        assert _spans(found) == _spans(rx.finditer(text)), rx.pattern


def test_case_is_folded_as_re_folds_it():
    rx = re.compile(r"(?i:\bsk\b)")
    for text in ("ſK", "SK", "ſk", "x ſK y", "sK 가"):
        (found,) = Scanner([rx]).finditer(text)
        assert _spans(found) == _spans(rx.finditer(text)) != []


def test_offsets_are_characters_not_bytes():
    rx = re.compile(r"(?i:casino)")
    (found,) = Scanner([rx]).finditer("한국어 문장 😀 Casino 다음 casino")
    assert [m.group() for m in found] == ["Casino", "casino"]
    assert [m.start() for m in found] == [m.start() for m in rx.finditer("한국어 문장 😀 Casino 다음 casino")]


def test_what_cannot_be_relaxed_is_left_to_re():
    assert relaxed(re.compile(r"(a)\1")) is None  # a back-reference
    assert relaxed(re.compile(r"a*")) is None  # an empty match needs no candidate
    rxs = [re.compile(r"(a)\1"), re.compile(r"x?"), re.compile("b")]
    scanner = Scanner(rxs)
    assert scanner._fast == [2]
    text = "aa b x aab"
    for rx, found in zip(rxs, scanner.finditer(text), strict=True):
        assert _spans(found) == _spans(rx.finditer(text))


def test_a_text_hyperscan_cannot_read_is_scanned_by_re():
    rx = re.compile("b")
    (found,) = Scanner([rx]).finditer("a\udcffb")  # a lone surrogate is not UTF-8
    assert _spans(found) == _spans(rx.finditer("a\udcffb"))


@pytest.mark.parametrize("lang", langpacks.available("spam_page"))
def test_every_spam_page_signal_of_a_pack_is_relaxed(lang):
    data = langpacks.load(lang, "spam_page")
    for p in [*data["topics"].values(), data["calls"], *([data["reporting"]] if data.get("reporting") else [])]:
        assert relaxed(re.compile(p)) is not None, p


def test_a_scanner_survives_pickling():
    import pickle

    copy = pickle.loads(pickle.dumps(SCANNER))
    assert copy._fast == SCANNER._fast
    text = "Casino slots, sign up @handle"
    assert [_spans(f) for f in copy.finditer(text)] == [_spans(rx.finditer(text)) for rx in RXS]


def test_a_pattern_too_large_for_a_quick_compile_is_left_to_re(monkeypatch):
    from malgeum import prefilter

    monkeypatch.setattr(prefilter, "MAX_RELAXED_CHARS", 10)
    rxs = [re.compile("casino|slots"), re.compile("ab")]
    scanner = Scanner(rxs)
    assert scanner._fast == [1]
    text = "casino ab slots"
    assert [_spans(f) for f in scanner.finditer(text)] == [_spans(rx.finditer(text)) for rx in rxs]


PAGE_LINES = [
    "Share this article",
    "Subscribe to our newsletter",
    "Related stories",
    "The council voted on Tuesday to approve the budget.",
    "(AP Photo/Jane Doe)",
    "© 2024 Example Media. All rights reserved.",
    "Advertisement",
    "Follow us on Twitter",
    "Read more: https://example.com/a",
    "홍길동 기자 hong@example.com",
    "▶ 관련기사",
    "",
]


@functools.cache
def _steps_with_and_without_hyperscan() -> tuple[list, list]:
    import malgeum.prefilter as prefilter
    from malgeum.recipe import build

    fast = build({"steps": ["boilerplate", "spam", "spam_page"]})
    saved, prefilter.hyperscan = prefilter.hyperscan, None
    try:
        plain = build({"steps": ["boilerplate", "spam", "spam_page"]})
    finally:
        prefilter.hyperscan = saved
    return fast, plain


def test_the_english_rules_are_scanned_by_hyperscan():
    fast, plain = _steps_with_and_without_hyperscan()
    assert [p.lang for p in fast[0]._packs if p._contains._fast] == ["en"]
    assert fast[1]._lexicons[-1].finder._fast and fast[2]._packs["en"]._topics._fast
    assert not any(p._contains._fast for p in plain[0]._packs)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from(PAGE_LINES), max_size=14))
def test_steps_cut_the_same_with_and_without_hyperscan(lines):
    from malgeum import Document

    fast, plain = _steps_with_and_without_hyperscan()
    text = "\n".join(lines)
    a, b = Document("x", text), Document("x", text)
    for fs, ps in zip(fast, plain, strict=True):
        fs.process(a)
        ps.process(b)
    assert (a.text, [e.to_dict() for e in a.edits], a.scores) == (b.text, [e.to_dict() for e in b.edits], b.scores)
