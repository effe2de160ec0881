"""A chain of steps over a stream of documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from malgeum import recipe as recipes
from malgeum.document import Document
from malgeum.step import Step


class Pipeline:
    def __init__(self, steps: list[Step]) -> None:
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"step names must be unique, got {names}")
        self.steps = steps
        self._ready = False
        self.current = ""  # the step at work, for a time budget that interrupts it

    @classmethod
    def from_recipe(cls, recipe: dict[str, Any] | list[Any] | None = None) -> Pipeline:
        return cls(recipes.build(recipe if recipe is not None else recipes.load()))

    def setup(self) -> None:
        if not self._ready:
            for s in self.steps:
                s.setup()
            self._ready = True

    def process(self, doc: Document) -> Document:
        """One document through every step. A step that raises is named in the error."""
        self.setup()
        for step in self.steps:
            self.current = step.name
            try:
                step.process(doc)
            except Exception as e:
                raise StepFailed(step.name, e) from e
        return doc

    def run(self, docs: Iterable[Document | str]) -> Iterator[Document]:
        """Clean documents (or plain strings, numbered from 0); dropped documents are yielded too,
        with `doc.dropped` set."""
        for n, d in enumerate(docs):
            yield self.process(d if isinstance(d, Document) else Document(id=str(n), text=d))

    def stats(self) -> dict[str, dict[str, Any]]:
        return {s.name: s.stats.to_dict() for s in self.steps}


class StepFailed(RuntimeError):
    def __init__(self, step: str, error: BaseException) -> None:
        super().__init__(f"step {step!r} failed: {type(error).__name__}: {error}")
        self.step = step
