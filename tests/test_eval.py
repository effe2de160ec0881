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


def test_a_single_document_gold_scores_the_single_document_of_a_run(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_text(RAW["a"], encoding="utf-8")
    (tmp_path / "seed.gold.txt").write_text(GOLD["a"], encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["clean", str(folder), "-o", str(out), "--workers", "1", "-q"]) == 0
    capsys.readouterr()
    args = ["eval", str(out), str(tmp_path / "seed.gold.txt"), "--raw", str(folder / "seed.txt"), "--json"]
    assert cli.main(args) == 0
    overall = orjson.loads(capsys.readouterr().out)["overall"]
    assert overall["docs"] == 1 and overall["recall"] > 0.9 and overall["junk_removed"] > 0.5


def test_a_gold_that_matches_no_prediction_is_an_error_not_a_zero(tmp_path, files, capsys):
    pred = files[0]
    other = _jsonl(tmp_path / "other.jsonl", [{"id": f"x{k}", "gold": v} for k, v in GOLD.items()])
    assert cli.main(["eval", str(pred), str(other)]) == 2
    assert "no gold id is among the predictions" in capsys.readouterr().err
    one = tmp_path / "one.gold.txt"
    one.write_text(GOLD["a"], encoding="utf-8")
    assert cli.main(["eval", str(pred), str(one)]) == 2  # three predictions, one gold text: which one?
    assert "must hold one document" in capsys.readouterr().err
