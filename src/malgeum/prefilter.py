"""Python `re` matches of several patterns at once, their candidates found first by Hyperscan.

Python's `re` tries a pattern at every position of a text when the pattern does not start with a fixed character
(`(?i:\\b(?:casinos?|slots?|…))`): on English pages that is most of what such steps cost. Hyperscan scans a text for
many patterns in one pass, in C, but its dialect is not Python's (`\\b`, case folding, lookarounds). So each pattern
is relaxed into a Hyperscan pattern that matches at least wherever Python's does: zero-width assertions are dropped,
a character matched without case becomes the class of every character Python's `re` folds to it, and classes
Python and Hyperscan read differently (`\\w`, `[^…]`) become any character. Python's `re` then confirms, trying its
own pattern only at the positions where a relaxed match starts, left to right, exactly as `finditer` would: the
matches are the same match objects `pattern.finditer(text)` yields (a property test checks), only found sooner.

A pattern that can match the empty string, or that cannot be relaxed (a back-reference), or a text Hyperscan cannot
read (lone surrogates), is scanned by `re` alone; so is everything when the `hyperscan` wheel is missing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence

import numpy as np

try:
    import hyperscan
except ImportError:  # pragma: no cover - the wheel is a dependency; a platform without it scans with re alone
    hyperscan = None

try:
    from re import _casefix  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover - Python 3.10: re alone
    _casefix = C = P = None  # type: ignore[assignment]

_BMP = 0x10000
# Hyperscan's compile time grows with a pattern (a second for 7,000 Korean keywords): a larger one is left to re,
# which skips fast through text where none of its fixed first characters stands
MAX_RELAXED_CHARS = 8_000


class _CannotRelax(Exception):
    pass


@functools.cache
def _folds_to() -> dict[int, tuple[int, ...]]:
    """Each lower-case code point and the BMP code points whose simple lower case it is (re folds so)."""
    import _sre

    table: dict[int, list[int]] = {}
    for x in range(_BMP):
        lo = _sre.unicode_tolower(x)
        if lo != x:
            table.setdefault(lo, [lo]).append(x)
    return {k: tuple(v) for k, v in table.items()}


def _variants(c: int) -> set[int]:
    """Every character that `re` matches to `c` when case is ignored (and `c`): the characters whose lower case is
    `c`'s, or one of its extra cases (`s` and `ſ`)."""
    import _sre

    if c >= _BMP:
        raise _CannotRelax("case of an astral character")
    lo = _sre.unicode_tolower(c)
    out = {c, lo}
    for k in (lo, *_casefix._EXTRA_CASES.get(lo, ())):
        out.add(k)
        out.update(_folds_to().get(k, ()))
    return out


def _char(c: int) -> str:
    """`c` as Hyperscan reads it: a letter or digit as itself (UTF-8), anything else escaped."""
    ch = chr(c)
    return ch if ch.isalnum() and (c < 128 or ch.isprintable()) else f"\\x{{{c:x}}}"


def _class(chars: set[int]) -> str:
    return "[" + "".join(_char(c) for c in sorted(chars)) + "]"


_ANY = "[\\x{0}-\\x{10ffff}]"
_NOT_NEWLINE = "[^\\n]"


def _relax_seq(items: list, ic: bool, dotall: bool) -> str:
    return "".join(_relax(op, av, ic, dotall) for op, av in items)


