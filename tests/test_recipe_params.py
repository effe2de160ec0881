"""A recipe's parameters are checked against each step's signature at start, by `recipe check` and by every
command: wrong type, a value outside a step's choices, an unknown language pack, a missing model file: exit 2,
naming the step, the parameter, what it expects and what it was given."""

from __future__ import annotations

import pytest
from test_run import write_jsonl

from malgeum import params
from malgeum.cli import main

WRONG = [
    ("min_length: {min_chars: '20'}", "parameter 'min_chars' must be a whole number, not '20' (text)"),
    ("lid: {keep: ko, mode: filter}", "parameter 'keep' must be a list of text (or null), not 'ko' (text)"),
    ("boilerplate: {langs: ko}", "parameter 'langs' must be a list of text, not 'ko' (text)"),
    ("boilerplate: {langs: [kr]}", "no language pack 'kr'; packs: "),
    ("lid: {keep: [ko], mode: drop}", "mode must be 'tag' or 'filter'"),
    ("classifier: {model: missing.npz}", "parameter 'model': no file or folder 'missing.npz'"),
    ("min_length: {min_chars: true}", "must be a whole number, not True"),
    ("dedup: {threshold: high}", "step 2 (dedup): parameter 'threshold' must be a number, not 'high' (text)"),
]


@pytest.mark.parametrize("entry, message", WRONG)
def test_wrong_parameters_are_refused_by_recipe_check_and_by_clean(tmp_path, capsys, entry, message):
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"steps:\n  - normalize_whitespace\n  - {entry}\n", encoding="utf-8")
    assert main(["recipe", "check", "--recipe", str(recipe)]) == 2
    err = capsys.readouterr().err
    assert "step 2 (" in err and message in err, err
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [{"id": "1", "text": "시청은 내년 봄부터 자전거길을 넓힌다."}])
    assert main(["clean", str(folder), "-o", str(tmp_path / "out"), "--recipe", str(recipe), "-q"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out" / "kept").exists()


def test_right_parameters_pass_whatever_their_yaml_spelling(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "steps:\n  - lid: {keep: [ko], mode: filter, min_score: 0}\n  - boilerplate: {langs: [ko, en]}\n"
        "  - min_length: {min_chars: 20}\n",
        encoding="utf-8",
    )
    assert main(["recipe", "check", "--recipe", str(recipe)]) == 0


def test_types_as_hinted():
    assert params.conforms(3, float) and not params.conforms(True, int) and not params.conforms("ab", list[str])
    assert params.conforms(["a"], list[str] | None) and params.conforms(None, list[str] | None)
    assert params.conforms((1, 2), tuple[int, ...]) and not params.conforms([1, "x"], tuple[int, ...])
    assert params.conforms({"a": 1}, dict[str, int]) and not params.conforms({"a": "1"}, dict[str, int])
    assert params.describe(int | None) == "a whole number (or null)"
