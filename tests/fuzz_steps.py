"""Coverage-guided fuzzing of every per-document step with atheris (libFuzzer), beside the hypothesis tests.

    pip install atheris && python tests/fuzz_steps.py -atheris_runs=200000 [-max_len=4096]

Each input becomes a document that runs through the web recipe's steps plus `pii` and `c4` (every
per-document step); a crash, or output + edits that do not rebuild the input, stops the run with the input.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import orjson

    from malgeum import Pipeline, restore
    from malgeum import recipe as recipes
    from malgeum.document import Document

STEPS = [*(k for k, _ in recipes.parse(recipes.load("web"))), "c4"]
PIPELINE = Pipeline.from_recipe({"steps": list(dict.fromkeys(STEPS))})
PIPELINE.setup()


def one(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    doc = PIPELINE.process(Document("fuzz", text))
    if restore(orjson.loads(orjson.dumps(doc.to_record()))) != text:
        raise AssertionError(f"restore failed for {text!r}")


if __name__ == "__main__":
    print("steps:", ", ".join(s.name for s in PIPELINE.steps), flush=True)
    atheris.Setup(sys.argv, one)
    atheris.Fuzz()