def _relax(op: object, av: object, ic: bool, dotall: bool) -> str:
    if op is C.LITERAL:
        return _class(_variants(av)) if ic else _char(av)  # type: ignore[arg-type]
    if op is C.NOT_LITERAL:
        return _ANY
    if op is C.ANY:
        return _ANY if dotall else _NOT_NEWLINE
    if op is C.IN:
        chars: set[int] = set()
        for o, a in av:  # type: ignore[attr-defined]
            if o is C.LITERAL:
                chars.add(a)
            elif o is C.RANGE and a[1] - a[0] <= 256:
                chars.update(range(a[0], a[1] + 1))
            else:  # a negation, a category (\w, \s, \d) or a wide range: read alike as any character
                return _ANY
        if ic:
            chars = set().union(*(_variants(c) for c in chars))
        return _class(chars)
    if op is C.BRANCH:
        return "(?:" + "|".join(_relax_seq(alt.data, ic, dotall) for alt in av[1]) + ")"  # type: ignore[index]
    if op is C.SUBPATTERN:
        _group, add, dele, sub = av  # type: ignore[misc]
        ic = (ic or bool(add & C.SRE_FLAG_IGNORECASE)) and not dele & C.SRE_FLAG_IGNORECASE
        dotall = (dotall or bool(add & C.SRE_FLAG_DOTALL)) and not dele & C.SRE_FLAG_DOTALL
        return "(?:" + _relax_seq(sub.data, ic, dotall) + ")"
    if op is C.ATOMIC_GROUP:
        return "(?:" + _relax_seq(av.data, ic, dotall) + ")"  # type: ignore[attr-defined]
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, hi, sub = av  # type: ignore[misc]
        bound = f"{{{lo},}}" if hi >= C.MAXREPEAT else f"{{{lo},{hi}}}"
        return "(?:" + _relax_seq(sub.data, ic, dotall) + ")" + bound
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return ""  # zero width: without it the pattern matches more, never less
    raise _CannotRelax(str(op))


def relaxed(rx: re.Pattern[str]) -> list[str] | None:
    """Hyperscan patterns that match, together, wherever `rx` matches (see `_relaxed`)."""
    if P is None or rx.flags & re.LOCALE or isinstance(rx.pattern, bytes):
        return None
    found = _relaxed(rx.pattern, rx.flags)
    return None if found is None else list(found)


@functools.lru_cache(maxsize=256)
def _relaxed(pattern: str, flags: int) -> tuple[str, ...] | None:
    """Hyperscan patterns that match, together, wherever `rx` matches (and maybe elsewhere): one per alternative
    of a pattern that is an alternation (Hyperscan bounds a pattern's length, not their number). None when there
    are none, or when `rx` can match the empty string (an empty match needs no candidate to start from)."""
    tree = P.parse(pattern, flags)
    if tree.getwidth()[0] == 0:
        return None
    ic, dotall = bool(tree.state.flags & C.SRE_FLAG_IGNORECASE), bool(tree.state.flags & C.SRE_FLAG_DOTALL)
    try:
        if len(tree.data) == 1 and tree.data[0][0] is C.BRANCH:
            return tuple(_relax_seq(alt.data, ic, dotall) for alt in tree.data[0][1][1])
        return (_relax_seq(tree.data, ic, dotall),)
    except _CannotRelax:
        return None


