"""Parquet output as users read it: `meta` is a struct column of one type in every file of a run, so duckdb
reads `meta.url` and Hugging Face `datasets` loads the kept folder as one table; a Parquet row rebuilds its
input with `malgeum.restore` as a JSONL record does, and malgeum reads its own Parquet back as it wrote it."""

from __future__ import annotations

import os

import pyarrow.parquet as pq
import pytest
from test_run import write_jsonl

from malgeum import restore
from malgeum.cli import main
from malgeum.explain import iter_records

STORY = "시청은 내년 봄부터 강변 자전거길을 넓히기로 했다고 3일 밝혔다. 공사는 두 달 걸린다."


def _inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # two files whose records carry different fields, and a field of other kinds in each
    a = [
        {"id": f"a{i}", "text": f"{STORY} 구간 {i}.\n홍길동 기자 gildong@example.com", "url": f"https://a.example/{i}",
         "n": i, "tags": ["road", "city"], "flag": True}
        for i in range(30)
    ]  # fmt: skip
    b = [
        {"id": f"b{i}", "text": f"{STORY} 다른 구간 {i}.", "url": f"https://b.example/{i}", "n": i + 0.5,
         "extra": {"source": "feed", "depth": [1, 2]}, "flag": "yes"}
        for i in range(30)
    ]  # fmt: skip
    write_jsonl(folder / "a.jsonl", a)
    write_jsonl(folder / "b.jsonl", b)
    return folder, {r["id"]: r for r in a + b}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pq")
    folder, rows = _inputs(tmp)
    for fmt in ("parquet", "jsonl"):
        args = ["clean", str(folder), "-o", str(tmp / fmt), "--format", fmt, "--workers", "1", "-q"]
        assert main(args) == 0
    return tmp, rows


def test_every_file_has_one_meta_type_and_duckdb_reads_its_fields(runs):
    import duckdb

    tmp, _ = runs
    files = sorted((tmp / "parquet" / "kept").glob("*.parquet"))
    assert len(files) == 2
    types = {str(pq.read_schema(f).field("meta").type) for f in files}
    assert len(types) == 1
    got = duckdb.sql(
        f"SELECT id, meta.url, meta.n, meta.malgeum.lang FROM read_parquet('{tmp}/parquet/kept/*.parquet') "
        "WHERE meta.url LIKE 'https://b.%' ORDER BY id"
    ).fetchall()
    assert len(got) == 30 and got[0][1].startswith("https://b.example/") and got[0][2] == 0.5
    assert {r[3] for r in got} == {"ko"} or {r[3] for r in got} == {None}  # (a lid step records it)


def test_hugging_face_datasets_loads_the_kept_folder_and_rows_restore(runs):
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import datasets

    tmp, rows = runs
    ds = datasets.load_dataset("parquet", data_dir=str(tmp / "parquet" / "kept"), split="train")
    assert len(ds) == 60
    for row in ds:
        assert restore(row) == rows[row["id"]]["text"]
        assert row["meta"]["url"] == rows[row["id"]]["url"]


def test_parquet_rows_read_back_as_the_jsonl_records_of_the_same_run(runs):
    tmp, rows = runs
    jsonl = {r["id"]: r for _, r in iter_records(tmp / "jsonl", ("kept", "dropped"))}
    parquet = {r["id"]: r for _, r in iter_records(tmp / "parquet", ("kept", "dropped"))}
    assert parquet.keys() == jsonl.keys()
    for i, r in parquet.items():
        assert r == jsonl[i], i  # tags, extra (JSON text in the file) and flag (two kinds) come back as given
    for f in sorted((tmp / "parquet" / "kept").glob("*.parquet")):
        for row in pq.read_table(f).to_pylist():  # a plain pyarrow row too
            assert restore(row) == rows[row["id"]]["text"]


def test_a_rerun_of_a_finished_parquet_run_changes_nothing(runs):
    tmp, _ = runs
    folder = tmp / "in"
    before = {f: f.read_bytes() for f in sorted((tmp / "parquet").rglob("*.parquet"))}
    assert main(["clean", str(folder), "-o", str(tmp / "parquet"), "--format", "parquet", "--workers", "1", "-q"]) == 0
    assert {f: f.read_bytes() for f in sorted((tmp / "parquet").rglob("*.parquet"))} == before


def test_malgeum_reads_its_own_parquet_output_as_input(runs, tmp_path):
    tmp, rows = runs
    assert main(["dedup", str(tmp / "parquet" / "kept"), "-o", str(tmp_path / "d"), "-q"]) == 0
    for _, r in iter_records(tmp_path / "d", ("kept",)):
        assert restore(r) == rows[r["id"]]["text"]  # the clean's edits came through, the JSON fields decoded
        key = "tags" if r["id"].startswith("a") else "extra"
        assert r["meta"][key] == rows[r["id"]][key]
