"""Rules that match a whole line, tried only on the lines where they may match.

A pack's line rules are hundreds of alternatives, each to match a line whole (between up to SPACE_MAX spaces or
tabs), and as one regex Python's `re` would try every alternative at every line start (half of the boilerplate
step's time on news). But every match of an alternative holds one of a few fixed strings (`기자`, `@`, `ⓒ`:
`malgeum.prefilter.factors`) and spans at most so many characters. So one Hyperscan scan of the text for all
the rules' strings names the lines worth trying, and the rules to try there: a line is tried with a rule when it
holds one of the strings of one of the rule's alternatives and is no longer than that alternative's widest
match (an alternative with no such string is tried on every line short enough for it).

A line is matched alone (a rule never runs on into the next line), and the first rule in order that matches it
names it, as one regex of every rule would: a line that starts with a space or a tab is tried with that one
regex, since the spaces it gives back to an alternative could make a later rule's match the first. The matches
are those of the one regex, line by line (a property test checks). Without Hyperscan, or for a text it cannot
read (lone surrogates), every line is tried with the one regex.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from malgeum import lines, prefilter

SPACE_MAX = 40
SPACE = f"[ \\t]{{0,{SPACE_MAX}}}"
NOT_BLANK = "(?=[ \\t]*[^ \\t\\n])"  # (a blank line is passed over at once, not tried rule by rule)
_BEFORE = f"^{NOT_BLANK}{SPACE}"
_AFTER = f"{SPACE}$"


@dataclass
class _Factors:
    """One set of rules' strings in one Hyperscan database, by alternative."""

    db: object | None
    alts_of: list[list[int]] = field(default_factory=list)  # string -> the alternatives it stands for
    rule_of: list[int] = field(default_factory=list)  # alternative -> rule number (in the rules joined)
    widest: list[float] = field(default_factory=list)  # alternative -> most characters a match spans
    free: list[tuple[int, float]] = field(default_factory=list)  # (rule, widest) of alternatives with no string
    weakest: float = float("inf")  # what the weakest alternative's strings say (prefilter.factors)


class LineRules:
    """`rules`: (regex group name, pattern) in order; a match names its rule by `lastgroup`, as
    `re.compile('^(?:(?P<name>pattern)|…)$', re.M)` would."""

    def __init__(self, rules: Sequence[tuple[str, str]], _factors: list[_Factors] | None = None) -> None:
        self.rules = list(rules)
        self._each = [re.compile(f"{_BEFORE}(?:(?P<{n}>{p})){_AFTER}", re.M) for n, p in self.rules]
        self._all: re.Pattern[str] | None = None  # the one regex, compiled when first needed
        self._factors = _factors if _factors is not None else [_read(self.rules)]

    @classmethod
    def joined(cls, parts: Sequence[LineRules]) -> LineRules:
        """The rules of `parts` in order, scanned with their own databases (nothing compiled again)."""
        factors, offset = [], 0
        for part in parts:
            for f in part._factors:
                factors.append(
                    _Factors(
                        f.db, f.alts_of, [r + offset for r in f.rule_of], f.widest, [(r + offset, w) for r, w in f.free]
                    )
                )
            offset += len(part.rules)
        return cls([r for part in parts for r in part.rules], factors)

    def __reduce__(self) -> tuple[type[LineRules], tuple[list[tuple[str, str]]]]:
        return LineRules, (self.rules,)  # (a step may be pickled; the databases are rebuilt, from a cache)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def one_regex(self) -> re.Pattern[str]:
        if self._all is None:
            parts = "|".join(f"(?P<{n}>{p})" for n, p in self.rules)
            self._all = re.compile(f"{_BEFORE}(?:{parts}){_AFTER}", re.M)
        return self._all

    def match(self, text: str, pos: int) -> re.Match[str] | None:
        """The first rule's match of the line starting at `pos`, or None."""
        end = text.find("\n", pos)
        return self._line(text, pos, len(text) if end < 0 else end, range(len(self.rules)))

    def finditer(self, text: str) -> list[re.Match[str]]:
        """The match of every line some rule matches, in order."""
        starts, ends = line_bounds(text)
        tried = self._candidates(text, starts, ends)
        out = []
        if tried is None:
            one = self.one_regex()
            for ls, le in zip(starts, ends, strict=True):
                if (m := one.match(text, ls, le)) is not None:
                    out.append(m)
            return out
        for j in sorted(tried):
            if (m := self._line(text, starts[j], ends[j], sorted(tried[j]))) is not None:
                out.append(m)
        return out

    def _line(self, text: str, ls: int, le: int, rules: Sequence[int]) -> re.Match[str] | None:
        if ls < le and text[ls] in " \t":
            return self.one_regex().match(text, ls, le)
        for r in rules:
            if (m := self._each[r].match(text, ls, le)) is not None:
                return m
        return None

    def _candidates(self, text: str, starts: list[int], ends: list[int]) -> dict[int, set[int]] | None:
        """The rules to try on each line worth trying (by line number), or None: try every line."""
        if any(f.db is None for f in self._factors):
            return None
        try:
            data = text.encode()
        except UnicodeEncodeError:
            return None
        to_char = prefilter.char_offsets(data, text)
        tried: dict[int, set[int]] = {}
        lengths: dict[int, int] = {}

        def length(j: int) -> int:
            if j not in lengths:
                lengths[j] = len(text[starts[j] : ends[j]].strip(" \t"))
            return lengths[j]

        for f in self._factors:
            alts_of, rule_of, widest = f.alts_of, f.rule_of, f.widest
            for j, _pos, string in _hits(f, data, to_char, starts):
                n = length(j)
                for alt in alts_of[string]:
                    if n <= widest[alt]:
                        tried.setdefault(j, set()).add(rule_of[alt])
            if f.free:
                longest = max(w for _, w in f.free) + 2 * SPACE_MAX
                for j, (ls, le) in enumerate(zip(starts, ends, strict=True)):
                    if le == ls or le - ls > longest or not (n := length(j)):
                        continue
                    for rule, most in f.free:
                        if n <= most:
                            tried.setdefault(j, set()).add(rule)
        return tried


