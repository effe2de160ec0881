"""Recipes: a YAML list of steps and their parameters, validated before any document is read."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import yaml

import malgeum.steps  # noqa: F401  (registers the built-in steps)
from malgeum.params import describe, hints, problems
from malgeum.step import Step

DEFAULT = Path(__file__).parent / "recipes" / "default.yaml"


class RecipeError(ValueError):
    pass


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

    entries = [(kind, _signature(cls), _summary(cls)) for kind, cls in sorted(Step.registry.items())]
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


def parse(recipe: dict[str, Any] | list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Normalise a recipe to [(step kind, params)] and check every name and parameter."""
    entries = recipe.get("steps") if isinstance(recipe, dict) else recipe
    if not isinstance(entries, list) or not entries:
        raise RecipeError("a recipe is a mapping with a non-empty list under 'steps'")
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
        if kind not in Step.registry:
            raise RecipeError(f"step {n}: unknown step {kind!r}; known steps: {', '.join(sorted(Step.registry))}")
        if not isinstance(params, dict):
            raise RecipeError(f"step {n} ({kind}): parameters must be a mapping")
        accepted = _params(Step.registry[kind])
        unknown = sorted(set(params) - set(accepted))
        if unknown:
            raise RecipeError(
                f"step {n} ({kind}): unknown parameter(s) {', '.join(unknown)}; accepted: {', '.join(accepted)}"
            )
        wrong = problems(Step.registry[kind], params)
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
    """A recipe file, or a bundled recipe by name (`default`, `web`)."""
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
    parse(recipe)
    return recipe


def _dedup_fields() -> list[str]:
    from dataclasses import fields

    from malgeum.dedup import DedupSettings

    return [f.name for f in fields(DedupSettings)]


def _recipe(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return {"steps": [{k: p} if p else k for k, p in entries]}


def split_corpus_stage(recipe: dict[str, Any] | list[Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the per-document part of a recipe, the parameters of its closing `dedup` entry or None)."""
    entries = parse(recipe)
    if entries and entries[-1][0] == "dedup":
        if len(entries) == 1:
            raise RecipeError("a recipe needs at least one step before dedup")
        return _recipe(entries[:-1]), entries[-1][1]
    return _recipe(entries), None


def build(recipe: dict[str, Any] | list[Any]) -> list[Step]:
    steps = []
    for n, (kind, params) in enumerate(parse(split_corpus_stage(recipe)[0]), 1):
        try:
            steps.append(Step.registry[kind](**params))
        except (TypeError, ValueError) as e:
            raise RecipeError(f"step {n} ({kind}): {e}") from e
    return steps


def dump(recipe: dict[str, Any] | list[Any]) -> str:
    return yaml.safe_dump(_recipe(parse(recipe)), allow_unicode=True, sort_keys=False)


def set_param(recipe: dict[str, Any], kind: str, key: str, value: Any) -> dict[str, Any]:
    """A copy of the recipe with `key: value` set on every step of that kind."""
    return _recipe([(k, {**p, key: value} if k == kind else p) for k, p in parse(recipe)])


def route_by_language(recipe: dict[str, Any]) -> dict[str, Any]:
    """A copy of the recipe whose `lid` step routes kept documents to kept/lang=<code>/; a recipe without one
    gets it after its last normalisation step (before it, mojibake would confuse the identifier)."""
    entries = parse(recipe)
    kinds = [k for k, _ in entries]
    if "lid" not in kinds:  # (a closing dedup keeps the kept/lang=<code>/ folders of what it reads)
        at = max((i + 1 for i, k in enumerate(kinds) if k.startswith(("normalize_", "fix_"))), default=0)
        entries.insert(at, ("lid", {}))
    return set_param(_recipe(entries), "lid", "route", True)
