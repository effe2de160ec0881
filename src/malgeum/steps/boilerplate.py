"""Cut news-portal and web boilerplate: navigation, bylines, credits, prompts, copyright lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

try:
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

from malgeum import langpacks
from malgeum.document import Cut, Document
from malgeum.line_rules import NOT_BLANK as _NOT_BLANK
from malgeum.line_rules import SPACE as _SPACE
from malgeum.line_rules import SPACE_MAX as _SPACE_MAX
from malgeum.line_rules import EndingLines, LineRules, line_bounds
from malgeum.lines import non_overlapping, whole_line
from malgeum.prefilter import Scanner
from malgeum.scripts import LineScripts
from malgeum.step import Step

_KINDS = ("line", "contains", "prefix", "suffix", "heading")
_MAX_ITEMS = 30


_CutLine = Callable[[int, int, str, str], None]


@dataclass
class _Pack:
    """One language's rules, merged into one regex per kind, and the script of the lines they may cut."""

    lang: str
    script: str | None  # None: the pack names no script, and its rules apply to every line
    line: LineRules | None
    line_body: re.Pattern[str] | None  # the line rules unanchored: is what a prefix or credit leaves junk too?
    prefix: re.Pattern[str] | None
    prefix_body: re.Pattern[str] | None
    suffix: re.Pattern[str] | None
    suffix_lines: EndingLines | None  # the lines a suffix rule may match on
    heading: re.Pattern[str] | None
    contains: re.Pattern[str] | None
    suffix_reach: int | None  # the most characters a suffix match spans (None: unbounded)

    def __post_init__(self) -> None:
        # the contains rules are found by Hyperscan and confirmed by re (malgeum.prefilter), the line rules are
        # tried where their fixed strings stand (malgeum.line_rules); the heading and prefix rules are left to re:
        # relaxed, Hyperscan finds them too large (and spends a second saying so)
        self._contains = Scanner([self.contains] if self.contains else [])

    def contained(self, text: str) -> Iterable[re.Match[str]]:
        """The matches of the contains rules, as `contains.finditer(text)` gives them."""
        return self._contains.finditer(text)[0] if self.contains else ()


