"""Line rules tried only where their fixed strings stand match exactly what one regex of them all matches."""

from __future__ import annotations

import functools
import math
import pickle
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from malgeum import line_rules, prefilter
from malgeum.line_rules import LineRules

# pieces of Korean and English news lines: bylines, credits, stamps, notices, prose, and the spaces between
PIECES = [
    *" \t",
    "홍길동 기자",
    "김철수·이영희 기자",
    "(서울=연합뉴스)",
    "hong@yna.co.kr",
    "ⓒ",
    "©",
    "무단 전재 및 재배포 금지",
    "2021.12.26",
    "사진=",
    "제공",
    "연합뉴스",
    "▶",
    "■",
    "관련기사",
    "입력 2021.12.21 10:00",
    "입니다.",
    "시민들이 광장에 모여 새해를 맞았다.",
    "정부는 내년 예산안을 발표했다",
    "https://example.com/a",
    "#태그",
    "Copyright",
    "All rights reserved",
    "Share this article",
    "By Jane Doe",
    "SUBSCRIBE",
    "ſubscribe",
    "The council voted on Tuesday.",
]
lines = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)
texts = st.lists(lines, max_size=8).map("\n".join)


@functools.cache
def _step():
    from malgeum.recipe import build

    (step,) = build({"steps": ["boilerplate"]})
    return step


def _rules() -> list[LineRules]:
    step = _step()
    return [*(p.line for p in step._packs if p.line), step._lines_all]


def _spans(matches: list[re.Match[str]]) -> list[tuple[int, int, str | None]]:
    return [(m.start(), m.end(), m.lastgroup) for m in matches]


def _line_by_line(rules: LineRules, text: str) -> list[re.Match[str]]:
    """The one regex of every rule, tried on each line alone."""
    out, start = [], 0
    for line in text.split("\n"):
        if (m := rules.one_regex().match(text, start, start + len(line))) is not None:
            out.append(m)
        start += len(line) + 1
    return out


def test_the_packs_rules_are_scanned_for_their_strings():
    for rules in _rules():
        assert all(f.db is not None for f in rules._factors)  # so that the property below tries the shortcut
        assert sum(len(f.rule_of) for f in rules._factors) > len(rules.rules)  # alternatives, not whole rules


@settings(max_examples=1500, deadline=None)
@given(text=texts)
def test_matches_are_those_of_one_regex_line_by_line(text):
    for rules in _rules():
        assert _spans(rules.finditer(text)) == _spans(_line_by_line(rules, text))


def test_the_first_rule_that_matches_names_the_line_even_when_it_starts_with_spaces():
    # one regex gives `\sfoo` the space back only after `foo` had its turn after both spaces: r1 names the line
    rules = LineRules([("r0", r"\sfoo"), ("r1", "foo")])
    for text in (" foo", "  foo", "foo"):
        assert [m.lastgroup for m in rules.finditer(text)] == [m.lastgroup for m in _line_by_line(rules, text)]
    assert rules.finditer("  foo")[0].lastgroup == "r1"


def test_a_rule_never_runs_into_the_next_line():
    rules = LineRules([("r0", r"a\sb")])
    assert rules.finditer("a\nb") == []
    assert _spans(rules.finditer("x\na b\n")) == [(2, 5, "r0")]


def test_alternatives_without_a_fixed_string_are_tried_on_every_line_short_enough():
    rules = LineRules([("r0", r"\d{2,3}|기자"), ("r1", "[a-z]{1,3}")])
    assert rules._factors[0].free == [(0, 3.0), (1, 3.0)]
    text = "12\nabc\nabcd\n기자\n1234"
    assert _spans(rules.finditer(text)) == _spans(_line_by_line(rules, text)) != []


def test_without_hyperscan_every_line_is_tried_with_one_regex(monkeypatch):
    monkeypatch.setattr(prefilter, "hyperscan", None)
    rules = LineRules([("r0", r"[가-힣]{2,4}\s?기자"), ("r1", "ⓒ[^\n]{0,20}")])
    assert rules._factors[0].db is None
    text = "홍길동 기자\n본문입니다.\nⓒ 연합뉴스"
    assert [m.lastgroup for m in rules.finditer(text)] == ["r0", "r1"]


def test_a_text_hyperscan_cannot_read_is_tried_line_by_line():
    rules = LineRules([("r0", "기자")])
    assert [m.group() for m in rules.finditer("기자\n\udcff\n기자")] == ["기자", "기자"]


def test_line_rules_survive_pickling():
    rules = _rules()[-1]
    copy = pickle.loads(pickle.dumps(rules))
    text = "홍길동 기자\n시민들이 광장에 모였다.\nShare this article"
    assert _spans(copy.finditer(text)) == _spans(rules.finditer(text)) != []


