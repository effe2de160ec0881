"""Which script a text and each of its lines are written in: where a language pack may act.

A pack speaks its language. A pack that names its script (`langpacks/<lang>/language.yaml`: `hangul`,
`latin`) acts on a document only when at least `SHARE` of the document's letters are in that script (an
English page with a Korean footer is not a Korean page), and there only on lines written in it: a line is in a
script when at least `SHARE` of its letters are (links and e-mail addresses aside, as they are Latin whatever
the language around them; a bilingual notice, or page, is in both). A line with too few letters
to tell (`2021.12.20`, `ⓒ KBS`, `----`, a bare link) takes the script of the nearest lines that tell, else the
document's. A text without letters (only links, digits, marks) is in no script: no pack names its junk, as
nothing says which language it is (the `min_length` step drops a document that has no letters).

A judgement of a page whole (spam_page) is the pack's of the document's main script, counted on its lines.
Every step that applies pack rules (boilerplate, spam, spam_page, pii) asks this one class, so that they agree
on which lines are whose.
"""

from __future__ import annotations

import re

import numpy as np

# Letters by script; Han and Kana together stand for Chinese/Japanese text.
SCRIPTS = {
    "hangul": re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "cjk": re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
    "greek": re.compile(r"[\u0370-\u03ff]"),
    "hebrew": re.compile(r"[\u0590-\u05ff]"),
}


# Weight of a letter of each script: its UTF-8 size, so that one Hangul syllable counts about as much text as
# the three Latin letters it takes to say as much (no script weighs more than Hangul: `text_script` relies on it).
_WEIGHT = {"hangul": 3, "cjk": 3, "thai": 3, "devanagari": 3, "latin": 1}


_RUNS = {name: re.compile(rx.pattern + "+") for name, rx in SCRIPTS.items()}
_RARE = ("cjk", "cyrillic", "arabic", "thai", "devanagari", "greek", "hebrew")
_ANY_RARE = re.compile("|".join(SCRIPTS[n].pattern for n in _RARE))


# the same ranges as code points, for counting a long text in one vectorised pass
_RANGES = sorted(
    [(ord("A"), ord("Z"), "latin"), (ord("a"), ord("z"), "latin")]
    + [
        (int(lo, 16), int(hi, 16), name)
        for name, rx in SCRIPTS.items()
        for lo, hi in re.findall(r"\\u([0-9a-f]{4})-\\u([0-9a-f]{4})", rx.pattern)
    ]
)
_EDGES = np.array([e for lo, hi, _ in _RANGES for e in (lo, hi + 1)], dtype=np.uint32)
_OWNER = [name for _, _, name in _RANGES]
_VECTOR = 400  # characters from which counting code points beats a regex pass per script


def script_counts(text: str) -> dict[str, int]:
    counts = dict.fromkeys(SCRIPTS, 0)
    if len(text) >= _VECTOR:
        # each code point's place among the ranges' edges: an odd place is inside a range
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        per = np.bincount(np.searchsorted(_EDGES, points, side="right"), minlength=len(_EDGES) + 1)
        for k, name in enumerate(_OWNER):
            counts[name] += int(per[2 * k + 1])
        return {name: n * _WEIGHT.get(name, 2) for name, n in counts.items()}
    # what is left when a script's runs are deleted says how many letters it had, without a Python object per
    # run; the rarer scripts are counted only when one of their letters is there at all (one scan, not seven)
    names = ("hangul", "latin", *_RARE) if _ANY_RARE.search(text) else ("hangul", "latin")
    for name in names:
        counts[name] = (len(text) - len(_RUNS[name].sub("", text))) * _WEIGHT.get(name, 2)
    return counts


def main_script(counts: dict[str, int]) -> str | None:
    name, n = max(counts.items(), key=lambda kv: kv[1])
    return name if n else None


def text_script(text: str) -> str | None:
    """`main_script(script_counts(text))`, in one scan for most Korean text: no script weighs more per letter
    than Hangul, so once the Hangul letters outnumber everything else that is not a space, Hangul wins."""
    if len(text) >= _VECTOR:
        return main_script(script_counts(text))
    hangul = len(text) - len(_RUNS["hangul"].sub("", text))
    if hangul > len(text) - hangul - text.count(" ") - text.count("\n"):
        return "hangul"
    return main_script(script_counts(text))


# links and e-mail addresses are Latin whatever the language around them
LINKS = re.compile(r"(?:https?://|www\.)[^\s]{1,300}|[\w.+\-]{1,64}@[\w\-.]{1,100}")


