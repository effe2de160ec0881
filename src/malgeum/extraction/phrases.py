"""Lines that are only a boilerplate phrase of some language ("Share this article", "관련기사"), from the
`extraction.yaml` file of every language pack: `lines` are whole lines, `prefixes` start a line that is a link
to elsewhere ("Read more: <headline>")."""

from __future__ import annotations

import re
from functools import cache

from malgeum import langpacks


def _key(line: str) -> str:
    """The line without what surrounds a phrase on it (bullets, arrows, brackets, colons, counts), its spaces
    collapsed and its case folded."""
    i, j = 0, len(line)
    while i < j and not line[i].isalpha():
        i += 1
    while j > i and not line[j - 1].isalpha():
        j -= 1
    return " ".join(line[i:j].split()).casefold()


@cache
def _phrases(packs: str | None) -> tuple[frozenset[str], re.Pattern[str] | None]:  # (once per langpacks.setting())
    lines: set[str] = set()
    prefixes: list[str] = []
    for lang in langpacks.available("extraction"):
        pack = langpacks.load(lang, "extraction")
        lines.update(_key(p) for p in pack.get("lines", []) if _key(p))
        prefixes.extend(pack.get("prefixes", []))
    pattern = (
        re.compile(
            r"^\W*(?:" + "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)) + r")\s*[:：|>»›]",
            re.I,
        )
        if prefixes
        else None
    )
    return frozenset(lines), pattern


_LONGEST = 80  # longer lines are never only a phrase


def boilerplate_line(line: str) -> bool:
    if len(line) > 200:
        return False
    lines, prefix = _phrases(langpacks.setting())
    if len(line) <= _LONGEST and _key(line) in lines:
        return bool(line.strip())
    return prefix is not None and prefix.match(line) is not None


def drop_boilerplate_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not boilerplate_line(line))
