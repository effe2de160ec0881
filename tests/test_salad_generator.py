"""bench/salad.py: keywords the lexicon lacks, spans that point at the inserted lines, determinism."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import salad  # noqa: E402

SPAM_YAML = ROOT / "src" / "malgeum" / "langpacks" / "ko" / "spam.yaml"


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


@pytest.fixture(scope="module")
def lexicon() -> dict:
    return yaml.safe_load(SPAM_YAML.read_text(encoding="utf-8"))


def test_keywords_contain_no_term_of_the_lexicon(lexicon: dict) -> None:
    terms = _strings(lexicon)  # stems, prefixes, suffixes, words, phrases (and the pattern settings)
    phrases = [re.compile(p) for p in lexicon["phrases"]]
    hits = [(kw, t) for kw in salad.KEYWORDS for t in terms if t.casefold() in kw.casefold()]
    hits += [(kw, p.pattern) for kw in salad.KEYWORDS for p in phrases if p.search(kw)]
    assert hits == []
    assert len(salad.KEYWORDS) >= 40
    assert len(set(salad.KEYWORDS)) == len(salad.KEYWORDS)


def test_prose_has_no_stem_word_or_phrase_of_the_lexicon(lexicon: dict) -> None:
    # salad lines without a keyword must carry no lexicon term, or they are not keyword-free
    prose = salad.PROSE.read_text(encoding="utf-8")
    stems = [s for group in lexicon["stems"].values() for s in group]
    found = [t for t in stems + lexicon["words"] if t in prose]
    found += [p for p in lexicon["phrases"] if re.search(p, prose)]
    assert found == []


def test_prose_is_one_sentence_a_line_and_about_12000_characters() -> None:
    lines = salad.PROSE.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() == line and line for line in lines)
    assert 11_000 <= sum(len(line) + 1 for line in lines) <= 14_000
    assert len(set(salad.vocabulary())) > 1_500


@pytest.mark.parametrize("seed", range(20))
def test_obfuscation_changes_most_words(seed: int) -> None:
    rng = random.Random(seed)
    keywords = [salad.obfuscate(kw, rng) != kw for kw in salad.KEYWORDS]
    words = sorted(set(salad.vocabulary()))
    prose = [salad.obfuscate(w, rng) != w for w in rng.sample(words, 200)]
    assert sum(keywords) >= 0.75 * len(keywords)
    assert sum(prose) >= 0.7 * len(prose)


@pytest.mark.parametrize(
    ("name", "word", "expected"),
    [
        ("spaced", "토토", "토 토"),
        ("fullwidth", "CASINO", "ＣＡＳＩＮＯ"),
        ("lookalike", "카", "ㅋr"),
    ],
)
def test_obfuscation_by_name(name: str, word: str, expected: str) -> None:
    do, applies, _ = salad.OBFUSCATIONS[name]
    assert applies(word)
    assert do(word, random.Random(0)) == expected


def test_separators_and_zero_width_hide_but_keep_the_letters() -> None:
    rng = random.Random(3)
    for _ in range(50):
        separated = salad.OBFUSCATIONS["separated"][0]("바카라", rng)
        assert separated[0::2] == "바카라" and len(set(separated[1::2])) == 1
        hidden = salad.OBFUSCATIONS["zero_width"][0]("카지노", rng)
        assert hidden != "카지노"
        assert "".join(ch for ch in hidden if ch not in salad.ZERO_WIDTH) == "카지노"


def test_circled_letters() -> None:
    circled = salad.OBFUSCATIONS["circled"][0]("casino", random.Random(0))
    assert circled == "ⓒⓐⓢⓘⓝⓞ"


def _prose_forms() -> set[str]:
    """Every eojeol of the prose, also as a line's last word (its period or comma dropped or made a period)."""
    vocab = set(salad.vocabulary())
    return vocab | {w.rstrip(".,") for w in vocab} | {w.rstrip(".,") + "." for w in vocab}


def test_lines_without_keyword_are_only_prose_eojeol() -> None:
    rng = random.Random(5)
    vocab, forms = set(salad.vocabulary()), _prose_forms()
    for _ in range(200):
        tokens = salad.salad_line(rng, salad.vocabulary(), None).split(" ")
        assert 6 <= len(tokens) <= 16
        assert all(t in vocab for t in tokens[:-1])
        assert tokens[-1] in forms


def _carries_keyword(line: str, forms: set[str]) -> bool:
    return any(t not in forms for t in line.split(" "))


@pytest.mark.parametrize(("rate", "carrying"), [(0.0, 0), (1.0, 7)])
def test_block_keyword_rate(rate: float, carrying: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(salad, "obfuscate", lambda word, rng: word)  # a spaced keyword may read as prose words
    forms = _prose_forms()
    block = salad.salad_block(random.Random(1), 7, keyword_rate=rate)
    assert len(block) == 7
    assert sum(_carries_keyword(line, forms) for line in block) == carrying


def test_block_about_half_the_lines_carry_a_keyword(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(salad, "obfuscate", lambda word, rng: word)
    rng, forms = random.Random(2), _prose_forms()
    lines = [line for _ in range(200) for line in salad.salad_block(rng, 6)]
    share = sum(_carries_keyword(line, forms) for line in lines) / len(lines)
    assert 0.45 <= share <= 0.55


TEXTS = [
    "제목 한 줄\n첫 문단입니다.\n둘째 문단입니다.\n셋째 문단입니다.\n기자 이메일",
    "제목\n\n첫 문단.\n\n둘째 문단.\n\n셋째 문단.\n",
    "한 줄짜리 기사입니다.",
    "두 줄\n기사",
    "",
    "\n\n앞뒤로 빈 줄\n\n",
]


@pytest.mark.parametrize("where", ["before", "inside", "after"])
@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("seed", range(5))
def test_inject_spans_point_at_whole_inserted_lines(text: str, where: str, seed: int) -> None:
    new, spans = salad.inject(text, random.Random(seed), where)
    assert 3 <= len(spans) <= 8
    lines = new.split("\n")
    starts = [sum(len(x) + 1 for x in lines[:k]) for k in range(len(lines))]
    line_spans = [(s, s + len(x)) for s, x in zip(starts, lines, strict=True)]
    index = [line_spans.index(span) for span in spans]  # ValueError if a span is not exactly one line
    assert index == list(range(index[0], index[0] + len(spans)))  # one block, in order
    assert "\n".join(x for k, x in enumerate(lines) if k not in index) == text
    assert all(new[s:e].strip() and "\n" not in new[s:e] for s, e in spans)
    body = len(text.split("\n")) - (1 if text.endswith("\n") else 0) if text else 0
    if where == "before":
        assert index[0] == 0
    elif where == "after" or body < 2:
        assert index[0] == body
    else:
        assert 0 < index[0] < body


def test_inject_rejects_an_unknown_place() -> None:
    with pytest.raises(ValueError, match="where"):
        salad.inject("a\nb", random.Random(0), "middle")


def test_same_seed_same_salad() -> None:
    text = "\n".join(TEXTS[:2])
    runs = [
        (salad.salad_block(random.Random(42), 6), salad.inject(text, random.Random(42), "inside")) for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert salad.salad_block(random.Random(43), 6) != runs[0][0]


def test_examples_print(capsys: pytest.CaptureFixture[str]) -> None:
    assert salad.main(["--examples", "2", "--seed", "1"]) == 0
    blocks = capsys.readouterr().out.strip("\n").split("\n\n")
    assert len(blocks) == 2
    assert all(3 <= len(b.split("\n")) <= 8 for b in blocks)
