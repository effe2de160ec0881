"""A step's parameters checked against its signature before any document is read: the type each one is
hinted with, the values a `Literal` allows, language packs that exist, model and table files that exist.

A recipe is YAML, so a quoted number is text and a single word where a list is wanted is a string: both would
pass silently and ruin a run (every document quarantined, or a language list read letter by letter)."""

from __future__ import annotations

import collections.abc as abc
import inspect
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from malgeum import langpacks, storage

_LISTS = (list, tuple, set, frozenset, abc.Sequence, abc.Iterable, abc.Collection, abc.Set)
_MAPS = (dict, abc.Mapping)
LANG_PARAMS = ("lang", "langs")  # parameters that name language packs
FILE_PARAMS = ("model", "path")  # parameters that name a file (or folder) the step reads


def hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls.__init__)  # type: ignore[misc]
    except Exception:  # a hint that does not resolve is no reason to refuse a recipe
        return {}


def conforms(value: Any, hint: Any) -> bool:
    """Whether a YAML value is of the hinted type (unknown kinds of hint accept anything)."""
    if hint is Any or hint is inspect.Parameter.empty:
        return True
    origin, args = get_origin(hint), get_args(hint)
    if origin is Union or origin is types.UnionType:
        return any(conforms(value, a) for a in args)
    if hint is type(None) or hint is None:
        return value is None
    if origin is Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str or hint is Path:
        return isinstance(value, str)
    if origin in _LISTS or hint in _LISTS:
        if not isinstance(value, list | tuple):  # a string is a sequence of letters, never what a list param means
            return False
        item = args[0] if (args and args[-1] is not Ellipsis) or len(args) == 2 else None
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(conforms(v, a) for v, a in zip(value, args, strict=True))
        return item is None or all(conforms(v, item) for v in value)
    if origin in _MAPS or hint in _MAPS:
        if not isinstance(value, dict):
            return False
        if len(args) == 2:
            return all(conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items())
        return True
    return True


def describe(hint: Any) -> str:
    """A hint as a recipe's author reads it."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Union or origin is types.UnionType:
        parts = [describe(a) for a in args if a is not type(None)]
        return " or ".join(parts) + (" (or null)" if type(None) in args else "")
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text", Path: "a file path"}
    if hint in names:
        return names[hint]
    if origin in _LISTS or hint in _LISTS:
        return f"a list of {describe(args[0])}" if args and args[0] is not Ellipsis else "a list"
    if origin in _MAPS or hint in _MAPS:
        return "a mapping"
    return getattr(hint, "__name__", str(hint))


def _given(value: Any) -> str:
    kind = {
        str: "text",
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
    }
    text = repr(value)
    return f"{text if len(text) <= 60 else text[:57] + '...'} ({kind.get(type(value), type(value).__name__)})"


def problems(cls: type, params: dict[str, Any]) -> list[str]:
    """What is wrong with `params` for a step of class `cls`, one message per parameter."""
    found = []
    types_of = hints(cls)
    for name, value in params.items():
        hint = types_of.get(name)
        if hint is not None and not conforms(value, hint):
            found.append(f"parameter {name!r} must be {describe(hint)}, not {_given(value)}")
            continue
        if name in LANG_PARAMS and value is not None:
            codes = [value] if isinstance(value, str) else value
            known = {p.name for d in langpacks.pack_dirs() if d.is_dir() for p in d.iterdir() if p.is_dir()}
            unknown = [c for c in codes if isinstance(c, str) and c not in known]
            if unknown:
                found.append(
                    f"parameter {name!r}: no language pack {', '.join(map(repr, unknown))}; "
                    f"packs: {', '.join(sorted(known))} (MALGEUM_LANGPACKS adds folders of your own)"
                )
        if name in FILE_PARAMS and isinstance(value, str) and not storage.is_url(value) and not Path(value).exists():
            found.append(f"parameter {name!r}: no file or folder {value!r}")
    return found
