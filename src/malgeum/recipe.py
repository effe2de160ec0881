"""Recipes: a YAML list of steps and their parameters, validated before any document is read."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from malgeum.params import describe, hints, problems
from malgeum.step import Step

DEFAULT = Path(__file__).parent / "recipes" / "default.yaml"


class RecipeError(ValueError):
    pass


def _registry() -> dict[str, type[Step]]:
    """The steps by kind. The built-in ones are imported here, when a recipe is first read, rather than with this
    module: a command can start its workers' fork server before this process spends a second importing them."""
    import malgeum.steps  # noqa: F401  (registers the built-in steps)

    return Step.registry


def _params(cls: type[Step]) -> dict[str, inspect.Parameter]:
    sig = inspect.signature(cls.__init__)
    return {k: p for k, p in sig.parameters.items() if k != "self"}


def _signature(cls: type, names: list[str] | None = None) -> str:
    """`name: type = default, ...` of a step's (or the dedup settings') parameters, as a recipe gives them."""
    types_of = hints(cls)
    shown = []
    for k, p in inspect.signature(cls).parameters.items():
        if names is not None and k not in names:
            continue
        text = k if k not in types_of else f"{k}: {describe(types_of[k])}"
        shown.append(text if p.default is inspect.Parameter.empty else f"{text} = {p.default!r}")
    return ", ".join(shown)


def _summary(cls: type) -> str:
    """The first paragraph of a class's own docstring (never one it inherits), else of its module's."""
    import sys

    doc = cls.__dict__.get("__doc__") or sys.modules[cls.__module__].__doc__ or ""
    return " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())


def describe_steps() -> str:
    """Every step a recipe can name: its parameters (type and default) and what it does."""
    import textwrap

    from malgeum.dedup import DedupSettings

    load_plugins()
    entries = [(kind, _signature(cls), _summary(cls)) for kind, cls in sorted(_registry().items())]
    entries.append(
        (
            "dedup",
            _signature(DedupSettings, _dedup_fields()),
            "Corpus dedup: exact duplicates, MinHash near duplicates (`threshold`, `num_perm`, `bands`, shingles of "
            "`ngram` `unit`s) and lines the corpus repeats in `line_min_docs` clusters; `keep` says which member of "
            "a cluster stays (first, longest, meta:FIELD). Only as the last entry of a recipe (see `malgeum dedup`).",
        )
    )
    return "\n\n".join(
        f"{kind}({sig})\n" + textwrap.fill(doc, 100, initial_indent="    ", subsequent_indent="    ")
        for kind, sig, doc in entries
    )


ENTRY_POINTS = "malgeum.steps"  # the group under which an installed package names its modules of steps
_loaded: set[str] = set()


