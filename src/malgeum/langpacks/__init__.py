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


def pack_dirs() -> list[Path]:
    extra = os.environ.get("MALGEUM_LANGPACKS")
    return [*(Path(p) for p in extra.split(os.pathsep) if p), _BUILTIN] if extra else [_BUILTIN]


def available(topic: str) -> list[str]:
    langs = {p.parent.name for d in pack_dirs() for p in d.glob(f"*/{topic}.yaml")}
    return sorted(langs)


@cache
def load(lang: str, topic: str) -> dict[str, Any]:
    """The `topic` data of language `lang`; an empty dict when the language has none."""
    for d in pack_dirs():
        path = d / lang / f"{topic}.yaml"
        if path.is_file():
            with path.open(encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping at the top level")
            return data
    return {}


def alternatives(pattern: str | list[str]) -> str:
    """A rule's pattern: one regex, or a list of alternatives."""
    return pattern if isinstance(pattern, str) else "|".join(f"(?:{p})" for p in pattern)