def test_factors_are_fixed_strings_every_match_holds():
    (byline, mark) = prefilter.factors(r"(?:[가-힣]{2,4}\s?기자)|(?:ⓒ\s?\w+)")
    assert byline == (["\\xea\\xb8\\xb0\\xec\\x9e\\x90"], 2.0, 7.0)  # two letters, seven characters at most
    assert mark[:2] == (["\\xe2\\x93\\x92"], 2.5) and math.isinf(mark[2])
    # a symbol says more than a letter, a letter more than punctuation: `@`, not `.`
    ((strings, _, _),) = prefilter.factors(r"[a-z]{1,9}\.[a-z]{1,9}@[a-z]{1,9}")
    assert strings == ["\\x40"]
    # every way of writing a word without case, as Python's re folds it (`ſ` is an `s`)
    ((strings, _, _),) = prefilter.factors("(?i:subscribe)")
    db = prefilter.literal_database(strings, [0] * len(strings))
    for text in ("SUBSCRIBE", "ſubſcribe", "Subscribe"):
        found: list[tuple[int, int]] = []
        db.scan(text.encode(), match_event_handler=line_rules._collect, context=found)
        assert found, text
    assert prefilter.factors("(?:a|b?)")[1] == (None, 0.0, 1.0)  # an optional part holds no string


ENDINGS = [*PIECES, "(AP Photo/Jane Doe)", "Photo: Reuters", "© Getty Images", "했다.", "사진=연합뉴스", " /뉴스1"]
ending_texts = st.lists(st.lists(st.sampled_from(ENDINGS), max_size=5).map("".join), max_size=8).map("\n".join)


def _plain_suffixes(pack, text: str) -> list[tuple[int, int, str | None]]:
    """Every line not ending like a Korean sentence, searched near its end."""
    out, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line and not line.rstrip(" \t").endswith(("다.", "요.", "죠.", "까.")):
            lo = start if pack.suffix_reach is None else max(start, end - pack.suffix_reach)
            out += [(m.start(), m.end(), m.lastgroup) for m in pack.suffix.finditer(text, lo, end)]
        start = end + 1
    return out


@settings(max_examples=1000, deadline=None)
@given(text=ending_texts)
def test_credits_are_looked_for_on_the_lines_that_may_hold_them(text):
    from malgeum.steps import boilerplate

    step = _step()
    for pack in [*step._packs, step._one_regex()]:
        assert _spans(list(boilerplate._suffix_matches(pack, text))) == _plain_suffixes(pack, text)


def test_credits_found_by_their_strings_where_the_strings_say_something():
    packs = {p.lang: p for p in _step()._packs}
    assert packs["en"].suffix_lines.selective  # `Photo`, `©`, `Getty`
    assert not packs["ko"].suffix_lines.selective  # a dateline stamp holds nothing but digits and dots
    text = "The council met.\nCrowds gather. (AP Photo/Jane Doe)\nNothing here"
    assert packs["en"].suffix_lines.lines(text, [0, 17, 51], [16, 50, 63]) == {1}


MIXED = [*ENDINGS, "관련기사", "Related stories", "▶ 관련기사", "(서울=연합뉴스) 홍길동 기자 = ", "By Jane Doe, "]
MIXED += ["  ", "\t"]
mixed_texts = st.lists(st.lists(st.sampled_from(MIXED), max_size=5).map("".join), max_size=10).map("\n".join)


@settings(max_examples=800, deadline=None)
@given(text=mixed_texts)
def test_a_document_in_two_scripts_is_cut_as_by_one_regex_of_every_pack(text):
    from malgeum import Document
    from malgeum.steps import boilerplate

    step, plain = _step(), _one_regex_step()
    a, b = Document("x", text), Document("x", text)
    step.apply(a)
    plain.apply(b)
    assert (a.text, [e.to_dict() for e in a.edits]) == (b.text, [e.to_dict() for e in b.edits])
    assert boilerplate  # (the module the reference below reaches into)


@functools.cache
def _one_regex_step():
    """The step scanning a document of several packs' scripts with one regex of every pack's rules per kind."""
    from malgeum.recipe import build
    from malgeum.steps import boilerplate

    (step,) = build({"steps": ["boilerplate"]})
    one = step._one_regex()
    step._each_line = lambda kind, packs, text: list(getattr(one, kind).finditer(text))
    step._suffixes = lambda packs, text: [m for m in boilerplate._suffix_matches(one, text) if m.end() > m.start()]
    return step


def test_on_a_line_starting_with_a_space_one_regex_of_the_packs_decides_the_first_rule():
    from types import SimpleNamespace

    from malgeum.steps.boilerplate import CutBoilerplate

    first = SimpleNamespace(prefix=re.compile(r"^[ \t]{0,40}(?:(?P<r0>\sfoo))", re.M))
    second = SimpleNamespace(prefix=re.compile(r"^[ \t]{0,40}(?:(?P<r1>foo))", re.M))
    one = SimpleNamespace(prefix=re.compile(r"^[ \t]{0,40}(?:(?P<r0>\sfoo)|(?P<r1>foo))", re.M))
    step = SimpleNamespace(_one_regex=lambda: one)
    text = "foo bar\n foo bar"
    found = CutBoilerplate._each_line(step, "prefix", [first, second], text)  # type: ignore[arg-type]
    assert [(m.start(), m.lastgroup) for m in found] == [(m.start(), m.lastgroup) for m in one.prefix.finditer(text)]
    assert [m.lastgroup for m in found] == ["r1", "r1"]  # (each pack's first match on the second line: r0)
