"""Cut news-portal and web boilerplate: navigation, bylines, credits, prompts, copyright lines."""

from __future__ import annotations

import re
from collections.abc import Sequence

from malgeum import langpacks
from malgeum.document import Cut, Document
from malgeum.lines import non_overlapping, whole_line
from malgeum.step import Step

_KINDS = ("line", "prefix", "suffix")
_SPACE = "[ \\t]{0,40}"


class CutBoilerplate(Step):
    """Lexicon rules from the language packs (`<lang>/boilerplate.yaml`), merged into one regex per kind.

    Line rules remove whole lines; prefix and suffix rules cut the byline before a paragraph or the credit
    after a caption and keep the rest of the line.
    """

    kind = "boilerplate"

    def __init__(
        self, langs: Sequence[str] = ("ko", "en"), disable: Sequence[str] = (), name: str | None = None
    ) -> None:
        super().__init__(name)
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

        def merged(kind: str, before: str, after: str) -> re.Pattern[str] | None:
            parts = [f"(?P<{names[id(r)]}>{langpacks.alternatives(r['pattern'])})" for r in rules[kind]]
            return re.compile(f"{before}(?:{'|'.join(parts)}){after}", re.M) if parts else None

        self._line = merged("line", f"^{_SPACE}", f"{_SPACE}$")
        self._prefix = merged("prefix", f"^{_SPACE}", "")
        self._suffix = merged("suffix", "", f"{_SPACE}$")

    def _cut(self, m: re.Match[str]) -> tuple[str, str]:
        rule = self._rules[m.lastgroup or ""]
        return rule["id"], rule["reason"]

    def apply(self, doc: Document) -> None:
        text = doc.text
        cuts: list[Cut] = []
        cut_lines: set[int] = set()  # start offsets of lines removed whole
        if self._line:
            for m in self._line.finditer(text):
                if m.end() == m.start():
                    continue
                s, e = whole_line(text, m.start(), m.end())
                cuts.append(Cut(s, e, *self._cut(m)))
                cut_lines.add(m.start())
        for pattern in (self._prefix, self._suffix):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                if m.end() == m.start():
                    continue
                ls = text.rfind("\n", 0, m.start()) + 1
                if ls in cut_lines:
                    continue
                le = text.find("\n", m.end())
                le = len(text) if le < 0 else le
                if not text[ls : m.start()].strip() and not text[m.end() : le].strip():
                    # the "prefix" or "suffix" is the whole line: remove the line
                    s, e = whole_line(text, ls, le)
                    cuts.append(Cut(s, e, *self._cut(m)))
                    cut_lines.add(ls)
                else:
                    cuts.append(Cut(m.start(), m.end(), *self._cut(m)))
        if cuts:
            doc.apply_cuts(self.name, non_overlapping(cuts))
