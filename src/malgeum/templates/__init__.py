"""Corpus-learned templates: lines a site (or the whole corpus) repeats on its pages.

`shapes` keys lines, `learn` counts them in a first pass and decides, `passes` runs that pass over a run's
shards on either engine; the `templates` step (`malgeum.steps.templates`) cuts what was learned.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from malgeum.document import Document


def learn_documents(docs: Iterable[Document], **params: Any) -> np.ndarray:
    """The templates of an in-memory corpus, for `CutTemplates.use` (the CLI learns shard by shard instead).
    `params` are the `templates` step's."""
    from malgeum.steps.templates import CutTemplates
    from malgeum.templates.learn import ShardCounter, reduce

    step = CutTemplates(**params)
    counter = ShardCounter(step.url_field)
    for d in docs:
        counter.add(d)
    with tempfile.TemporaryDirectory(prefix="malgeum-templates-") as tmp:
        folder = Path(tmp)
        for suffix, data in counter.files().items():
            (folder / f"all.{suffix}").write_bytes(data)
        reduce(folder, ["all"], step.thresholds, folder / "out")
        return np.load(folder / "out" / "templates.npy")