def _collect(string: int, start: int, end: int, flags: int, hits: list[tuple[int, int]]) -> None:
    hits.append((string, end))


def _hits(f: _Factors, data: bytes, to_char: Any, starts: list[int]) -> Iterator[tuple[int, int, int]]:
    """(line, character offset where it ends, string number) of every string of `f` in `data`."""
    hits: list[tuple[int, int]] = []
    f.db.scan(data, match_event_handler=_collect, context=hits)  # type: ignore[attr-defined]
    for string, end in hits:
        pos = int(to_char[end]) if to_char is not None else end
        yield bisect.bisect_right(starts, pos - 1) - 1, pos, string  # (the line of the string's last character)


def line_bounds(text: str) -> tuple[list[int], list[int]]:
    """The starts and the ends (before the line break) of the text's lines."""
    bounds = lines.line_bounds(text)
    return [s for s, _ in bounds], [e for _, e in bounds]


class EndingLines:
    """The lines a pattern whose every match ends its line (a credit after a caption, `…{SPACE}$`) may match on:
    those holding one of the strings of one of its alternatives within that alternative's widest match (and
    SPACE_MAX spaces) of the line's end. `rules`: (name, pattern) whose top-level alternatives the pattern joins.

    Where an alternative's strings are punctuation or digits alone (the dots of `2021.12.26`), nearly every line
    holds one near its end, and finding them costs more than it saves: `selective` is then False and `lines`
    names every line."""

    def __init__(self, rules: Sequence[tuple[str, str]]) -> None:
        self.rules = list(rules)
        self._factors = _read(self.rules)
        f = self._factors  # how far from the line's end each string may stand: its alternatives' widest
        self._reach = [max(f.widest[alt] for alt in alts) + SPACE_MAX for alts in f.alts_of]
        self.selective = f.db is not None and not f.free and f.weakest >= 1

    def __reduce__(self) -> tuple[type[EndingLines], tuple[list[tuple[str, str]]]]:
        return EndingLines, (self.rules,)

    def lines(self, text: str, starts: list[int], ends: list[int]) -> set[int] | None:
        """The numbers of the lines worth searching, or None: every line."""
        if not self.selective:
            return None
        try:
            data = text.encode()
        except UnicodeEncodeError:
            return None
        hits = _hits(self._factors, data, prefilter.char_offsets(data, text), starts)
        return {j for j, pos, string in hits if ends[j] - pos <= self._reach[string]}


def _read(rules: list[tuple[str, str]]) -> _Factors:
    """The rules' strings, by alternative, in one database (None when a rule cannot be read so)."""
    number: dict[str, int] = {}  # string -> its number in the database (alternatives share strings)
    out = _Factors(None)
    for r, (_name, pattern) in enumerate(rules):
        found = prefilter.factors(pattern, re.M)
        if found is None:
            return out
        for strings, weight, widest in found:
            out.weakest = min(out.weakest, weight)
            if strings is None:
                out.free.append((r, widest))
                continue
            alt = len(out.rule_of)
            out.rule_of.append(r)
            out.widest.append(widest)
            for s in dict.fromkeys(strings):
                if s not in number:
                    number[s] = len(number)
                    out.alts_of.append([])
                out.alts_of[number[s]].append(alt)
    out.db = prefilter.literal_database(list(number), list(range(len(number)))) if number else _NOTHING
    return out


class _Nothing:
    """The database of no strings (every alternative is free): it finds nothing."""

    def scan(self, data: bytes, match_event_handler: object = None, context: object = None) -> None:
        return None


_NOTHING = _Nothing()
