"""`malgeum eval`: the same figures as ../shared/tools/score_clean.py, plus what survived and what was lost."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from malgeum import cli, evaluation

SCORER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score_clean.py"

RAW = {
    "a": "(서울=연합뉴스) 김민지 기자 = 시청 앞 광장에 성탄 트리가 섰다.\n시민들이 사진을 찍었다.\n"
    "김민지 기자 minji@example.co.kr\n시민들이 사진을 찍었다.\n",
    "b": "정부가 내년 예산안을 국무회의에서 의결해 발표했다.\n▶ 네이버에서 구독하기\n"
    "ⓒ 한국일보, 무단전재 및 재배포 금지\n",
    "c": "▲ 눈 덮인 한라산. /사진=제주도 제공\n한라산에 올겨울 첫눈이 내려 등산객들이 몰렸다.\n",
}
GOLD = {
    "a": "시청 앞 광장에 성탄 트리가 섰다.\n시민들이 사진을 찍었다.\n",
    "b": "정부가 내년 예산안을 국무회의에서 의결해 발표했다.\n",
    "c": "▲ 눈 덮인 한라산.\n한라산에 올겨울 첫눈이 내려 등산객들이 몰렸다.\n",
}
PRED = {
    "a": "시청 앞 광장에 성탄 트리가 섰다.\n시민들이 사진을 찍었다.\n김민지 기자 minji@example.co.kr\n",
    "b": "정부가 내년 예산안을 국무회의에서 의결해 발표했다.\nⓒ 한국일보, 무단전재 및 재배포 금지\n",
    # "c" is missing: the cleaner dropped it, which loses its story
}


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


@pytest.fixture
def files(tmp_path):
    pred = _jsonl(tmp_path / "pred.jsonl", [{"id": k, "text": v} for k, v in PRED.items()])
    gold = _jsonl(tmp_path / "gold.jsonl", [{"id": k, "gold": v} for k, v in GOLD.items()])
    raw = _jsonl(tmp_path / "raw.jsonl", [{"id": k, "text": v} for k, v in RAW.items()])
    return pred, gold, raw


def test_surviving_junk_is_named_by_kind():
    ev = evaluation.evaluate(PRED, GOLD, RAW)
    by_id = {d.id: d for d in ev.docs}
    assert by_id["a"].kinds == {"email": 1, "byline": 1}
    assert by_id["b"].kinds == {"copyright": 1}
    assert by_id["c"].story_lost == ["▲ 눈 덮인 한라산.\n한라산에 올겨울 첫눈이 내려 등산객들이 몰렸다."]
    assert ev.survived()["email"] == 1 and ev.survived()["prompt"] == 0


def test_a_repeated_sentence_is_reported_as_a_repeat():
    d = evaluation.judge(
        "x", "첫 문장은 이렇다.\n둘째 문장도 있다.\n첫 문장은 이렇다.", "첫 문장은 이렇다.\n둘째 문장도 있다."
    )
    assert d.kinds == {"repeat": 1}
    assert "⟦+junk: \n첫 문장은 이렇다.⟧" in d.shown


@pytest.mark.acceptance
@pytest.mark.skipif(not SCORER.exists(), reason="needs ../shared/tools/score_clean.py")
def test_figures_agree_with_the_reference_scorer(files, capsys):
    pred, gold, raw = files
    ref = subprocess.run(
        [sys.executable, str(SCORER), "--jsonl", str(pred), str(gold), "--raw", str(raw)],
        capture_output=True,
        text=True,
    ).stdout
    assert cli.main(["eval", str(pred), str(gold), "--raw", str(raw)]) == 0
    ours = capsys.readouterr().out.splitlines()[-1]
    figures = dict(kv.split("=") for kv in ref.split() if "=" in kv)
    for name in ("precision", "recall", "junk_removed"):
        assert f"{name}={figures[name]}" in ours, (ours, ref)


def test_gold_as_character_ranges_checks_the_raw_text(tmp_path, files, capsys):
    pred, _, raw = files
    text = RAW["b"]
    keep = [[0, text.index("▶")]]
    rows = [{"id": "b", "keep": keep, "sha1": hashlib.sha1(text.encode()).hexdigest()}]
    gold = _jsonl(tmp_path / "ranges.jsonl", rows)
    assert cli.main(["eval", str(pred), str(gold), "--raw", str(raw), "--json"]) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert out["overall"]["recall"] == 1.0
    assert out["documents"][0]["kinds"] == {"copyright": 1}

    rows[0]["sha1"] = "0" * 40
    _jsonl(gold, rows)
    assert cli.main(["eval", str(pred), str(gold), "--raw", str(raw)]) == 2
    assert "differs from the one the gold was made on" in capsys.readouterr().err


def test_eval_reads_a_malgeum_output_folder(tmp_path, files, capsys):
    _, gold, raw = files
    out = tmp_path / "out"
    assert cli.main(["clean", str(raw), "-o", str(out), "--workers", "1", "-q"]) == 0
    assert cli.main(["eval", str(out), str(gold), "--raw", str(raw), "--json"]) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report["overall"]["docs"] == 3
    assert report["overall"]["recall"] > 0.9
    assert report["overall"]["junk_removed"] > 0.8