class Scanner:
    """`finditer` of several patterns over one text, by one Hyperscan scan and `re` at the candidates."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = list(patterns)
        self._db = None
        self._fast: list[int] = []  # indexes of the patterns Hyperscan finds candidates for
        if hyperscan is None:
            return
        found = [
            (i, r)
            for i, rx in enumerate(self.patterns)
            if (r := relaxed(rx)) is not None and sum(map(len, r)) <= MAX_RELAXED_CHARS
        ]
        if found:
            self._db = _database(tuple((i, tuple(r)) for i, r in found))
            self._fast = [i for i, _ in found] if self._db is not None else []

    def __reduce__(self) -> tuple[type[Scanner], tuple[list[re.Pattern[str]]]]:
        return Scanner, (self.patterns,)  # a step may be pickled (a pool, Ray); Hyperscan's database is rebuilt

    def finditer(self, text: str) -> list[Iterator[re.Match[str]] | list[re.Match[str]]]:
        """For each pattern, its matches in `text`, as `pattern.finditer(text)` gives them."""
        out: list[Iterator[re.Match[str]] | list[re.Match[str]]] = [rx.finditer(text) for rx in self.patterns]
        if self._db is None:
            return out
        try:
            data = text.encode()
        except UnicodeEncodeError:  # lone surrogates: Hyperscan reads UTF-8 only
            return out
        spans: dict[int, list[tuple[int, int]]] = {i: [] for i in self._fast}

        def on_match(i: int, start: int, end: int, flags: int, context: object) -> None:
            spans[i].append((start, end))

        self._db.scan(data, match_event_handler=on_match)
        to_char = None
        for i, found in spans.items():
            if found and len(data) != len(text):  # offsets are bytes of UTF-8
                to_char = _char_offsets(data) if to_char is None else to_char
                found = [(int(to_char[s]), int(to_char[e])) for s, e in found]
            out[i] = _confirm(self.patterns[i], text, found)
        return out


def _database(found: tuple[tuple[int, tuple[str, ...]], ...]) -> object | None:
    """The Hyperscan database of relaxed patterns (by pattern number), or None when Hyperscan cannot compile them
    (too large)."""
    expressions = tuple(e for _, r in found for e in r)
    ids = tuple(i for i, r in found for _ in r)
    return _compiled(expressions, ids, hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SOM_LEFTMOST)


@functools.lru_cache(maxsize=64)
def _compiled(expressions: tuple[str, ...], ids: tuple[int, ...], flags: int) -> object | None:
    """A Hyperscan database, or None when Hyperscan cannot compile it: built once per process, however many times
    a recipe is built."""
    try:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(expressions=[e.encode() for e in expressions], ids=list(ids), elements=len(expressions), flags=flags)
    except hyperscan.error:
        return None
    return db


def _char_offsets(data: bytes) -> np.ndarray:
    """The character offset of each byte offset of UTF-8 `data` (and of its end)."""
    b = np.frombuffer(data, dtype=np.uint8)
    starts = (b & 0xC0) != 0x80
    out = np.empty(len(b) + 1, dtype=np.int64)
    out[0] = 0
    np.cumsum(starts, out=out[1:])  # a byte offset's character is the number of characters that start before it
    return out


def _confirm(rx: re.Pattern[str], text: str, spans: list[tuple[int, int]]) -> list[re.Match[str]]:
    """`rx.finditer(text)`, trying `rx` only inside the spans of its relaxed matches: a match of `rx` is a relaxed
    match, so it starts inside one; tried left to right from where the last match ended, as finditer searches."""
    out: list[re.Match[str]] = []
    pos = 0
    match = rx.match
    for a, b in _merged(spans):
        s = max(a, pos)
        while s < b:
            m = match(text, s)
            if m is None:
                s += 1
            else:
                out.append(m)
                pos = s = m.end()  # (never empty: a pattern that can match empty is not relaxed)
    return out


def _merged(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The union of the spans, as sorted disjoint spans."""
    if not spans:
        return
    spans.sort()
    a, b = spans[0]
    for s, e in spans[1:]:
        if s > b:
            yield a, b
            a, b = s, e
        elif e > b:
            b = e
    yield a, b


# how much a fixed character says about where a pattern may match: punctuation, digits and spaces stand in most
# lines, a letter in fewer, a symbol (`ⓒ`, `@`, `■`) in few
_COMMON = frozenset(".,-=/()[]:;'\"!?0123456789 \t")
_CLASS_MAX = 12  # a class of more characters than this is no fixed character


def _weight(c: int) -> float:
    ch = chr(c)
    if ch in _COMMON:
        return 0.25
    return 1.0 if ch.isalnum() else 2.5


def _utf8(c: int) -> str:
    return "".join(f"\\x{b:02x}" for b in chr(c).encode("utf-8", "surrogatepass"))


def _fixed(op: object, av: object, ic: bool) -> tuple[str, float] | None:
    """One character of a few, as a Hyperscan pattern of its UTF-8 bytes, and its weight; or None. (Bytes compile
    ten times faster than Hyperscan's UTF-8 mode, and the bytes of whole characters only match at character starts
    in UTF-8.)"""
    if op is C.LITERAL:
        chars = {av}
    elif op is C.IN:
        chars = set()
        for o, a in av:  # type: ignore[attr-defined]
            if o is C.LITERAL:
                chars.add(a)
            elif o is C.RANGE and a[1] - a[0] < _CLASS_MAX:
                chars.update(range(a[0], a[1] + 1))
            else:
                return None
        if not chars or len(chars) > _CLASS_MAX:
            return None
    else:
        return None
    weight = min(_weight(c) for c in chars)  # type: ignore[arg-type]
    try:
        if ic:
            chars = set().union(*(_variants(c) for c in chars))  # type: ignore[arg-type]
    except _CannotRelax:
        return None
    if any(0xD800 <= c <= 0xDFFF for c in chars):  # type: ignore[operator]
        return None  # (a surrogate is never in the UTF-8 of a text Hyperscan reads)
    spelled = sorted(_utf8(c) for c in chars)  # type: ignore[arg-type]
    return (spelled[0] if len(spelled) == 1 else "(?:" + "|".join(spelled) + ")"), weight