def _import(module: str, origin: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except Exception as e:
        raise RecipeError(f"{origin} {module!r} could not be imported: {type(e).__name__}: {e}") from e
    _loaded.add(module)


def load_plugins(names: Sequence[str] = ()) -> None:
    """Import the modules whose Step subclasses a recipe names: those of installed packages (entry point group
    `malgeum.steps`, read once) and the recipe's own `plugins:` list. Importing a module registers its steps."""
    from importlib.metadata import entry_points

    if ENTRY_POINTS not in _loaded:
        _loaded.add(ENTRY_POINTS)
        for ep in entry_points(group=ENTRY_POINTS):
            if ep.module not in _loaded:
                _import(ep.module, f"entry point {ep.name!r}: module")
    for name in names:
        if name not in _loaded:
            _import(name, "plugin")


def plugins_of(recipe: dict[str, Any] | list[Any]) -> list[str]:
    names = recipe.get("plugins") if isinstance(recipe, dict) else None
    if names is None:
        return []
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise RecipeError("plugins: a list of module names (mypkg.steps) whose steps the recipe uses")
    return names


def parse(recipe: dict[str, Any] | list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Normalise a recipe to [(step kind, params)] and check every name and parameter."""
    if isinstance(recipe, dict) and (extra := sorted(set(recipe) - {"steps", "plugins"})):
        raise RecipeError(f"unknown recipe key(s) {', '.join(map(str, extra))}: a recipe has steps (and plugins)")
    load_plugins(plugins_of(recipe))
    entries = recipe.get("steps") if isinstance(recipe, dict) else recipe
    if not isinstance(entries, list) or not entries:
        raise RecipeError("a recipe is a mapping with a non-empty list under 'steps'")
    registry = _registry()
    out = []
    for n, entry in enumerate(entries, 1):
        if isinstance(entry, str):
            kind, params = entry, {}
        elif isinstance(entry, dict) and len(entry) == 1:
            kind, params = next(iter(entry.items()))
            params = params or {}
        else:
            raise RecipeError(f"step {n}: expected a step name or a mapping of one step name to its parameters")
        if kind == "dedup":  # a corpus stage, not a step: it needs every document before it can decide
            if n != len(entries):
                raise RecipeError(f"step {n}: dedup works on the whole corpus and must be the last entry")
            if not isinstance(params, dict):
                raise RecipeError(f"step {n} (dedup): parameters must be a mapping")
            accepted = _dedup_fields()
            unknown = sorted(set(params) - set(accepted))
            if unknown:
                raise RecipeError(
                    f"step {n} (dedup): unknown parameter(s) {', '.join(unknown)}; accepted: {', '.join(accepted)}"
                )
            from malgeum.dedup import DedupSettings

            if wrong := problems(DedupSettings, params):
                raise RecipeError(f"step {n} (dedup): " + "; ".join(wrong))
            out.append((kind, dict(params)))
            continue
        if kind not in registry:
            raise RecipeError(f"step {n}: unknown step {kind!r}; known steps: {', '.join(sorted(registry))}")
        if not isinstance(params, dict):
            raise RecipeError(f"step {n} ({kind}): parameters must be a mapping")
        accepted = _params(registry[kind])
        unknown = sorted(set(params) - set(accepted))
        if unknown:
            raise RecipeError(
                f"step {n} ({kind}): unknown parameter(s) {', '.join(unknown)}; accepted: {', '.join(accepted)}"
            )
        wrong = problems(registry[kind], params)
        if wrong:
            raise RecipeError(f"step {n} ({kind}): " + "; ".join(wrong))
        out.append((kind, dict(params)))
    names = [p.get("name", k) for k, p in out]
    dupes = sorted({x for x in names if names.count(x) > 1})
    if dupes:
        raise RecipeError(f"steps {', '.join(dupes)} appear twice: give each a distinct `name`")
    return out


def bundled() -> list[str]:
    return sorted(p.stem for p in DEFAULT.parent.glob("*.yaml"))


def load(path: str | Path | None = None) -> dict[str, Any]:
    """A recipe file, or a bundled recipe by name (`default`, `web`), checked."""
    recipe = read(path)
    parse(recipe)
    return recipe


def read(path: str | Path | None = None) -> Any:
    """A recipe file, or a bundled recipe by name, as its YAML says (not checked: `load` checks)."""
    path = Path(path) if path else DEFAULT
    if not path.exists() and path.suffix == "" and str(path) in bundled():
        path = DEFAULT.parent / f"{path}.yaml"
    try:
        with open(path, encoding="utf-8") as f:
            recipe = yaml.safe_load(f)
    except OSError as e:
        raise RecipeError(f"cannot read recipe {path}: {e}") from e
    except yaml.YAMLError as e:
        raise RecipeError(f"recipe {path} is not valid YAML: {e}") from e
    return recipe


def _dedup_fields() -> list[str]:
    from dataclasses import fields

    from malgeum.dedup import DedupSettings

    return [f.name for f in fields(DedupSettings)]


def _recipe(entries: list[tuple[str, dict[str, Any]]], plugins: list[str] | None = None) -> dict[str, Any]:
    steps = [{k: p} if p else k for k, p in entries]
    return {"plugins": list(plugins), "steps": steps} if plugins else {"steps": steps}


def split_corpus_stage(recipe: dict[str, Any] | list[Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the per-document part of a recipe, the parameters of its closing `dedup` entry or None)."""
    entries = parse(recipe)
    if entries and entries[-1][0] == "dedup":
        if len(entries) == 1:
            raise RecipeError("a recipe needs at least one step before dedup")
        return _recipe(entries[:-1], plugins_of(recipe)), entries[-1][1]
    return _recipe(entries, plugins_of(recipe)), None


def build(recipe: dict[str, Any] | list[Any]) -> list[Step]:
    from malgeum import charsets

    steps = []
    registry = _registry()
    with charsets.once():  # (the packs' regexes share most of their character classes)
        for n, (kind, params) in enumerate(parse(split_corpus_stage(recipe)[0]), 1):
            try:
                steps.append(registry[kind](**params))
            except (TypeError, ValueError) as e:
                raise RecipeError(f"step {n} ({kind}): {e}") from e
    return steps


def dump(recipe: dict[str, Any] | list[Any]) -> str:
    return yaml.safe_dump(_recipe(parse(recipe), plugins_of(recipe)), allow_unicode=True, sort_keys=False)


def set_param(recipe: dict[str, Any], kind: str, key: str, value: Any) -> dict[str, Any]:
    """A copy of the recipe with `key: value` set on every step of that kind."""
    return _recipe([(k, {**p, key: value} if k == kind else p) for k, p in parse(recipe)], plugins_of(recipe))


def route_by_language(recipe: dict[str, Any]) -> dict[str, Any]:
    """A copy of the recipe whose `lid` step routes kept documents to kept/lang=<code>/; a recipe without one
    gets it after its last normalisation step (before it, mojibake would confuse the identifier)."""
    entries = parse(recipe)
    kinds = [k for k, _ in entries]
    if "lid" not in kinds:  # (a closing dedup keeps the kept/lang=<code>/ folders of what it reads)
        at = max((i + 1 for i, k in enumerate(kinds) if k.startswith(("normalize_", "fix_"))), default=0)
        entries.insert(at, ("lid", {}))
    return set_param(_recipe(entries, plugins_of(recipe)), "lid", "route", True)
