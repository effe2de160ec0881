"""Language packs are data a linguist edits; these tests keep them safe to run on hostile text."""

from __future__ import annotations

import re
import time

import pytest

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

from malgeum import langpacks
from malgeum.steps.spam import _fixed_start, keyword_regex

MAX_REPEAT = 400
BOILERPLATE = [
    (lang, r) for lang in langpacks.available("boilerplate") for r in langpacks.load(lang, "boilerplate")["rules"]
]


def _unbounded(parsed) -> list[str]:
    """Repeats with no upper bound (or a huge one) anywhere in a parsed regex."""
    found = []
    for op, arg in parsed:
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            _lo, hi, sub = arg
            if hi is sre_parse.MAXREPEAT or hi > MAX_REPEAT:
                found.append(str(sub))
            found += _unbounded(sub)
        elif op == sre_parse.SUBPATTERN:
            found += _unbounded(arg[-1])
        elif op == sre_parse.BRANCH:
            for alt in arg[1]:
                found += _unbounded(alt)
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            found += _unbounded(arg[1])
    return found


@pytest.mark.parametrize("lang,rule", BOILERPLATE, ids=[r["id"] for _, r in BOILERPLATE])
def test_rule_is_well_formed_and_bounded(lang, rule):
    extra = {"heading": {"items"}, "contains": {"max_chars"}}.get(rule["kind"], set())
    assert set(rule) - {"caption", "list_only"} == {"id", "kind", "reason", "pattern"} | extra
    assert rule.get("caption", True) is True and ("caption" not in rule or rule["kind"] == "suffix")
    assert rule.get("list_only", True) is True and ("list_only" not in rule or rule["kind"] == "line")
    assert rule["id"].startswith(f"{lang}.")
    assert rule["kind"] in ("line", "contains", "prefix", "suffix", "heading")
    for key in ("pattern", "items"):
        if key in rule:
            pattern = langpacks.alternatives(rule[key])
            re.compile(pattern)
            assert _unbounded(sre_parse.parse(pattern)) == [], f"{key}: bound every repetition, e.g. {{0,40}}"


@pytest.mark.parametrize("lang,rule", BOILERPLATE, ids=[r["id"] for _, r in BOILERPLATE])
def test_no_line_rule_takes_a_blank_line(lang, rule):
    # the step passes blank lines over without trying the line and heading rules on them
    if rule["kind"] in ("line", "heading"):
        rx = re.compile(f"[ \t]{{0,40}}(?:{langpacks.alternatives(rule['pattern'])})[ \t]{{0,40}}")
        for blank in ("", " ", "\t", " " * 40, " \t " * 20):
            assert rx.fullmatch(blank) is None, repr(blank)


def test_rule_ids_are_unique():
    ids = [r["id"] for _, r in BOILERPLATE]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("lang", langpacks.available("spam"))
def test_spam_lexicon_compiles(lang):
    rx = keyword_regex(langpacks.load(lang, "spam"))
    assert rx and re.compile(rx)


def test_patterns_never_cross_a_line_break():
    assert re.fullmatch(langpacks.line_safe(r"a\sb"), "a\nb") is None
    assert re.fullmatch(langpacks.line_safe(r"a[^x]b"), "a\nb") is None
    assert re.fullmatch(langpacks.line_safe(r"a[\s]b"), "a\nb") is None
    assert re.fullmatch(langpacks.line_safe(r"a[]\s]b"), "a]b")


@pytest.mark.parametrize(
    "filler",
    [
        "가",
        "a",
        " ",
        "=",
        "기자 ",
        "가나다라 기자 ",
        "사진=가나다 ",
        "(서울=연합뉴스) 가나다 ",
        "[",
        "▶",
        "@",
        "a.",
        "#가",
    ],
)
def test_boilerplate_is_linear_on_pathological_lines(filler):
    """A 200k-character line of one repeated piece must not make any rule backtrack for long."""
    from malgeum import Document
    from malgeum.recipe import build

    (step,) = build({"steps": ["boilerplate"]})
    text = filler * (200_000 // len(filler))
    t0 = time.perf_counter()
    step.process(Document("x", text))
    # generous: linear scanning takes well under a second; catastrophic backtracking takes minutes
    assert time.perf_counter() - t0 < 20


def test_credits_fit_the_stretch_the_suffix_chain_looks_back():
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    from malgeum.steps.boilerplate import _MAX_CREDIT

    for lang in langpacks.available("boilerplate"):
        for rule in langpacks.load(lang, "boilerplate")["rules"]:
            if rule["kind"] == "suffix":
                widest = sre_parse.parse(langpacks.alternatives(rule["pattern"])).getwidth()[1]
                assert widest <= _MAX_CREDIT, rule["id"]


def _case_variants(chars: set[str]) -> set[str]:
    """Every character of the Basic Multilingual Plane that one of `chars` matches when case is ignored: re folds
    more than upper() and lower() do (`s` matches `ſ`, `k` the Kelvin sign)."""
    rx = re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]", re.IGNORECASE)
    return {chr(x) for x in range(0x10000) if not 0xD800 <= x < 0xE000 and rx.fullmatch(chr(x))}


def _first_chars(items, ignore_case: bool = False) -> set[str] | None:
    """The characters a match of the parsed pattern can start with; None when this analysis cannot tell."""
    out: set[str] = set()
    for op, av in items:
        if op in (sre_parse.AT, sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            continue  # zero width: the next item starts the match
        optional = False
        if op == sre_parse.LITERAL:
            chars: set[str] | None = {chr(av)}
        elif op == sre_parse.IN and all(o in (sre_parse.LITERAL, sre_parse.RANGE) for o, _ in av):
            chars = {chr(c) for o, a in av for c in ([a] if o == sre_parse.LITERAL else range(a[0], a[1] + 1))}
        elif op == sre_parse.BRANCH:
            parts = [_first_chars(p, ignore_case) for p in av[1]]
            chars = None if any(p is None for p in parts) else set().union(*parts)
        elif op == sre_parse.SUBPATTERN:
            chars = _first_chars(av[3], ignore_case or bool(av[1] & re.IGNORECASE))
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            chars, optional = _first_chars(av[2], ignore_case), av[0] == 0
        else:
            return None  # a category, a negated class...
        if chars is None:
            return None
        out |= _case_variants(chars) if ignore_case else chars
        if not optional:
            return out
    return None  # the pattern may match nothing at all


@pytest.mark.parametrize("lang", langpacks.available("boilerplate"))
def test_contains_patterns_start_with_the_packs_first_characters(lang):
    pack = langpacks.load(lang, "boilerplate")
    first = pack.get("contains_first_chars")
    for rule in pack["rules"]:
        if first and rule["kind"] == "contains":
            chars = _first_chars(sre_parse.parse(langpacks.alternatives(rule["pattern"])))
            assert chars is not None, f"{rule['id']}: cannot tell its first characters; drop contains_first_chars"
            assert all(re.fullmatch(first, c) for c in chars), rule["id"]


@pytest.mark.parametrize("lang", langpacks.available("spam"))
def test_spam_phrases_start_with_the_packs_first_characters(lang):
    pack = langpacks.load(lang, "spam")
    for phrase in pack.get("phrases") or []:
        if pack.get("first_chars"):
            chars = _first_chars(sre_parse.parse(phrase))
            assert chars is not None and all(re.fullmatch(pack["first_chars"], c) for c in chars), phrase
        else:  # no lookahead declared: the pack relies on every phrase starting with a fixed character
            assert _fixed_start(phrase), f"{phrase}: starts with a class or group; declare first_chars"