def without_links(text: str) -> str:
    """`LINKS.sub(" ", text)`, run only on the lines that may hold a link: no link spans a line break, and the
    e-mail half of the pattern is slow on a long text (each word character starts a try)."""
    if "@" not in text and "://" not in text and "www." not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "@" in line or "://" in line or "www." in line:
            lines[i] = LINKS.sub(" ", line)
    return "\n".join(lines)


_LETTER = re.compile(r"[^\W\d_]")
SHARE = 0.25  # of a line's or a document's letters in a pack's script for the pack to act on it (bilingual: both)
ENOUGH = 20  # weighted letters (a Hangul syllable weighs 3, a Latin letter 1) that tell a line's script alone
_LOOK = 6  # lines looked at on each side of a line too short to tell (blank ones included)


def shares(counts: dict[str, int], share: float) -> frozenset[str]:
    """The scripts that hold at least `share` of the letters counted (none when nothing was counted)."""
    total = sum(counts.values())
    return frozenset(name for name, n in counts.items() if n and n >= share * total)


def letters_outside_links(text: str) -> bool:
    """Whether the text has a letter that is not part of a link or an e-mail address."""
    if not _LETTER.search(text):
        return False
    return bool(_LETTER.search(LINKS.sub(" ", text))) if ("@" in text or "://" in text or "www." in text) else True


class LineScripts:
    """The scripts of a text and of its lines, worked out lazily: the document's once, a line's only when a
    rule matched on it (a few per document)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: dict[int, tuple[frozenset[str], bool]] = {}  # by line start: its scripts, enough to tell
        self._doc: frozenset[str] | None = None  # the document's scripts: the packs that may act on it at all
        self._counts: dict[str, int] | None = None
        self._main: str | None = None  # the main script ("" for none), once asked

    def in_document(self, script: str | None) -> bool:
        """Whether a pack of `script` may act on this text at all (a pack that names none: always)."""
        if script is None:
            return True
        if not SCRIPTS[script].search(self.text):
            return False  # most texts a pack is asked about and is not for have none of its letters at all
        return script in self._document()

    def main(self) -> str | None:
        """The script that holds most of the document's letters: the language of a judgement of the page whole
        (None for a text without letters)."""
        if self._main is None:
            counts = self._doc_counts()
            self._main = main_script(counts) or ""
        return self._main or None

    def fits(self, pos: int, script: str | None) -> bool:
        """Whether a pack of `script` may act on the line holding offset `pos` (a pack that names none: every
        line)."""
        if script is None:
            return True
        if not self.in_document(script):
            return False
        ls = self.text.rfind("\n", 0, pos) + 1
        scripts, enough = self._line(ls)
        if script in scripts:
            return True
        return not enough and script in self._around(ls)

    def _doc_counts(self) -> dict[str, int]:
        if self._counts is None:
            if self.text is _last[0]:  # the steps before asked about this very text (it has not been cut since)
                self._counts = _last[1]
            else:
                self._counts = script_counts(without_links(self.text))
                _last[:] = [self.text, self._counts]
        return self._counts

    def _around(self, ls: int) -> frozenset[str]:
        """The scripts of the nearest line that tells, above first (a credit or a link belongs to what it follows),
        else the document's."""
        text, start = self.text, ls
        for _ in range(_LOOK):  # above
            if start == 0:
                break
            start = text.rfind("\n", 0, start - 1) + 1
            scripts, enough = self._line(start)
            if enough:
                return scripts
        end = ls
        for _ in range(_LOOK):  # below
            end = text.find("\n", end)
            if end < 0:
                break
            end += 1
            scripts, enough = self._line(end)
            if enough:
                return scripts
        return self._document()

    def _document(self) -> frozenset[str]:
        if self._doc is None:
            self._doc = shares(self._doc_counts(), SHARE)
        return self._doc

    def _line(self, ls: int) -> tuple[frozenset[str], bool]:
        if ls not in self._lines:
            le = self.text.find("\n", ls)
            line = self.text[ls : len(self.text) if le < 0 else le]
            if "@" in line or "://" in line or "www." in line:
                line = LINKS.sub(" ", line)
            # most lines a Korean rule matches are Hangul through and through: one scan says so (a Hangul
            # syllable weighs 3 in script_counts, so no other script can reach a share then)
            hangul = len(line) - len(_RUNS["hangul"].sub("", line))
            if 3 * hangul >= ENOUGH and hangul > len(line) - hangul - line.count(" "):
                self._lines[ls] = _HANGUL_ONLY
            else:
                counts = script_counts(line)
                self._lines[ls] = shares(counts, SHARE), sum(counts.values()) >= ENOUGH
        return self._lines[ls]


_HANGUL_ONLY = (frozenset({"hangul"}), True)
_last: list = [None, None]  # the last text whose letters were counted whole, and its counts
