"""The character fluency model and the word-salad step it drives (opt-in; see bench/salad_injection.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from malgeum import Document, cli
from malgeum.fluency import CharLM, OrderGain
from malgeum.steps.salad import CutWordSalad

PROSE = Path(__file__).resolve().parents[1] / "bench" / "data" / "salad_prose_ko.txt"  # our own writing


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lm") / "ko.npz"
    assert cli.main(["train-lm", str(PROSE), "-o", str(path), "--bits", "18"]) == 0
    return path


def _shuffled(line: str, seed: int) -> str:
    words = line.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


def test_real_word_order_gains_over_shuffles(model):
    lines = [line for line in PROSE.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 6][:60]
    gain = OrderGain(CharLM.load(model))
    real = gain.score(lines)
    salad = gain.score([_shuffled(line, i) for i, line in enumerate(lines)])
    assert sum(real) / len(real) > sum(salad) / len(salad) + 0.5
    assert gain.score(lines[:3]) == real[:3]  # seeded by the line: the same score every time


def test_a_block_of_shuffled_lines_goes_and_the_story_stays(model):
    lines = [line for line in PROSE.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 7]
    story = lines[:3]
    block = [_shuffled(line, 7 + i) for i, line in enumerate(lines[10:15])]
    text = "\n".join([*story, *block, *lines[3:6]])
    doc = Document("d", text)
    step = CutWordSalad(model=str(model), line_gain=0.6, bridge_gain=1.5, block_gain=0.4)
    step.setup()
    step.process(doc)
    cut = [e for e in doc.edits if e.rule == "salad.disordered_block"]
    assert len(cut) >= 3
    assert all("word salad: word order gains" in e.reason for e in cut)
    for line in story:
        assert line in doc.text


def test_train_lm_reads_jsonl_and_text(tmp_path, capsys):
    src = tmp_path / "clean.jsonl"
    src.write_text('{"text": "오늘은 날씨가 맑고 바람이 시원하다."}\n', encoding="utf-8")
    out = tmp_path / "m.npz"
    assert cli.main(["train-lm", str(src), str(PROSE), "-o", str(out), "--order", "3", "--bits", "16"]) == 0
    lm = CharLM.load(out)
    assert lm.order == 3 and len(lm.logprob("날씨가 맑다")) == 6
