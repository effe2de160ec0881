"""Drop documents, or cut lines, that a classifier the user trained calls positive."""

from __future__ import annotations

from pathlib import Path

from malgeum.classifier import TextClassifier
from malgeum.document import Cut, Document
from malgeum.lines import line_bounds, non_overlapping, whole_line
from malgeum.step import Step


class Classify(Step):
    """`model` is a file made by `malgeum train-classifier`; `threshold` the probability from which a text counts
    as a positive; `unit: document` drops the document (rule `classifier.<label>`), `unit: line` cuts each
    non-empty line on its own. The score is kept in the document's scores either way."""

    kind = "classifier"

    def __init__(self, model: str, threshold: float = 0.9, unit: str = "document", name: str | None = None) -> None:
        super().__init__(name)
        if unit not in ("document", "line"):
            raise ValueError(f"classifier: unit must be document or line, not {unit!r}")
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"classifier: threshold must be in (0, 1], not {threshold}")
        self.model, self.threshold, self.unit = model, threshold, unit
        self._clf: TextClassifier | None = None

    def setup(self) -> None:
        if not Path(self.model).is_file():
            raise ValueError(f"classifier: no model file {self.model}; make one with `malgeum train-classifier`")
        self._clf = TextClassifier.load(Path(self.model))

    def apply(self, doc: Document) -> None:
        clf = self._clf
        assert clf is not None, "setup() loads the model"
        rule = f"classifier.{clf.label}"
        if self.unit == "document":
            p = float(clf.predict([doc.text])[0])
            doc.scores[self.name] = round(p, 4)
            if p >= self.threshold:
                doc.drop(self.name, rule, f"p({clf.label}) = {p:.3f} >= {self.threshold}")
            return
        text = doc.text
        bounds = [(s, e) for s, e in line_bounds(text) if text[s:e].strip()]
        if not bounds:
            return
        ps = clf.predict([text[s:e] for s, e in bounds])
        doc.scores[self.name] = round(float(ps.max()), 4)
        cuts = [
            Cut(*whole_line(text, s, e), rule, f"p({clf.label}) = {p:.3f} >= {self.threshold}")
            for (s, e), p in zip(bounds, ps, strict=True)
            if p >= self.threshold
        ]
        if cuts:
            doc.apply_cuts(self.name, non_overlapping(cuts))
