"""Speed shortcuts in hot paths give exactly the answers of the plain computation they skip."""

from __future__ import annotations

import functools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from malgeum import langpacks, scripts
from malgeum.steps import pii, salad, spam, whitespace

SPACES_AND_WORDS = list(" \t\n\r\u00a0\u3000\u200b\x00\x1c\x85\u2028가a.")
SCRIPTS = list(" \n.,1가나ᄀㄱAbéЖ中あ")


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(SPACES_AND_WORDS), max_size=40))
def test_skipping_spaces_between_words_changes_no_whitespace_match(text):
    plain = re.compile(whitespace._PATTERN.pattern.replace(whitespace._WORD_SPACE, "", 1), re.M)
    assert plain.pattern != whitespace._PATTERN.pattern

    def spans(rx: re.Pattern[str]) -> list[tuple[int, int, str | None]]:
        return [(m.start(), m.end(), m.lastgroup) for m in rx.finditer(text)]

    assert spans(whitespace._PATTERN) == spans(plain)


# runs of one character, so that one script can outnumber another by a few letters either way
runs = st.lists(st.tuples(st.sampled_from(SCRIPTS), st.integers(1, 6)), max_size=8)


@settings(max_examples=1000, deadline=None)
@given(pieces=runs)
def test_the_main_script_shortcut_agrees_with_counting_every_script(pieces):
    text = "".join(c * n for c, n in pieces)
    assert scripts.text_script(text) == scripts.main_script(scripts.script_counts(text))


@settings(max_examples=500, deadline=None)
@given(pieces=runs)
def test_script_counts_by_deletion_are_counts_of_letters(pieces):
    text = "".join(c * n for c, n in pieces)
    counts = scripts.script_counts(text)
    for name, rx in scripts.SCRIPTS.items():
        assert counts[name] == len(rx.findall(text)) * scripts._WEIGHT.get(name, 2)


# the first and last letter of every script's ranges, the characters just outside them, and others
EDGES = sorted(
    {chr(c) for lo, hi, _ in scripts._RANGES for c in (lo - 1, lo, hi, hi + 1)} | set(SCRIPTS) | {"\ud800", "🙂"}
)
long_runs = st.lists(st.tuples(st.sampled_from(EDGES), st.integers(1, 120)), min_size=4, max_size=30)


@settings(max_examples=300, deadline=None)
@given(pieces=long_runs)
def test_script_counts_of_a_long_text_by_code_point_are_counts_of_letters(pieces):
    text = "".join(c * n for c, n in pieces)
    counts = scripts.script_counts(text)
    for name, rx in scripts.SCRIPTS.items():
        assert counts[name] == len(rx.findall(text)) * scripts._WEIGHT.get(name, 2)
    assert scripts.text_script(text) == scripts.main_script(counts)


LINKY = [*" \n.:/@w가aZ_-+", "http://", "https://", "www.", "a@b.kr"]


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(LINKY), max_size=40).map("".join))
def test_links_removed_line_by_line_are_those_removed_from_the_whole_text(text):
    assert scripts.without_links(text) == scripts.LINKS.sub(" ", text)


def test_no_script_weighs_more_than_hangul():
    # the shortcut's reasoning: Hangul outnumbering every other letter means it outweighs every script
    assert max([*scripts._WEIGHT.values(), 2]) <= scripts._WEIGHT["hangul"]


