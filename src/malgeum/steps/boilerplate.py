"""Cut news-portal and web boilerplate: navigation, bylines, credits, prompts, copyright lines."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from malgeum import langpacks
from malgeum.document import Cut, Document
from malgeum.lines import non_overlapping, whole_line
from malgeum.step import Step

_KINDS = ("line", "contains", "prefix", "suffix", "heading")
_MAX_ITEMS = 30
_SPACE = "[ \\t]{0,40}"


class CutBoilerplate(Step):
    """Lexicon rules from the language packs (`<lang>/boilerplate.yaml`), merged into one regex per kind.

    Line rules remove whole lines; contains rules remove a line of at most `max_chars` characters holding
    the pattern; prefix and suffix rules cut the byline before a paragraph or the credit after a caption and
    keep the rest of the line; heading rules remove a heading line (`관련기사`) and the list items (`items`)
    right below it.

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
        rules: dict[str, list[dict]] = {k: [] for k in _KINDS}
        for lang in self.langs:
            for rule in langpacks.load(lang, "boilerplate").get("rules", []):
                if rule["id"] in self.disable:
                    continue
                if rule["kind"] not in rules:
                    raise ValueError(f"{lang}/boilerplate.yaml: rule {rule['id']}: unknown kind {rule['kind']!r}")
                rules[rule["kind"]].append(rule)
        self._rules = {f"r{i}": r for i, r in enumerate(r for k in _KINDS for r in rules[k])}
        names = {id(r): n for n, r in self._rules.items()}

        def merged(kind: str, before: str, after: str, lang: str | None = None) -> re.Pattern[str] | None:
            parts = [
                f"(?P<{names[id(r)]}>{langpacks.alternatives(r['pattern'])})"
                for r in rules[kind]
                if lang is None or r["id"].startswith(f"{lang}.")
            ]
            return re.compile(f"{before}(?:{'|'.join(parts)}){after}", re.M) if parts else None

        self._line = merged("line", f"^{_SPACE}", f"{_SPACE}$")
        # the same rules, to ask whether what a prefix leaves behind is itself a boilerplate line
        # (`(서울=연합뉴스) 홍길동 기자 =hong@yna.co.kr`)
        self._line_body = merged("line", _SPACE, _SPACE)
        self._prefix = merged("prefix", f"^{_SPACE}", "")
        self._prefix_body = merged("prefix", "", "")
        # a credit starts after a space, at a bracket or slash, or glued to a caption's last character
        # (`...있다.연합뉴스`, `...마을사진=충남도 제공`): checking that first skips most positions
        self._suffix = merged(
            "suffix", "(?:(?=[ \\t/|(\\[【ⓒⒸ©*<〈［])|(?<=[.)])|(?=(?:사진|그래픽)\\s?=))", f"{_SPACE}$"
        )
        self._heading = merged("heading", f"^{_SPACE}", f"{_SPACE}$")
        # unanchored: one regex per language, so that each can skip ahead on its own first characters
        self._contains = [
            rx
            for lang in self.langs
            if (rx := merged("contains", lookahead(langpacks.load(lang, "boilerplate")), "", lang))
        ]
        self._items = {
            n: re.compile(f"{_SPACE}(?:{langpacks.alternatives(r['items'])}){_SPACE}")
            for n, r in self._rules.items()
            if r["kind"] == "heading"
        }

    def _suffix_matches(self, text: str) -> Iterator[re.Match[str]]:
        """Suffix matches, looked for only on lines that do not end like a Korean sentence (`…했다.`): no
        credit ends so, and skipping those lines saves a third of the step's time on news."""
        if not self._suffix:
            return
        for line in _MAY_END_IN_CREDIT.finditer(text):
            yield from self._suffix.finditer(text, line.start(), line.end())

    def _cut(self, m: re.Match[str]) -> tuple[str, str]:
        rule = self._rules[m.lastgroup or ""]
        return rule["id"], rule["reason"]

    def apply(self, doc: Document) -> None:
        text = doc.text
        cuts: list[Cut] = []
        cut_lines: set[int] = set()  # start offsets of lines removed whole

        def cut_line(ls: int, le: int, rule: str, reason: str) -> None:
            cuts.append(Cut(*whole_line(text, ls, le), rule, reason))
            cut_lines.add(ls)

        if self._line:
            for m in self._line.finditer(text):
                if m.end() > m.start():
                    cut_line(m.start(), m.end(), *self._cut(m))
        for m in self._heading.finditer(text) if self._heading else ():
            if m.start() in cut_lines:
                continue
            items, end = self._items[m.lastgroup or ""], m.end()
            for _ in range(_MAX_ITEMS):
                nxt = text.find("\n", end + 1)
                nxt = len(text) if nxt < 0 else nxt
                if end >= len(text) or not items.fullmatch(text, end + 1, nxt):
                    break
                end = nxt
            cut_line(m.start(), end, *self._cut(m))
        for m in self._prefix.finditer(text) if self._prefix else ():
            ls, le = _line_around(text, m.start(), m.end())
            if m.end() == m.start() or ls in cut_lines:
                continue
            # a dateline and then the reporters' names (`(서울=뉴스1) 권영미 기자,…,성재준 바이오전문기자 = `)
            found = [m]
            while (
                len(found) < 3
                and (more := self._prefix_body.match(text, found[-1].end(), le))
                and more.end() > more.start()
            ):
                found.append(more)
            end = found[-1].end()
            rest_is_junk = self._line_body is not None and self._line_body.fullmatch(text, end, le)
            if text[end:le].strip() and not rest_is_junk:
                cuts += [Cut(f.start(), f.end(), *self._cut(f)) for f in found]
            else:
                cut_line(ls, le, *self._cut(m))
        for m in self._suffix_matches(text):
            ls, le = _line_around(text, m.start(), m.end())
            if m.end() == m.start() or ls in cut_lines:
                continue
            # credits come in chains (`(사진=성남시 제공) 2023.11.15. photo@newsis.com`): peel them off one by one
            chain = [m]
            # a credit is short: looking back a bounded stretch keeps a line of a thousand credits linear
            while (
                len(chain) < _MAX_CHAIN
                and (prev := self._suffix.search(text, max(ls, chain[-1].start() - _MAX_CREDIT), chain[-1].start()))
            ) and prev.start() < chain[-1].start():
                chain.append(prev)
            caption = self.drop_captions and any(self._rules[c.lastgroup or ""].get("caption") for c in chain)
            if caption:
                lang = self._rules[chain[0].lastgroup or ""]["id"].split(".")[0]
                cut_line(ls, le, f"{lang}.caption.dropped", "photo caption (captions: drop)")
            elif not text[ls : chain[-1].start()].strip():
                cut_line(ls, le, *self._cut(chain[0]))
            elif self._line_body and (body := self._line_body.fullmatch(text, ls, chain[-1].start())):
                # what the credits leave is boilerplate too (`연합뉴스TV 홍길동입니다. (x@yna.co.kr)`)
                cut_line(ls, le, *self._cut(body))
            else:
                for c in chain:
                    start = c.start()
                    while start > ls and text[start - 1] in " \t":  # the spaces before a credit go with it
                        start -= 1
                    cuts.append(Cut(start, c.end(), *self._cut(c)))
        # last: a line holding a notice goes whole, unless a prefix or suffix rule has already cut that notice
        # out of a caption (`...있다. 2021.12.26/뉴스1 © News1 홍길동 기자` keeps the caption)
        for m in (m for rx in self._contains for m in rx.finditer(text)):
            ls, le = _line_around(text, m.start(), m.end())
            if ls in cut_lines or any(c.start <= m.start() < c.end for c in cuts):
                continue
            if len(text[ls:le].strip()) <= self._rules[m.lastgroup or ""]["max_chars"]:
                cut_line(ls, le, *self._cut(m))
        if cuts:
            doc.apply_cuts(self.name, non_overlapping(cuts))


# linear: one run to the line's end and back per line (unbounded on purpose: a line is never cut in two here)
_MAY_END_IN_CREDIT = re.compile(r"^(?![^\n]*[다요죠까]\.[ \t]*$)[^\n]+", re.M)
_MAX_CREDIT = 500  # characters: at least the longest credit a suffix rule can match (a test checks)
_MAX_CHAIN = 8  # credits peeled off one line end; real chains have 2-4, a line of repeated credits has thousands


def lookahead(pack: dict) -> str:
    first = pack.get("contains_first_chars")
    return f"(?={first})" if first else ""


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return ls, len(text) if le < 0 else le
