"""Character classes compiled once while a recipe builds: the same patterns, in less time."""

from __future__ import annotations

import re

from malgeum import charsets, langpacks

try:
    from re import _compiler as re_compiler
except ImportError:  # Python 3.10
    import sre_compile as re_compiler  # type: ignore[no-redef]

TEXTS = ["홍길동 기자 hong@yna.co.kr", "(서울=연합뉴스) 김철수 기자 = 정부는", "ⓒ 연합뉴스 무단 전재", "Photo: AP"]


def _patterns() -> list[str]:
    out = []
    for lang in ("ko", "en"):
        for rule in langpacks.load(lang, "boilerplate")["rules"]:
            out.append(langpacks.alternatives(rule["pattern"]))
    return out


def test_patterns_compiled_once_match_as_those_compiled_anew():
    patterns = _patterns()
    plain = [re.compile(p, re.M) for p in patterns]
    re.purge()
    with charsets.once():
        cached = [re.compile(p, re.M) for p in patterns]
    re.purge()
    for a, b in zip(plain, cached, strict=True):
        assert a is not b
        for text in TEXTS:
            assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)], a.pattern


def test_each_class_is_compiled_once_and_re_is_left_as_it_was(monkeypatch):
    real = re_compiler._optimize_charset
    calls = []

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(re_compiler, "_optimize_charset", counting)
    re.purge()
    with charsets.once():
        assert re_compiler._optimize_charset is not counting
        re.compile("[가-힣]{2,4} 기자|[가-힣]{2,4} 특파원|[가-힣]{1,3}=[가-힣]{2,4}")
    assert re_compiler._optimize_charset is counting
    assert len(calls) == 1  # one class, four times in the patterns