class CutBoilerplate(Step):
    """Lexicon rules from the language packs (`<lang>/boilerplate.yaml`), merged into one regex per kind.

    Line rules remove whole lines; contains rules remove a line of at most `max_chars` characters holding
    the pattern; prefix and suffix rules cut the byline before a paragraph or the credit after a caption and
    keep the rest of the line; heading rules remove a heading line (`관련기사`) and the list items (`items`)
    right below it. A line rule marked `list_only` cuts its line only where links are listed: when the next
    line is another link, a line already cut, or nothing (`▶ title` above its story is a section head).

    A pack speaks its language: a pack that names its script (`<lang>/language.yaml`) cuts only in documents
    and on lines written in it (`malgeum.scripts.LineScripts`), so that a Korean rule never cuts an English
    line or anything on an English page, and the rule an edit names is of the line's language.

    `captions`: `keep` (the default) cuts a photo credit and keeps the caption it ends; `drop` removes such a
    caption line whole (rule `<lang>.caption.dropped`), for corpora that want story text only.
    """

    kind = "boilerplate"

    def __init__(
        self,
        langs: Sequence[str] = ("ko", "en"),
        disable: Sequence[str] = (),
        captions: str = "keep",
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if captions not in ("keep", "drop"):
            raise ValueError(f"boilerplate: captions must be keep or drop, not {captions!r}")
        self.drop_captions = captions == "drop"
        self.langs = list(langs)
        self.disable = set(disable)
        self._rules: dict[str, dict] = {}  # regex group name -> rule
        self._pack_of: dict[str, _Pack] = {}  # regex group name -> the pack of its rule
        named_all: dict[str, list[tuple[str, dict]]] = {k: [] for k in _KINDS}
        self._packs = []
        for lang in self.langs:
            data = langpacks.load(lang, "boilerplate")
            named: dict[str, list[tuple[str, dict]]] = {k: [] for k in _KINDS}
            for rule in data.get("rules", []):
                if rule["id"] in self.disable:
                    continue
                if rule["kind"] not in named:
                    raise ValueError(f"{lang}/boilerplate.yaml: rule {rule['id']}: unknown kind {rule['kind']!r}")
                name = f"r{len(self._rules)}"
                self._rules[name] = rule
                named[rule["kind"]].append((name, rule))
                named_all[rule["kind"]].append((name, rule))
            pack = _compile(lang, langpacks.script(lang), named, data.get("contains_first_chars"))
            self._packs.append(pack)
            self._pack_of.update((name, pack) for kind in named.values() for name, _ in kind)
        # a document in several packs' scripts is scanned with each pack's regexes, and on each line the first
        # rule in order that matches names it, as one regex of every pack's rules would (the line rules joined);
        # that one regex itself is compiled only for what a line starting with a space needs (see `_each_line`).
        # A match on a line its pack may not cut is tried again with a pack that may (`fitting`)
        self._named_all = named_all
        self._all: _Pack | None = None
        self._lines_all = LineRules.joined([p.line for p in self._packs if p.line])
        self._items = {
            n: re.compile(f"{_SPACE}(?:{langpacks.alternatives(r['items'])}){_SPACE}")
            for n, r in self._rules.items()
            if r["kind"] == "heading"
        }

    def _one_regex(self) -> _Pack:
        if self._all is None:
            self._all = _compile("*", None, self._named_all, None, self._lines_all)
        return self._all

    def _each_line(self, kind: str, packs: list[_Pack], text: str) -> list[re.Match[str]]:
        """The matches of one regex of every pack's `heading` or `prefix` rules (matches that start their
        line): each pack's own, the first pack's where several match a line, as the rules' order says. On a line
        that starts with a space or tab, the spaces one regex gives back could make a later pack's rule the first,
        so that regex decides there."""
        found: dict[int, list[re.Match[str]]] = {}
        for p in packs:
            rx = getattr(p, kind)
            for m in rx.finditer(text) if rx is not None else ():
                found.setdefault(m.start(), []).append(m)
        out = []
        for ls in sorted(found):
            ms = found[ls]
            if len(ms) > 1 and text[ls] in " \t":
                again = getattr(self._one_regex(), kind).match(text, ls)
                ms = [again] if again is not None else []
            out += ms[:1]
        return out

    def _suffixes(self, packs: list[_Pack], text: str) -> list[re.Match[str]]:
        """The credits one regex of every pack's suffix rules would find: on each line, the match that starts
        first (a credit ends its line), of the first pack when two start together."""
        found: dict[int, re.Match[str]] = {}
        for p in packs:
            for m in _suffix_matches(p, text):
                if m.end() > m.start() and ((old := found.get(m.end())) is None or m.start() < old.start()):
                    found[m.end()] = m
        return [found[e] for e in sorted(found)]

    def _cut(self, m: re.Match[str]) -> tuple[str, str]:
        rule = self._rules[m.lastgroup or ""]
        return rule["id"], rule["reason"]

    def apply(self, doc: Document) -> None:
        text = doc.text
        cuts: list[Cut] = []
        cut_lines: set[int] = set()  # start offsets of lines removed whole
        listed: list[tuple[int, int, str, str]] = []  # list_only lines, decided once every other line is
        scripts = LineScripts(text)

        def cut_line(ls: int, le: int, rule: str, reason: str) -> None:
            cuts.append(Cut(*whole_line(text, ls, le), rule, reason))
            cut_lines.add(ls)

        packs = [p for p in self._packs if scripts.in_document(p.script)]
        if not packs:
            return
        # a document one pack may act on is scanned with that pack's rules alone (an English page with none of
        # the Korean rules): what the merged rules would find of another pack there, `fitting` would turn down
        one = packs[0] if len(packs) == 1 else None

        def fitting(m: re.Match[str], kind: str, ls: int, le: int) -> tuple[_Pack, re.Match[str]] | None:
            """The match, or another pack's on the same line when the match's pack may not cut that line."""
            pack = self._pack_of[m.lastgroup or ""]
            if scripts.fits(ls, pack.script):
                return pack, m
            for p in packs:
                rx = getattr(p, kind)
                if p is pack or rx is None or not scripts.fits(ls, p.script):
                    continue
                again = rx.search(text, ls, le) if kind == "suffix" else rx.match(text, ls)
                if again and again.end() > again.start():
                    return p, again
            return None

        lines = one.line if one is not None else self._lines_all
        for m in lines.finditer(text) if lines else ():
            if m.end() > m.start() and (found := fitting(m, "line", m.start(), m.end())):
                m = found[1]
                rule = self._rules[m.lastgroup or ""]
                if rule.get("list_only"):
                    listed.append((m.start(), m.end(), rule["id"], rule["reason"]))
                else:
                    cut_line(m.start(), m.end(), rule["id"], rule["reason"])
        headings = (
            self._each_line("heading", packs, text)
            if one is None
            else one.heading.finditer(text)
            if one.heading
            else ()
        )
        for m in headings:
            if not (found := fitting(m, "heading", m.start(), m.end())):
                continue
            m = found[1]
            items, end = self._items[m.lastgroup or ""], m.end()
            # an extracted page puts a blank line between a heading block and the list block below it
            if text.startswith("\n\n", end) and items.fullmatch(text, end + 2, _line_end(text, end + 2)):
                end += 1
            for _ in range(_MAX_ITEMS):
                nxt = _line_end(text, end + 1)
                if end >= len(text) or not items.fullmatch(text, end + 1, nxt):
                    break
                end = nxt
            if m.start() not in cut_lines:
                cut_line(m.start(), end, *self._cut(m))
            elif end > m.end():  # a line rule took the heading (`Related stories` is a widget too): the list is this
                # rule's
                cut_line(m.end() + 1, end, *self._cut(m))
        prefixes = (
            self._each_line("prefix", packs, text) if one is None else one.prefix.finditer(text) if one.prefix else ()
        )
        for m in prefixes:
            ls, le = _line_around(text, m.start(), m.end())
            if m.end() > m.start() and ls not in cut_lines and (found := fitting(m, "prefix", ls, le)):
                self._cut_prefix(found[0], text, found[1], ls, le, cuts, cut_line)
        for m in self._suffixes(packs, text) if one is None else _suffix_matches(one, text):
            ls, le = _line_around(text, m.start(), m.end())
            if m.end() > m.start() and ls not in cut_lines and (found := fitting(m, "suffix", ls, le)):
                self._cut_suffix(found[0], text, found[1], ls, le, cuts, cut_line)
        # last: a line holding a notice goes whole, unless a prefix or suffix rule has already cut that notice
        # out of a caption (`...있다. 2021.12.26/뉴스1 © News1 홍길동 기자` keeps the caption)
        for p in packs:
            for m in p.contained(text):
                ls, le = _line_around(text, m.start(), m.end())
                if ls in cut_lines or any(c.start <= m.start() < c.end for c in cuts):
                    continue
                if len(text[ls:le].strip()) <= self._rules[m.lastgroup or ""]["max_chars"] and scripts.fits(
                    ls, p.script
                ):
                    cut_line(ls, le, *self._cut(m))
        # bottom up, so that a list of links at the end of a story goes whole
        for ls, le, rule, reason in sorted(listed, reverse=True):
            if ls not in cut_lines and _ends_a_list(text, le, cut_lines):
                cut_line(ls, le, rule, reason)
        if cuts:
            doc.apply_cuts(self.name, non_overlapping(cuts))

    def _cut_prefix(
        self, p: _Pack, text: str, m: re.Match[str], ls: int, le: int, cuts: list[Cut], cut_line: _CutLine
    ) -> None:
        # a dateline and then the reporters' names (`(서울=뉴스1) 권영미 기자,…,성재준 바이오전문기자 = `)
        found = [m]
        while (
            p.prefix_body
            and len(found) < 3
            and (more := p.prefix_body.match(text, found[-1].end(), le))
            and more.end() > more.start()
        ):
            found.append(more)
        end = found[-1].end()
        rest_is_junk = p.line_body is not None and p.line_body.fullmatch(text, end, le)
        if text[end:le].strip() and not rest_is_junk:
            cuts += [Cut(f.start(), f.end(), *self._cut(f)) for f in found]
        else:
            cut_line(ls, le, *self._cut(m))

    def _cut_suffix(
        self, p: _Pack, text: str, m: re.Match[str], ls: int, le: int, cuts: list[Cut], cut_line: _CutLine
    ) -> None:
        assert p.suffix is not None
        # credits come in chains (`(사진=성남시 제공) 2023.11.15. photo@newsis.com`): peel them off one by one
        chain = [m]
        # a credit is short: looking back a bounded stretch keeps a line of a thousand credits linear
        while (
            len(chain) < _MAX_CHAIN
            and (prev := p.suffix.search(text, max(ls, chain[-1].start() - _MAX_CREDIT), chain[-1].start()))
        ) and prev.start() < chain[-1].start():
            chain.append(prev)
        caption = self.drop_captions and any(self._rules[c.lastgroup or ""].get("caption") for c in chain)
        if caption:
            cut_line(ls, le, f"{p.lang}.caption.dropped", "photo caption (captions: drop)")
        elif not text[ls : chain[-1].start()].strip():
            cut_line(ls, le, *self._cut(chain[0]))
        elif p.line_body and (body := p.line_body.fullmatch(text, ls, chain[-1].start())):
            # what the credits leave is boilerplate too (`연합뉴스TV 홍길동입니다. (x@yna.co.kr)`)
            cut_line(ls, le, *self._cut(body))
        else:
            for c in chain:
                start = c.start()
                while start > ls and text[start - 1] in " \t":  # the spaces before a credit go with it
                    start -= 1
                cuts.append(Cut(start, c.end(), *self._cut(c)))


def _compile(
    lang: str,
    script: str | None,
    named: dict[str, list[tuple[str, dict]]],
    first: str | None,
    line: LineRules | None = None,
) -> _Pack:
    if line is None:
        line = LineRules([(n, langpacks.alternatives(r["pattern"])) for n, r in named["line"]])

    def merged(kind: str, before: str, after: str) -> re.Pattern[str] | None:
        parts = [f"(?P<{n}>{langpacks.alternatives(r['pattern'])})" for n, r in named[kind]]
        return re.compile(f"{before}(?:{'|'.join(parts)}){after}", re.M) if parts else None

    return _Pack(
        lang=lang,
        script=script,
        suffix_reach=_widest([langpacks.alternatives(r["pattern"]) for _, r in named["suffix"]], _SPACE_MAX),
        line=line or None,
        # (`(서울=연합뉴스) 홍길동 기자 =hong@yna.co.kr`: what the prefix leaves is a line rule's)
        line_body=merged("line", _SPACE, _SPACE),
        prefix=merged("prefix", f"^{_SPACE}", ""),
        prefix_body=merged("prefix", "", ""),
        # a credit starts after a space, at a bracket or slash, or glued to a caption's last character
        # (`...있다.연합뉴스`, `...마을사진=충남도 제공`): checking that first skips most positions
        suffix_lines=EndingLines([(n, langpacks.alternatives(r["pattern"])) for n, r in named["suffix"]])
        if named["suffix"]
        else None,
        suffix=merged("suffix", "(?:(?=[ \\t/|(\\[【ⓒⒸ©*<〈［])|(?<=[.)])|(?=(?:사진|그래픽)\\s?=))", f"{_SPACE}$"),
        heading=merged("heading", f"^{_NOT_BLANK}{_SPACE}", f"{_SPACE}$"),
        # unanchored: each language's regex skips ahead on its own first characters
        contains=merged("contains", f"(?={first})" if first else "", ""),
    )


def _suffix_matches(pack: _Pack, text: str) -> Iterator[re.Match[str]]:
    """Suffix matches, looked for only on lines that do not end like a Korean sentence (`…했다.`): no credit ends
    so. A match ends its line, so it starts within `suffix_reach` characters of the line's end: the rest of a long
    paragraph is not searched; and it holds one of its rule's strings (`line_rules.EndingLines`): a line without
    one is not searched at all."""
    suffix, reach = pack.suffix, pack.suffix_reach
    if not suffix:
        return
    if pack.suffix_lines is None or not pack.suffix_lines.selective:
        for line in _MAY_END_IN_CREDIT.finditer(text):
            start, end = line.start(), line.end()
            yield from suffix.finditer(text, start if reach is None else max(start, end - reach), end)
        return
    starts, ends = line_bounds(text)
    for j in sorted(pack.suffix_lines.lines(text, starts, ends) or ()):
        start, end = starts[j], ends[j]
        if start < end and not text[start:end].rstrip(" \t").endswith(_SENTENCE_ENDS):
            yield from suffix.finditer(text, start if reach is None else max(start, end - reach), end)


def _widest(patterns: list[str], then: int) -> int | None:
    """The most characters a match of any of `patterns` spans, plus `then`; None when one is unbounded."""
    if not patterns:
        return 0
    widest = max(sre_parse.parse(p).getwidth()[1] for p in patterns)
    return None if widest >= sre_constants.MAXREPEAT else widest + then


# what a list of links continues with: another arrow or a link
_LIST_GOES_ON = re.compile(r"[ \t]{0,40}(?:[▶☞▷►➤→☜]|https?://|www\.)")


def _ends_a_list(text: str, le: int, cut_lines: set[int]) -> bool:
    """Whether the line ending at `le` is followed by nothing, another link, or a line already cut."""
    pos = le
    while pos < len(text):
        nxt = text.find("\n", pos + 1)
        nxt = len(text) if nxt < 0 else nxt
        start = pos + 1
        if text[start:nxt].strip():
            return start in cut_lines or _LIST_GOES_ON.match(text, start) is not None
        pos = nxt
    return True


# how a Korean sentence ends, and no credit; linear: one run to the line's end and back per line (unbounded on
# purpose: a line is never cut in two here)
_SENTENCE_ENDS = ("다.", "요.", "죠.", "까.")
_MAY_END_IN_CREDIT = re.compile(r"^(?![^\n]*[다요죠까]\.[ \t]*$)[^\n]+", re.M)
_MAX_CREDIT = 500  # characters: at least the longest credit a suffix rule can match (a test checks)
_MAX_CHAIN = 8  # credits peeled off one line end; real chains have 2-4, a line of repeated credits has thousands


def _line_end(text: str, start: int) -> int:
    nxt = text.find("\n", start)
    return len(text) if nxt < 0 else nxt


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return ls, len(text) if le < 0 else le
