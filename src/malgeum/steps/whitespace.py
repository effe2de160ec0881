"""Normalise whitespace and remove invisible and control characters."""

from __future__ import annotations

import re

from malgeum.chars import INVISIBLE
from malgeum.document import Cut, Document
from malgeum.step import Step

# Spaces other than U+0020 that crawled text is full of (NBSP, ideographic space, thin spaces...).
_ODD_SPACES = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACES = " " + _ODD_SPACES
# a space between two words is a quarter of Korean text and no alternative below can match it: saying so
# before they are tried halves the step's time on news
_WORD_SPACE = r"(?!(?<=[^\n]) (?=\S))"
_PATTERN = re.compile(
    # every alternative starts with white space or an invisible or control character: checking that first
    # rejects a letter at once, and then the one space between two words, before any alternative is tried
    rf"(?=[\s\x00-\x1f\x7f-\x9f{INVISIBLE}])" + _WORD_SPACE + "(?:"
    r"(?P<crlf>\r\n?|[\x0b\x0c\u2028\u2029\x85])"
    rf"|(?P<invisible>[{INVISIBLE}]+)"
    r"|(?P<control>[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]+)"
    rf"|(?P<edge>^[{_SPACES}]+|[{_SPACES}]+$)"
    rf"|(?P<run>[{_SPACES}]{{2,}}|[{_ODD_SPACES}])"
    r"|(?P<doc_edge>\A\n+|\n+\Z)"
    r"|(?P<blank>\n{3,}))",
    re.M,
)
_RULES = {
    "crlf": ("normalize.line_break", "line break normalised to \\n", "\n"),
    "invisible": ("normalize.invisible", "zero-width or invisible character", ""),
    "control": ("normalize.control", "control character", ""),
    "edge": ("normalize.edge_space", "space at the start or end of a line", ""),
    "run": ("normalize.space_run", "space run or unusual space folded to one space", " "),
    "blank": ("normalize.blank_lines", "more than one blank line", "\n\n"),
    "doc_edge": ("normalize.doc_edge", "blank lines at the start or end of the document", ""),
}


class NormalizeWhitespace(Step):
    kind = "normalize_whitespace"

    def apply(self, doc: Document) -> None:
        cuts = []
        for m in _PATTERN.finditer(doc.text):
            rule, reason, inserted = _RULES[m.lastgroup or ""]
            if m.group(0) != inserted:
                cuts.append(Cut(m.start(), m.end(), rule, reason, inserted))
        if cuts:
            doc.apply_cuts(self.name, cuts)
