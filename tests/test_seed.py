"""Acceptance: the mission's seed document, cleaned by `malgeum clean`, against its gold (needs ../shared)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from test_run import jsonl_records, output_files

from malgeum.scoring import Score

pytestmark = pytest.mark.acceptance


def test_seed_is_cleaned_like_its_gold(shared, tmp_path):
    seed = shared / "seed" / "000_3991ae4f8c5fccc5.txt"
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "malgeum.cli", "clean", str(seed), "-o", str(out), "-q"], check=True, timeout=120
    )
    (kept,) = output_files(out, ("kept",))
    (record,) = jsonl_records(kept)
    pred = record["text"]
    raw = seed.read_text(encoding="utf-8")
    gold = seed.with_name("000_3991ae4f8c5fccc5.gold.txt").read_text(encoding="utf-8")
    score = Score().add(pred, gold, raw)
    markers = [m.strip() for m in (shared / "seed" / "markers.txt").read_text().splitlines()]
    markers = [m for m in markers if m and not m.startswith("#")]
    assert [m for m in markers if m in pred] == []
    assert score.precision >= 0.99 and score.recall >= 0.99, score.summary()
    assert score.junk_removed is not None and score.junk_removed >= 0.99
    # the official scorer agrees
    pred_file = tmp_path / "pred.txt"
    pred_file.write_text(pred, encoding="utf-8")
    res = subprocess.run(
        [
            sys.executable,
            str(shared / "tools" / "score_clean.py"),
            str(pred_file),
            str(gold_path(seed)),
            "--markers",
            str(shared / "seed" / "markers.txt"),
            "--raw",
            str(seed),
            "--min-precision",
            "0.98",
            "--min-recall",
            "0.97",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def gold_path(seed):
    return seed.with_name("000_3991ae4f8c5fccc5.gold.txt")
