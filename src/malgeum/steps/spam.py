"""Cut gambling, adult and loan SEO spam: keyword-stuffed lines and the word salad around them."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from malgeum import langpacks
from malgeum.document import Cut, Document
from malgeum.lines import line_bounds, line_of, line_starts, non_overlapping, whole_line
from malgeum.prefilter import Scanner
from malgeum.scripts import LineScripts
from malgeum.step import Step

# A keyword used as a word of a sentence is followed by a particle or closed by a quote; stuffed keywords
# stand bare between spaces.
_GRAMMATICAL = re.compile(r"(?:을|를|이|가|은|는|에|에서|의|와|과|으로|로|도|만|까지|처럼|['\"’”」』])")
_OPEN_QUOTES = "'\"‘“「『"


def _longest_first(words: list[str]) -> list[str]:
    return sorted(set(words), key=len, reverse=True)


def _alt(words: list[str]) -> str:
    return "|".join(map(re.escape, _longest_first(words)))


def _fixed_start(phrase: str) -> bool:
    """The phrase starts with a character that every match starts with (`먹튀\\s?검증`, not `(?i:…)` or `\\d…`)."""
    return phrase[:1].isalnum() and phrase[1:2] not in ("?", "*", "{") and "|" not in phrase


def keyword_regex(data: dict) -> str | None:
    """Stems glued to a prefix, a suffix or another stem; spam-only words; free phrases."""
    stems = [s for group in (data.get("stems") or {}).values() for s in group]
    prefixes, suffixes, words = data.get("prefixes") or [], data.get("suffixes") or [], data.get("words") or []
    phrases = data.get("phrases") or []
    # `(?:a|b)(?:x|y)` written out as `a(?:x|y)|b(?:x|y)`, in the same order: the same matches, and when every
    # alternative starts with a fixed character Python's re skips, in C, each position where none starts
    # instead of trying them all there (twice as fast on Korean news as a lookahead of first characters)
    alts = [f"{re.escape(p)}(?:{_alt(stems)})" for p in _longest_first(prefixes)] if stems else []
    alts += [f"{re.escape(s)}(?:{_alt(suffixes + stems)})" for s in _longest_first(stems)]
    alts += [re.escape(w) for w in _longest_first(words)]
    if all(_fixed_start(p) for p in phrases):
        return "|".join(alts + phrases) or None
    # a phrase that may start with one of several characters (English ones ignore case) turns that skipping off
    # for the whole pattern; lookaheads of first characters then spare most positions most alternatives
    branches = []
    if alts:
        firsts = "".join(sorted({w[0] for w in prefixes + stems + words}))
        branches.append(f"(?=[{re.escape(firsts)}])(?:{'|'.join(alts)})")
    joined = "|".join(f"(?:{p})" for p in phrases)
    branches.append(f"(?={data['first_chars']})(?:{joined})" if data.get("first_chars") else joined)
    return "|".join(branches)


@dataclass
class _Lexicon:
    lang: str
    script: str | None  # the lines it reads (malgeum.scripts); None: every line
    keywords: re.Pattern[str]
    story_end: re.Pattern[str] | None
    loud_hits: int
    salad_marks: re.Pattern[str] | None
    salad_marks_min: int
    reporting_terms: re.Pattern[str] | None
    reporting_marks: list[re.Pattern[str]]
    reporting_min: int

    def __post_init__(self) -> None:
        self.finder = Scanner([self.keywords])  # keywords found by Hyperscan, confirmed by re (malgeum.prefilter)

    def prose(self, line: str) -> bool:
        """Reads like a written sentence: a formal ending and none of the marks of word salad."""
        if len(line) < 6 or self.story_end is None or not self.story_end.search(line):
            return False
        return self.salad_marks is None or len(self.salad_marks.findall(line)) < self.salad_marks_min

    def reporting(self, line: str) -> bool:
        """Reads like reporting: enough marks of it (a sentence ending, distinct institution or legal terms, a
        quotation, a number with a unit, ...), which stuffed salad lines do not have together."""
        if self.reporting_terms is None:
            return False
        marks = bool(self.story_end and self.story_end.search(line))
        marks += sum(bool(m.search(line)) for m in self.reporting_marks)
        return marks + len(set(self.reporting_terms.findall(line))) >= self.reporting_min


class CutSpam(Step):
    """Score each line by its spam keywords, then judge it with its neighbours.

    A line is loud spam when it has at least `loud_hits` bare keywords (the language pack says how many)
    and does not read like a story sentence (a formal sentence ending). A line with a keyword is also spam
    when a loud line stands within `window` lines; a line without one is spam when spam lines stand within
    `window` lines on both sides (the salad between stuffed lines). So a news sentence that merely
    mentions 카지노, or a story about an online casino operator, stays. A line that reads like reporting (the
    pack's `reporting` marks: a sentence ending, institutions and legal terms, quotations, numbers with units)
    is neither loud nor taken for its neighbours' sake: a caption about a seized gambling server stays.

    A pack reads only documents and lines of its script (`malgeum.scripts`): a Korean keyword or sentence
    ending says nothing about an English line, nor an English one about a Korean line.
    """

    kind = "spam"

    def __init__(self, langs: Sequence[str] = ("ko", "en"), window: int = 3, name: str | None = None) -> None:
        super().__init__(name)
        self.window = window
        self._lexicons = []
        for lang in langs:
            data = langpacks.load(lang, "spam")
            rx = keyword_regex(data)
            if rx:
                end, marks = data.get("story_line_end"), data.get("salad_marks")
                reporting = data.get("reporting") or {}
                self._lexicons.append(
                    _Lexicon(
                        lang,
                        langpacks.script(lang),
                        re.compile(rx),
                        re.compile(end) if end else None,
                        int(data.get("loud_hits", 1)),
                        re.compile(marks) if marks else None,
                        int(data.get("salad_marks_min", 2)),
                        re.compile(reporting["terms"]) if reporting.get("terms") else None,
                        [re.compile(m) for m in reporting.get("marks") or []],
                        int(reporting.get("min", 2)),
                    )
                )

    def apply(self, doc: Document) -> None:
        text = doc.text
        scripts = LineScripts(text)
        # a pack reads only documents with text of its script (what it finds elsewhere, `fits` turns down)
        found = [
            (lex, [m for m in lex.finder.finditer(text)[0] if scripts.fits(m.start(), lex.script)])
            for lex in self._lexicons
            if scripts.in_document(lex.script)
        ]
        if not any(hits for _, hits in found):
            return
        bounds = line_bounds(text)
        starts = line_starts(bounds)
        flagged: dict[int, tuple[str, str]] = {}  # line -> first keyword, its pack's language
        loud: set[int] = set()
        for lex, hits in found:
            bare: dict[int, int] = {}
            for m in hits:
                i = line_of(starts, m.start())
                flagged.setdefault(i, (m.group(0), lex.lang))
                used = _GRAMMATICAL.match(text, m.end()) or (m.start() > 0 and text[m.start() - 1] in _OPEN_QUOTES)
                if not used:
                    bare[i] = bare.get(i, 0) + 1
            for i, n in bare.items():
                s, e = bounds[i]
                if n >= lex.loud_hits and not lex.prose(line := text[s:e].strip()) and not lex.reporting(line):
                    loud.add(i)
        if not loud:
            return

        def line(i: int) -> str:
            return text[bounds[i][0] : bounds[i][1]].strip()

        def readers(i: int) -> list[_Lexicon]:
            """The packs that may read line `i`: those of its script."""
            return [x for x in self._lexicons if scripts.fits(bounds[i][0], x.script)]

        def prose(i: int) -> bool:
            return any(x.prose(line(i)) for x in readers(i))

        def reporting(i: int) -> bool:
            return any(x.reporting(line(i)) for x in readers(i))

        # a line that reads like reporting is never taken for its neighbours' sake
        w = self.window
        near = [i for i in flagged if i not in loud and any(0 < abs(i - j) <= w for j in loud)]
        spam = sorted(loud | {i for i in near if not reporting(i)})
        doc.scores["spam_lines"] = len(spam)

        cuts = [
            Cut(
                *whole_line(text, *bounds[i]),
                "spam.keyword_line",
                f"spam keyword {flagged[i][0]!r} ({flagged[i][1]})" + ("" if i in loud else " next to spam lines"),
            )
            for i in spam
        ]
        taken = set(spam)
        for a, b in itertools.pairwise(spam):
            if 1 < b - a <= w + 1:
                for i in range(a + 1, b):
                    if line(i) and not reporting(i):
                        taken.add(i)
                        cuts.append(
                            Cut(
                                *whole_line(text, *bounds[i]),
                                "spam.block_context",
                                f"inside a spam block (spam lines {a + 1} and {b + 1})",
                            )
                        )

        # The salad at the edges of a block has no keyword either: take the lines next to it that are not
        # sentences, up to `window` lines, when the block is at least two spam lines long or fills its
        # paragraph.
        def grows(i: int) -> bool:
            """Whether the block around spam line `i` may take its non-sentence neighbours."""
            if any(0 < abs(j - i) <= w + 1 for j in spam):
                return True
            if i not in loud:
                return False
            # a lone loud line: only when its whole paragraph is made of non-sentences
            lo, hi = i, i
            while lo > 0 and line(lo - 1):
                lo -= 1
            while hi + 1 < len(bounds) and line(hi + 1):
                hi += 1
            return hi - lo < 12 and not any(prose(j) for j in range(lo, hi + 1))

        for i in spam:
            if not grows(i):
                continue
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(bounds) and abs(j - i) <= w and line(j) and j not in taken:
                    if prose(j) or reporting(j):
                        break
                    taken.add(j)
                    cuts.append(
                        Cut(
                            *whole_line(text, *bounds[j]),
                            "spam.block_edge",
                            f"not a sentence, next to the spam block at line {i + 1}",
                        )
                    )
                    j += step
        doc.apply_cuts(self.name, non_overlapping(cuts))