_Factors = tuple[list[str], float]  # Hyperscan patterns one of which every match holds, and the weakest's weight


def _best(a: _Factors | None, b: _Factors | None) -> _Factors | None:
    if a is None or b is None:
        return a or b
    return a if (a[1], -len(a[0])) >= (b[1], -len(b[0])) else b


def _seq_factors(items: list, ic: bool) -> _Factors | None:
    """The best factors of a sequence: a run of fixed characters, or what one of its items requires."""
    best: _Factors | None = None
    run: list[tuple[str, float]] = []
    for op, av in [*items, (None, None)]:
        fixed = _fixed(op, av, ic) if op is not None else None
        if fixed is not None:
            run.append(fixed)
            continue
        if run:
            best = _best(best, (["".join(p for p, _ in run)], sum(w for _, w in run)))
            run = []
        if op is not None:
            best = _best(best, _item_factors(op, av, ic))
    return best


def _item_factors(op: object, av: object, ic: bool) -> _Factors | None:
    if op is C.BRANCH:
        out: list[str] = []
        weight = float("inf")
        for alt in av[1]:  # type: ignore[index]
            found = _seq_factors(alt.data, ic)
            if found is None:
                return None
            out += found[0]
            weight = min(weight, found[1])
        return out, weight
    if op is C.SUBPATTERN:
        _group, add, dele, sub = av  # type: ignore[misc]
        return _seq_factors(sub.data, (ic or bool(add & C.SRE_FLAG_IGNORECASE)) and not dele & C.SRE_FLAG_IGNORECASE)
    if op is C.ATOMIC_GROUP:
        return _seq_factors(av.data, ic)  # type: ignore[attr-defined]
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:  # type: ignore[index]
        return _seq_factors(av[2].data, ic)  # type: ignore[index]
    return None  # optional, zero-width, or too many characters


def factors(pattern: str, flags: int = 0) -> list[tuple[list[str] | None, float, float]] | None:
    """For each top-level alternative of `pattern`: Hyperscan patterns of UTF-8 bytes (fixed strings, or a few
    characters at a position) one of which every match of the alternative contains, or None when no such string is
    found (the strings chosen are those that say most: a symbol such as `@` or `ⓒ` more than a letter, a letter
    more than punctuation or a digit); what the weakest of them says (a letter 1, a symbol 2.5, punctuation or a
    digit 0.25, summed along a string; 0 without strings); and the most characters a match of it spans (inf:
    unbounded). None when the pattern cannot be read so."""
    if P is None:
        return None
    tree = P.parse(pattern, flags)
    ic = bool(tree.state.flags & C.SRE_FLAG_IGNORECASE)
    if len(tree.data) == 1 and tree.data[0][0] is C.BRANCH:
        alts = [alt.data for alt in tree.data[0][1][1]]
    else:
        alts = [tree.data]
    out: list[tuple[list[str] | None, float, float]] = []
    for alt in alts:
        widest = P.SubPattern(tree.state, alt).getwidth()[1]
        found = _seq_factors(alt, ic) or (None, 0.0)
        out.append((*found, float("inf") if widest >= C.MAXREPEAT else float(widest)))
    return out


def literal_database(expressions: list[str], ids: list[int]) -> object | None:
    """A Hyperscan database of `factors`' patterns (by id) over UTF-8 bytes, reporting where each match ends; None
    without Hyperscan or when it cannot compile them."""
    if hyperscan is None or not expressions:
        return None
    return _compiled(tuple(expressions), tuple(ids), 0)


def char_offsets(data: bytes, text: str) -> np.ndarray | None:
    """The character offset of each byte offset of `data` (`text` as UTF-8), or None when they are the same."""
    return None if len(data) == len(text) else _char_offsets(data)
