"""Language packs: what malgeum knows about a language, kept as data files a linguist can edit.

`langpacks/<lang>/<topic>.yaml`, e.g. `ko/boilerplate.yaml`. A user pack directory can be given with
`MALGEUM_LANGPACKS=/path` (searched first), so lexicons can be extended without touching the package.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_BUILTIN = Path(__file__).parent


def setting() -> str | None:
    """`MALGEUM_LANGPACKS` as it is now: what is read once from the packs is read once per setting (a process, a
    notebook or a fork server's workers, may serve runs with different packs)."""
    return os.environ.get("MALGEUM_LANGPACKS")


def pack_dirs() -> list[Path]:
    extra = setting()
    return [*(Path(p) for p in extra.split(os.pathsep) if p), _BUILTIN] if extra else [_BUILTIN]


def available(topic: str) -> list[str]:
    langs = {p.parent.name for d in pack_dirs() for p in d.glob(f"*/{topic}.yaml")}
    return sorted(langs)


def load(lang: str, topic: str) -> dict[str, Any]:
    """The `topic` data of language `lang`; an empty dict when the language has none (read once per `setting`)."""
    return _load(lang, topic, setting())


@cache
def _load(lang: str, topic: str, packs: str | None) -> dict[str, Any]:
    for d in pack_dirs():
        path = d / lang / f"{topic}.yaml"
        if path.is_file():
            with path.open(encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping at the top level")
            return data
    return {}


def script(lang: str) -> str | None:
    """The script language `lang` is written in (`<lang>/language.yaml`), where its pack's rules may act; None
    when the pack names none (its rules then act on every text)."""
    from malgeum.scripts import SCRIPTS

    name = load(lang, "language").get("script")
    if name is not None and name not in SCRIPTS:
        raise ValueError(f"{lang}/language.yaml: unknown script {name!r}; known: {sorted(SCRIPTS)}")
    return name


def alternatives(pattern: str | list[str]) -> str:
    """A rule's pattern: one regex, or a list of alternatives; made unable to match a line break."""
    joined = pattern if isinstance(pattern, str) else "|".join(f"(?:{p})" for p in pattern)
    return line_safe(joined)


def line_safe(pattern: str) -> str:
    """Rewrite a regex so that it cannot match across a line break.

    Lexicon authors write `\\s` and `[^...]` naturally; in a pattern run over a whole document those
    would jump to the next line. Outside classes `\\s` becomes "white space but not a line break", a
    positive class loses `\\s`'s line break, and every negated class excludes the line break.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            out.append("[^\\S\\n]" if pattern[i + 1] == "s" else pattern[i : i + 2])
            i += 2
        elif ch == "[":
            j = i + 1
            negated = j < n and pattern[j] == "^"
            if negated:
                j += 1
            body: list[str] = []
            if j < n and pattern[j] == "]":  # a literal ] first in the class
                body.append("]")
                j += 1
            while j < n and pattern[j] != "]":
                if pattern[j] == "\\" and j + 1 < n:
                    esc = pattern[j : j + 2]
                    body.append(" \\t\\u00a0\\u3000" if esc == "\\s" and not negated else esc)
                    j += 2
                else:
                    body.append(pattern[j])
                    j += 1
            inner = "".join(body)
            if negated and "\\n" not in inner:
                inner += "\\n"
            out.append(("[^" if negated else "[") + inner + "]")
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)
