"""Web word salad: the SEO spam blocks that crawled Korean pages carry, generated to measure the spam step.

    python bench/salad.py --examples 3 [--seed 7] [--rate 0.5] [--visible]

Real salad is a block of lines, each a shuffle of ordinary prose eojeol in nonsense order; about half of the
lines have a gambling, adult or loan keyword stuffed in, often obfuscated (바*카*라, 토 토, zero-width
characters inside the word, ⓒⓐⓢⓘⓝⓞ, ＣＡＳＩＮＯ, ㅋr지노, a domain such as xx77.com), and the other lines of the
same block have none. This module builds such blocks from prose written for the project
(`data/salad_prose_ko.txt`) and from keywords that the ko language pack does *not* list, so a score says how
the step copes with spam it has no word for; `inject` puts a block into a news record and returns the character
span of every inserted line, so a scorer can check which salad lines were cut and which story lines were kept.

Everything random comes from the `random.Random` passed in: the same seed gives the same salad.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

PROSE = Path(__file__).resolve().parent / "data" / "salad_prose_ko.txt"

# Spam keywords and brand-like names that src/malgeum/langpacks/ko/spam.yaml does not know: none of them is,
# or contains, a stem, prefix, suffix, word or phrase listed there (tests/test_salad_generator.py checks it).
KEYWORDS: list[str] = [
    # gambling: sports-betting and casino slang, game and provider names, site brands
    "프로토",
    "프로토승부식",
    "승부벳",
    "스보벳",
    "피나클",
    "원엑스벳",
    "벳365",
    "파칭코",
    "빠칭코",
    "부스타빗",
    "홀짝",
    "스피드키노",
    "먹검",
    "첫충매충",
    "무제한페이백",
    "잭팟",
    "프라그마틱",
    "마이크로게이밍",
    "에볼",
    "환전빠른곳",
    "승인전화없는곳",
    "언더오버",
    "스포츠북",
    "럭키세븐벳",
    "타이거윈",
    "드래곤킹88",
    "빅토리아클럽",
    "황제벳",
    "SBOBET",
    "1XBET",
    "PINNACLE",
    "BUSTABIT",
    "JACKPOT777",
    "VIPBET",
    # adult services
    "건마",
    "휴게텔",
    "풀싸롱",
    "셔츠룸",
    "스웨디시",
    "1인샵",
    "출장샵",
    "애인대행",
    "벗방",
    "야짤",
    "유흥알바",
    "밤알바",
    "노래방도우미",
    "성인웹툰",
    "번개만남",
    # illegal loans and cash-out schemes
    "카드깡",
    "휴대폰깡",
    "소액결제현금화",
    "정보이용료현금화",
    "신용카드현금화",
    "내구제",
    "월변",
    "달돈",
    "사채",
    "폰테크",
    "대포통장",
]

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060")
SEPARATORS = ("*", ".", "-", "_", "~", "·", "♡", "/", "^")
NO_OBFUSCATION_RATE = 0.15  # share of keywords left as they are
DOMAIN_RATE = 0.2  # share of stuffed keywords followed by a domain-like string
_TLDS = (".com", ".net", ".kr", ".xyz", ".top", ".co")
_DOTS = (".", ".", ".", "。", " . ", "[.]")

# Hangul syllable arithmetic (Unicode: 0xAC00 + (initial * 21 + vowel) * 28 + final)
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWEL_LOOKALIKE = {0: "r", 1: "H", 20: "l"}  # ㅏ ㅐ ㅣ drawn with Latin letters: 카 -> ㅋr, 개 -> ㄱH, 이 -> ㅇl
_LEET = {"o": "0", "O": "0", "i": "1", "I": "1", "e": "3", "E": "3", "a": "4", "A": "4", "s": "5", "S": "5"}

_CIRCLED = {chr(ord("a") + k): chr(0x24D0 + k) for k in range(26)}
_CIRCLED |= {chr(ord("A") + k): chr(0x24B6 + k) for k in range(26)}
_CIRCLED |= {str(k): chr(0x2460 + k - 1) for k in range(1, 10)} | {"0": "\u24ea"}
_CIRCLED |= {s: chr(0x326E + k) for k, s in enumerate("가나다라마바사아자차카타파하")}  # ㉮ ... ㉻


@cache
def vocabulary() -> tuple[str, ...]:
    """The eojeol of the project's own prose, in file order and with repeats (common words come up more)."""
    return tuple(PROSE.read_text(encoding="utf-8").split())


def _lookalike(ch: str) -> str | None:
    code = ord(ch)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        initial, rest = divmod(code - _HANGUL_FIRST, 21 * 28)
        vowel, final = divmod(rest, 28)
        if final == 0 and vowel in _VOWEL_LOOKALIKE:
            return _INITIALS[initial] + _VOWEL_LOOKALIKE[vowel]
        return None
    return _LEET.get(ch)


def _separated(word: str, rng: random.Random) -> str:
    """바*카*라, 카.지.노: one separator between every two characters."""
    return rng.choice(SEPARATORS).join(word)


def _spaced(word: str, rng: random.Random) -> str:
    """토 토: the letters spaced out."""
    return " ".join(word)


def _zero_width(word: str, rng: random.Random) -> str:
    """Invisible characters in one or more gaps inside the word."""
    gaps = set(rng.sample(range(1, len(word)), rng.randint(1, len(word) - 1)))
    return "".join((rng.choice(ZERO_WIDTH) if k in gaps else "") + ch for k, ch in enumerate(word))