@settings(max_examples=1000, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789-- 가a\n١")), max_size=40))
def test_account_numbers_found_from_their_first_digit_are_those_looked_for_everywhere(text):
    plain = re.compile(r"(?<![0-9-])(?:\d{2,6}(?:[- ]\d{2,7}){1,4}(?![0-9]|-\d)|\d{10,14}(?![0-9]))")
    assert [m.span() for m in pii._ACCOUNT.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=1000, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab1.@-_+% 가\n")), max_size=30))
def test_e_mails_found_from_their_first_character_are_those_looked_for_everywhere(text):
    plain = re.compile(pii._EMAIL.replace("[A-Za-z0-9](?<![\\w.%+-][A-Za-z0-9])", "(?<![\\w.%+-])[A-Za-z0-9]", 1))
    assert plain.pattern != pii._EMAIL
    assert [m.span() for m in re.finditer(pii._EMAIL, text)] == [m.span() for m in plain.finditer(text)]


KO_SPAM = langpacks.load("ko", "spam")
KO_STEMS = [s for group in KO_SPAM["stems"].values() for s in group]
KO_PIECES = KO_STEMS + KO_SPAM["prefixes"] + KO_SPAM["suffixes"] + KO_SPAM["words"]
KO_PIECES += ["먹튀검증", "먹튀 검증", "가입 머니", " ", "은", "바", "카", "\n"]


@settings(max_examples=1000, deadline=None)
@given(pieces=st.lists(st.sampled_from(KO_PIECES), max_size=8))
def test_spelled_out_keyword_alternatives_match_what_the_grouped_pattern_does(pieces):
    text = "".join(pieces)
    stems, prefixes = spam._alt(KO_STEMS), spam._alt(KO_SPAM["prefixes"])
    glued = spam._alt(KO_SPAM["suffixes"] + KO_STEMS)
    phrases = "|".join(f"(?:{p})" for p in KO_SPAM["phrases"])
    plain = re.compile(f"(?:{prefixes})(?:{stems})|(?:{stems})(?:{glued})|{spam._alt(KO_SPAM['words'])}|{phrases}")
    fast = re.compile(spam.keyword_regex(KO_SPAM))
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=1000, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("다. !?…．？！\t\n\u3000가")), max_size=30))
def test_sentence_pieces_split_from_the_first_space_as_after_the_full_stop(text):
    plain = re.compile(r"(?<=[.?!…．？！])\s{1,40}")
    assert salad._PIECE_BREAK.split(text) == plain.split(text)


@settings(max_examples=1000, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("가나·ㆍ …▲1억 ")), max_size=30))
def test_headline_marks_are_looked_for_past_spelled_out_words_only_where_a_middle_dot_is(text):
    plain = bool(salad._HEADLINE_MARKS.search(salad._SPELLED_OUT.sub("", text)))
    assert salad._marked(text) == plain


CREDIT_PIECES = [
    "홍길동 기자",
    " (사진=연합뉴스)",
    " 2023.11.15. photo@newsis.com",
    " ⓒ 뉴스1",
    " (AP Photo/Jane Doe)",
    ". Photo: Jane Doe",
    " © Jane Doe/Agency",
    " /뉴스1 © News1 홍길동 기자",
    "그는 말했다.",
    "The mayor spoke.",
    " ",
    "\t",
    "\n",
    "word ",
    "기사 ",
]


@functools.cache
def _packs_near_and_whole() -> list[tuple]:
    """Each boilerplate pack, and the same pack searching every line whole for credits."""
    import dataclasses

    from malgeum.recipe import build

    (step,) = build({"steps": ["boilerplate"]})
    return [(pack, dataclasses.replace(pack, suffix_reach=None)) for pack in step._packs]


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.tuples(st.sampled_from(CREDIT_PIECES), st.integers(1, 60)), max_size=10))
def test_suffix_credits_looked_for_near_the_line_end_are_those_looked_for_on_the_whole_line(pieces):
    from malgeum.steps.boilerplate import _suffix_matches

    text = "".join(piece * n for piece, n in pieces)
    for pack, whole in _packs_near_and_whole():
        assert pack.suffix_reach is not None and pack.suffix is not None
        near = [(m.start(), m.end(), m.lastgroup) for m in _suffix_matches(pack, text)]
        assert near == [(m.start(), m.end(), m.lastgroup) for m in _suffix_matches(whole, text)], pack.lang


def _voted_script(text: str) -> tuple[str | None, float]:
    """`document_script` without its shortcuts: every line votes for its script."""
    from malgeum.steps import foreign

    if scripts.text_script(text) in ("hangul", None):
        return scripts.text_script(text), 1.0
    votes = dict.fromkeys(scripts.SCRIPTS, 0)
    for line in text.split("\n"):
        counts = scripts.script_counts(line)
        if (name := scripts.main_script(counts)) is not None:
            votes[name] += min(counts[name], foreign._VOTE_CAP)
    main = scripts.main_script(votes)
    return main, votes[main] / sum(votes.values()) if main else 0.0


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(st.tuples(st.sampled_from([*SCRIPTS, "\n", "Hello world. ", "Привет"]), st.integers(1, 80))))
def test_the_script_of_a_document_of_one_script_is_the_vote_of_its_lines(pieces):
    from malgeum.steps.foreign import document_script

    text = "".join(c * n for c, n in pieces)
    assert document_script(text) == _voted_script(text)


PIECES = [*"가나다했다.?! “”\"'", "했다. ", "좋다. ", "그런데"]


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_a_lines_pieces_cut_once_answer_as_cut_for_each_test(text):
    pieces = salad._pieces(text)
    assert salad.sentence_like(text, pieces) == salad.sentence_like(text)
    assert salad.fragments(text, pieces) == salad.fragments(text)
