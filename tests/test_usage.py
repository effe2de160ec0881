"""Bad usage is refused with exit 2 and a message that says what is wrong; a run that read nothing or quarantined
everything says so, with a hint, and fails with --strict."""

from __future__ import annotations

import pytest
from test_run import write_jsonl

from malgeum.cli import main

STORY = "시청은 내년 봄부터 강변 자전거길을 넓히기로 했다고 3일 밝혔다. 공사는 두 달 걸린다."


@pytest.fixture
def folder(tmp_path):
    f = tmp_path / "in"
    f.mkdir()
    write_jsonl(f / "a.jsonl", [{"id": str(i), "text": STORY} for i in range(3)])
    return f


@pytest.mark.parametrize(
    "args",
    [
        ["--workers", "0"],
        ["--workers", "-3"],
        ["--workers", "two"],
        ["--time-budget", "-1"],
        ["--time-budget", "nan"],
        ["--max-record-bytes", "0"],
        ["--format", "csv"],
    ],
)
def test_bad_options_exit_2_with_the_option_named(folder, tmp_path, capsys, args):
    with pytest.raises(SystemExit) as e:
        main(["clean", str(folder), "-o", str(tmp_path / "out"), *args])
    assert e.value.code == 2
    assert args[0] in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [["--threshold", "0"], ["--threshold", "1.5"], ["--ngram", "0"], ["--workers", "0"]])
def test_bad_dedup_options_exit_2(folder, tmp_path, args):
    with pytest.raises(SystemExit) as e:
        main(["dedup", str(folder), "-o", str(tmp_path / "out"), *args])
    assert e.value.code == 2


def test_an_output_that_is_a_file_is_refused_with_exit_2(folder, tmp_path, capsys):
    file = tmp_path / "out.jsonl"
    file.write_text("mine\n")
    assert main(["clean", str(folder), "-o", str(file)]) == 2
    assert "must be a folder" in capsys.readouterr().err
    assert main(["clean", str(folder), "-o", str(file / "sub")]) == 2
    assert main(["dedup", str(folder), "-o", str(file)]) == 2
    assert file.read_text() == "mine\n"


def test_a_folder_of_files_malgeum_does_not_read_warns_and_strict_fails(tmp_path, capsys):
    f = tmp_path / "in"
    f.mkdir()
    (f / "table.csv").write_text("id,text\n1,hello\n")
    assert main(["clean", str(f), "-o", str(tmp_path / "out"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "table.csv" in err and "warning: no records were read" in err
    assert main(["clean", str(f), "-o", str(tmp_path / "out2"), "-q", "--strict"]) == 2
    assert "error: no records were read" in capsys.readouterr().err


def test_records_without_the_text_field_get_a_hint_naming_their_fields(tmp_path, capsys):
    f = tmp_path / "in"
    f.mkdir()
    write_jsonl(f / "a.jsonl", [{"doc_id": str(i), "body": STORY, "lang": "ko"} for i in range(4)])
    assert main(["clean", str(f), "-o", str(tmp_path / "out"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "every record was quarantined" in err and "--text-field" in err and "doc_id, body, lang" in err
    assert main(["clean", str(f), "-o", str(tmp_path / "o2"), "-q", "--strict"]) == 2
    assert main(["clean", str(f), "-o", str(tmp_path / "o3"), "-q", "--text-field", "body", "--strict"]) == 0


def test_run_log_says_how_each_run_started_and_ended(folder, tmp_path):
    out = tmp_path / "out"
    assert main(["clean", str(folder), "-o", str(out), "-q", "--workers", "1"]) == 0
    assert main(["clean", str(folder), "-o", str(out), "-q", "--workers", "1"]) == 0  # a rerun: nothing to do
    log = (out / "run.log").read_text(encoding="utf-8").splitlines()
    starts = [line for line in log if " INFO start clean: malgeum " in line]
    assert len(starts) == 2
    assert any("shard part-00000 done" in line for line in log)
    assert any("1 shards, 0 to do (1 finished by an earlier run)" in line for line in log)
    assert log[-1].endswith("done: 3 records, 3 kept, 0 dropped, 0 quarantined, balanced True")
    assert main(["clean", str(folder), "-o", str(out), "-q", "--overwrite", "--time-budget", "5"]) == 0
    assert sum(" start clean" in line for line in (out / "run.log").read_text().splitlines()) == 1
    d = tmp_path / "d"
    assert main(["dedup", str(out / "kept"), "-o", str(d), "-q"]) == 0
    assert "done: 3 records, 1 kept, 2 exact" in (d / "run.log").read_text()