def _circled(word: str, rng: random.Random) -> str:
    """ⓒⓐⓢⓘⓝⓞ, ①②③, ㉸: every letter, digit or syllable that has a circled form."""
    if rng.random() < 0.5:
        word = word.lower()
    return "".join(_CIRCLED.get(ch, ch) for ch in word)


def _fullwidth(word: str, rng: random.Random) -> str:
    """ＣＡＳＩＮＯ: printable ASCII in its fullwidth form."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in word)


def _lookalikes(word: str, rng: random.Random) -> str:
    """ㅋr지노, B3T: some syllables drawn as a jamo and a Latin letter, some Latin letters as digits."""
    places = [k for k, ch in enumerate(word) if _lookalike(ch)]
    chosen = set(rng.sample(places, rng.randint(1, len(places))))
    return "".join((_lookalike(ch) or ch) if k in chosen else ch for k, ch in enumerate(word))


# each obfuscation: (how it is done, whether it can change the word, weight)
_Obfuscation = tuple[Callable[[str, random.Random], str], Callable[[str], bool], float]
OBFUSCATIONS: dict[str, _Obfuscation] = {
    "separated": (_separated, lambda w: len(w) >= 2, 3.0),
    "spaced": (_spaced, lambda w: len(w) >= 2, 2.0),
    "zero_width": (_zero_width, lambda w: len(w) >= 2, 2.0),
    "circled": (_circled, lambda w: any(ch in _CIRCLED for ch in w), 1.0),
    "fullwidth": (_fullwidth, lambda w: any(ch in string.ascii_letters + string.digits for ch in w), 1.0),
    "lookalike": (_lookalikes, lambda w: any(_lookalike(ch) for ch in w), 1.5),
}


def obfuscate(word: str, rng: random.Random) -> str:
    """`word` disguised by one obfuscation that can change it, picked at random; unchanged now and then."""
    usable = [(do, weight) for do, applies, weight in OBFUSCATIONS.values() if applies(word)]
    if not usable or rng.random() < NO_OBFUSCATION_RATE:
        return word
    do = rng.choices([d for d, _ in usable], weights=[w for _, w in usable])[0]
    return do(word, rng)


def domain_like(rng: random.Random) -> str:
    """A site address as spam writes it: xx77.com, bet365。net, kk12 . xyz."""
    name = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 6)))
    return f"{name}{rng.randint(1, 999)}{rng.choice(_DOTS)}{rng.choice(_TLDS)[1:]}"


def salad_line(rng: random.Random, words: Sequence[str], keyword: str | None) -> str:
    """6-16 eojeol from `words` in random order, `keyword` (obfuscated) stuffed in at a random place if given.

    The line ends with a period, without one, or however its last eojeol ended in the prose.
    """
    tokens = [rng.choice(words) for _ in range(rng.randint(6, 16))]
    ending = rng.random()
    if ending < 0.4:
        tokens[-1] = tokens[-1].rstrip(".,") + "."
    elif ending < 0.7:
        tokens[-1] = tokens[-1].rstrip(".,")
    if keyword is not None:
        stuffed = obfuscate(keyword, rng)
        if rng.random() < DOMAIN_RATE:
            stuffed += " " + domain_like(rng)
        tokens.insert(rng.randint(0, len(tokens)), stuffed)
    return " ".join(tokens)


def salad_block(rng: random.Random, n_lines: int, keyword_rate: float = 0.5) -> list[str]:
    """`n_lines` salad lines; about `keyword_rate` of them (rounded at random) carry a keyword, the rest none."""
    if not 0.0 <= keyword_rate <= 1.0:
        raise ValueError(f"keyword_rate must be within [0, 1], not {keyword_rate}")
    words = vocabulary()
    carrying = set(rng.sample(range(n_lines), int(n_lines * keyword_rate + rng.random())))
    return [salad_line(rng, words, rng.choice(KEYWORDS) if k in carrying else None) for k in range(n_lines)]


def inject(text: str, rng: random.Random, where: str) -> tuple[str, list[tuple[int, int]]]:
    """Insert a block of 3-8 salad lines into a record's `text` as whole lines.

    `where` is "before" (ahead of the first line), "after" (behind the last line, before a final newline if the
    text ends with one) or "inside" (between two lines in the middle half of the text; a text of one line gets
    the block after it). The text's own lines are left as they are. Returns the new text and the (start, end)
    character span of every inserted line in it, newline excluded: dropping those lines gives `text` back.
    """
    lines = text.split("\n") if text else []
    body = len(lines) - 1 if len(lines) > 1 and lines[-1] == "" else len(lines)
    if where == "before":
        at = 0
    elif where == "after":
        at = body
    elif where == "inside":
        at = rng.randint(max(1, body // 4), min(body - 1, body - body // 4)) if body >= 2 else body
    else:
        raise ValueError(f'where must be "before", "inside" or "after", not {where!r}')
    block = salad_block(rng, rng.randint(3, 8))
    start = sum(len(line) + 1 for line in lines[:at])
    spans = []
    for line in block:
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return "\n".join([*lines[:at], *block, *lines[at:]]), spans


def _visible(line: str) -> str:
    return "".join(f"<U+{ord(ch):04X}>" if ch in ZERO_WIDTH else ch for ch in line)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Print example word-salad blocks.")
    ap.add_argument("--examples", type=int, default=3, help="how many blocks")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rate", type=float, default=0.5, help="share of lines with a keyword")
    ap.add_argument("--visible", action="store_true", help="show zero-width characters as <U+200B>")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    for n in range(args.examples):
        if n:
            print()
        for line in salad_block(rng, rng.randint(3, 8), args.rate):
            print(_visible(line) if args.visible else line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
