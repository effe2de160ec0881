"""Each character class optimised once while a recipe's regexes compile.

Python's `re` compiles every character class of a pattern anew (`_optimize_charset`): a class of Hangul syllables,
`[가-힣]`, is 11,172 code points walked one by one in Python, and the language packs' rules hold thousands of
classes, most of them the same few (a fifth of building the default recipe). While `once()` is active, equal
classes are compiled once: the function is pure, and `re` only reads what it returns, so every pattern compiles to
the same code. Where `re`'s internals are not as expected (another Python), nothing is changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

try:
    from re import _compiler as _re_compiler
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _re_compiler  # type: ignore[no-redef]


@contextlib.contextmanager
def once() -> Iterator[None]:
    real = getattr(_re_compiler, "_optimize_charset", None)
    if real is None or getattr(real, "malgeum_once", False):  # (not there, or already active)
        yield
        return
    cache: dict[tuple[Any, ...], Any] = {}

    def optimize(charset: Any, iscased: Any = None, fixup: Any = None, fixes: Any = None) -> Any:
        try:
            key = (tuple(charset), iscased, fixup, id(fixes))
            found = cache.get(key)
        except TypeError:  # an item that cannot be a key: compiled as re would
            return real(charset, iscased, fixup, fixes)
        if found is None:
            found = cache[key] = real(charset, iscased, fixup, fixes)
        return found

    optimize.malgeum_once = True  # type: ignore[attr-defined]
    _re_compiler._optimize_charset = optimize
    try:
        yield
    finally:
        _re_compiler._optimize_charset = real
