"""Byte-level dirt (tests/bad_inputs.py): every record is kept, dropped or quarantined with file, line and a
clear message; nothing stops the run; counts balance. A document that hangs a step is quarantined as a timeout."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from bad_inputs import write

from malgeum.engine import local
from malgeum.explain import iter_records
from malgeum.step import Step


def _run(folder: Path, out: Path, **kw) -> tuple[dict, dict[str, list[dict]], dict[str, tuple[str, dict]]]:
    stats = local.run([str(folder)], out, workers=2, progress=False, **kw)
    quarantine: dict[str, list[dict]] = defaultdict(list)
    for _, r in iter_records(out, ("quarantine",)):
        quarantine[r["source"]].append(r)
    docs = {r["id"]: (sub, r) for sub, r in iter_records(out)}
    return stats, quarantine, docs


def test_every_kind_of_bad_input_is_accounted_for(tmp_path):
    kinds = write(tmp_path / "bad")
    stats, quarantine, docs = _run(tmp_path / "bad", tmp_path / "out")
    assert stats["balanced"]
    assert stats["input_records"] == stats["kept"] + stats["dropped"] + stats["quarantined"]
    for k in kinds:
        got = quarantine.get(k.file, [])
        if k.quarantined >= 0:
            assert len(got) == k.quarantined, (k.file, [g["error"] for g in got])
        else:
            assert got, k.file
        for g in got:
            assert k.message in g["error"], (k.file, g["error"])
            assert g["line"] is not None or k.file.endswith(".parquet"), (k.file, g)
    assert [r["error"] for r in sorted(quarantine["types.jsonl"], key=lambda r: r["line"])] == [
        "text field 'text' is a int, not a string",
        "missing text field 'text'",  # JSON null
        "text field 'text' is a list, not a string",
        "text field 'text' is a dict, not a string",
        "id field 'id' is a dict, not a string or number",
        "missing text field 'text'",
    ]
    # readable but too deep to write as JSON: quarantined when read, with its line as it was, not lost
    deep = next(r for r in quarantine["nested.jsonl"] if r["error"].startswith("meta too deep"))
    assert deep["raw"].startswith('{"id": "d2", "text": "x", "meta": {"a": {"a":')
    assert any("depth limit" in r["error"] for r in quarantine["nested.jsonl"])
    assert docs["d1"][0] == "kept"
    assert docs["e1"][1]["meta"]["malgeum"]["dropped"]["rule"] == docs["e2"][1]["meta"]["malgeum"]["dropped"]["rule"]
    assert "\x00" not in docs["n1"][1]["text"] or docs["n1"][0] == "kept"
    assert [sub for i, (sub, _) in docs.items() if i == "same"]  # both records with the id "same" are there
    assert sum(1 for _, r in iter_records(tmp_path / "out") if r["id"] == "same") == 2
    assert docs["bom0"][0] == "kept" and not quarantine["bom.jsonl"]
    assert docs["m1"][1]["meta"]["meta"] == [1, 2] and docs["m2"][1]["meta"]["meta"] == "from a feed"
    assert docs["1180591620717411303424"][0] == "kept"
    typed = docs["t1"][1]["meta"]
    assert typed["seen"].startswith("1970-01-01T00:00:00") and typed["price"] == "1.50" and typed["day"] == "2026-01-03"
    assert isinstance(docs["t2"][1]["meta"]["far"], str)
    bad_utf8 = quarantine["invalid_utf8.jsonl"][0]
    assert "raw_b64" in bad_utf8  # bytes that are not UTF-8 are kept, base64-encoded
    assert stats["quarantine_reasons"]["malformed JSON"] >= 250


class _Backtracking(Step):
    """A step with a catastrophically backtracking pattern: exponential on `aaaa…b`."""

    kind = "test_backtracking"

    def apply(self, doc):
        re.match(r"(a+)+$", doc.text)


def test_a_document_that_hangs_a_step_is_quarantined_as_a_timeout(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"id": "fine", "text": "aaaa"}\n{"id": "hang", "text": "' + "a" * 40 + 'b"}\n{"id": "after", "text": "aa"}\n'
    )
    recipe = {"steps": ["normalize_whitespace", "test_backtracking"]}
    stats = local.run([str(folder)], tmp_path / "out", recipe, workers=1, progress=False, time_budget=0.5)
    assert stats["balanced"] and stats["quarantined"] == 1 and stats["kept"] == 2
    assert stats["quarantine_reasons"] == {"timeout": 1}
    (q,) = [r for _, r in iter_records(tmp_path / "out", ("quarantine",))]
    assert q["error"] == "timeout: over 0.5 s in step 'test_backtracking'" and q["line"] == 2
    assert q["raw"]["text"] == "a" * 40 + "b"


@pytest.mark.slow
def test_a_100_mb_document_and_a_million_tiny_ones(tmp_path):
    kinds = {k.file: k for k in write(tmp_path / "bad", big=True)}
    for name in list(kinds):
        if name not in ("big.jsonl", "tiny.jsonl"):
            (tmp_path / "bad" / name).unlink()
    stats, quarantine, docs = _run(tmp_path / "bad", tmp_path / "out")
    assert stats["balanced"] and stats["input_records"] == 1_000_001
    big = docs.get("big")
    assert big is not None or quarantine["big.jsonl"][0]["error"].startswith("timeout")
