"""Benchmark decontamination: items found however they were copied, clean text left alone, the index reused.

Every item and document here is text we wrote for these tests.
"""

from __future__ import annotations

import gzip

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from malgeum import restore
from malgeum.cli import main
from malgeum.decont import BenchmarkError, build
from malgeum.document import Document
from malgeum.explain import iter_records
from malgeum.steps.decont import Decontaminate

KO_ITEM = {
    "id": "ko-7",
    "question": "다음 중 가람도의 시계탑이 세워질 때 박도윤이 한 일로 옳은 것은?",
    "choices": ["주민 삼백 명과 함께 다리를 고쳤다", "소금 값을 세 배로 올렸다", "겨울마다 폭설을 막을 둑을 쌓았다"],
}
EN_ITEM = {
    "id": "en-3",
    "passage": "In 1851 the town of Fernhollow opened its first seed bank. Ada Lindqvist gathered ninety volunteers "
    "and repaired the roof of the old mill before the winter came.",
    "question": "What does the passage say Ada did before the winter?",
    "choices": ["She repaired the roof of the mill", "She sold the seed bank", "She left Fernhollow", "Nothing"],
}
SHORT = {"id": "tiny", "question": "Capital?", "choices": ["Paris"]}
NEWS_KO = "기상청은 내일 전국에 비가 온다고 밝혔다.\n시민들은 우산을 챙겨 출근길에 나섰다."
NEWS_EN = "The council met on Tuesday to discuss the budget.\nResidents asked for more buses on weekends."
KO_TEXT = KO_ITEM["question"] + "\n" + "\n".join(f"{n}. {c}" for n, c in enumerate(KO_ITEM["choices"], 1))
EN_TEXT = "\n".join([EN_ITEM["passage"], EN_ITEM["question"], *(f"{c}." for c in EN_ITEM["choices"])])


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("decont")
    bench = folder / "quiz.jsonl"
    bench.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in (KO_ITEM, EN_ITEM, SHORT)))
    meta = build([str(bench)], folder / "index")
    return folder / "index", meta


def _cut(index, text: str, **kw) -> Document:
    doc = Document("d", text)
    Decontaminate(str(index[0]), **kw).process(doc)
    return doc


def _rules(doc: Document) -> list[tuple[str, str]]:
    return [(e.rule, e.reason) for e in doc.edits]


def test_short_items_are_skipped_and_counted(index):
    quiz = index[1]["benchmarks"]["quiz"]
    assert (quiz["items"], quiz["indexed"], quiz["too_short"]) == (3, 2, 1)


def test_a_whole_korean_item_is_cut_with_its_id_and_the_news_stays(index):
    doc = _cut(index, f"{NEWS_KO}\n{KO_TEXT}\n끝.")
    assert [r for r, _ in _rules(doc)] == ["decont.quiz"]
    assert doc.edits[0].reason.startswith("quiz item ko-7: ")
    assert doc.text == f"{NEWS_KO}\n끝."


def test_a_respaced_and_rewrapped_korean_item_is_cut(index):
    flat = KO_TEXT.replace(" ", "")
    rewrapped = "\n".join(flat[i : i + 9] for i in range(0, len(flat), 9))
    respaced = "다음 중가람 도의 시계 탑이세워질때 박도 윤이 한일로 옳은것은?\n" + "\n".join(KO_ITEM["choices"])
    for copy in (rewrapped, respaced):
        doc = _cut(index, f"{NEWS_KO}\n{copy}")
        assert [r for r, _ in _rules(doc)] == ["decont.quiz"], copy
        assert doc.text.rstrip("\n") == NEWS_KO


def test_an_english_item_rewrapped_into_short_lines_is_cut(index):
    words = " ".join(EN_TEXT.split()).split(" ")
    rewrapped = "\n".join(" ".join(words[i : i + 4]) for i in range(0, len(words), 4))
    doc = _cut(index, f"{NEWS_EN}\n{rewrapped}")
    assert [e.reason.split(":")[0] for e in doc.edits] == ["quiz item en-3"]
    assert doc.text.rstrip("\n") == NEWS_EN


def test_a_few_changed_characters_do_not_hide_an_item(index):
    edited = EN_TEXT.replace("Fernhollow", "Fernhallow").replace("ninety", "nintey").replace("winter", "wintre")
    doc = _cut(index, f"{NEWS_EN}\n{edited}")
    assert [r for r, _ in _rules(doc)] == ["decont.quiz"]
    ko = KO_TEXT.replace("시계탑", "시게탑").replace("폭설", "폭섣")
    assert [r for r, _ in _rules(_cut(index, f"{NEWS_KO}\n{ko}"))] == ["decont.quiz"]


def test_pieces_of_an_item_between_news_lines_are_each_cut_and_the_line_between_stays(index):
    passage, rest = EN_ITEM["passage"], "\n".join([EN_ITEM["question"], *EN_ITEM["choices"]])
    text = f"{passage}\nThe mayor declined to comment.\n{rest}\n{NEWS_EN}"
    doc = _cut(index, text)
    assert len(doc.edits) == 2
    assert doc.text.startswith("The mayor declined to comment.\n") and doc.text.endswith(NEWS_EN)


def test_clean_text_and_text_sharing_a_few_words_are_untouched(index):
    near = "Ada Lindqvist opened a bakery in town.\n가람도의 시계탑은 오래되었다."
    for text in (NEWS_KO, NEWS_EN, near, ""):
        assert _cut(index, text).edits == []


def test_drop_mode_drops_the_document_naming_the_item(index):
    doc = _cut(index, f"{NEWS_KO}\n{KO_TEXT}", mode="drop")
    assert doc.dropped is not None and doc.dropped[1] == "decont.quiz" and "ko-7" in doc.dropped[2]
    assert doc.edits == []


def test_a_digest_that_is_not_the_index_is_refused(index):
    with pytest.raises(ValueError, match="not the one this recipe names"):
        Decontaminate(str(index[0]), digest="0" * 32)
    Decontaminate(str(index[0]), digest=index[1]["digest"])


def test_bad_benchmark_files_say_what_is_wrong(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "fine"}\nnot json\n')
    with pytest.raises(BenchmarkError, match="line 2: not JSON"):
        build([str(bad)], tmp_path / "i")
    other = tmp_path / "other.jsonl"
    other.write_text('{"prompt": "what is it", "label": 1}\n')
    with pytest.raises(BenchmarkError, match=r"no record has any of the fields question, passage, choices.*prompt"):
        build([str(other)], tmp_path / "i")
    with pytest.raises(BenchmarkError, match="no such file"):
        build([str(tmp_path / "missing.jsonl")], tmp_path / "i")
    assert main(["decont-index", "--benchmark", str(other), "-o", str(tmp_path / "i")]) == 2


def test_parquet_benchmarks_named_fields_and_names(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(
        pa.Table.from_pylist([{"ctx": {"text": EN_ITEM["passage"]}, "q": EN_ITEM["question"]}]), tmp_path / "b.parquet"
    )
    meta = build(["reading=%s" % (tmp_path / "b.parquet")], tmp_path / "i", fields=("ctx.text", "q"))
    assert meta["benchmarks"]["reading"]["indexed"] == 1
    doc = Document("d", EN_ITEM["passage"])
    Decontaminate(str(tmp_path / "i")).process(doc)
    assert doc.edits[0].rule == "decont.reading" and "b.parquet:1" in doc.edits[0].reason


def _write_inputs(tmp_path):
    docs = tmp_path / "docs.jsonl.gz"
    rows = [{"id": "hit", "text": f"{NEWS_KO}\n{KO_TEXT}"}, {"id": "clean", "text": NEWS_EN}]
    docs.write_bytes(gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in rows)))
    bench = tmp_path / "quiz.jsonl"
    bench.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in (KO_ITEM, EN_ITEM, SHORT)))
    return docs, bench


def _kept(out):
    return {r["id"]: r for _, r in iter_records(out, ("kept",))}


def test_cli_end_to_end_resumes_counts_per_benchmark_and_reuses_an_index(tmp_path, capsys):
    docs, bench = _write_inputs(tmp_path)
    out = tmp_path / "out"
    args = ["decont", str(docs), "-o", str(out), "--benchmark", f"mine={bench}", "-q", "--workers", "1"]
    assert main(args) == 0
    kept = _kept(out)
    assert kept["hit"]["text"] == NEWS_KO and kept["clean"]["text"] == NEWS_EN
    assert restore(kept["hit"]) == f"{NEWS_KO}\n{KO_TEXT}"
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert stats["steps"][0]["rules"]["decont.mine"]["docs"] == 1
    assert main(args) == 0  # the same run again: resumed, nothing to do, the same index
    assert "documents with benchmark text: mine 1" in capsys.readouterr().err
    assert main(["report", str(out)]) == 0
    assert "decont.mine" in (out / "report.html").read_text()

    # an index built once, used by another run in drop mode
    index = tmp_path / "index"
    assert main(["decont-index", "--benchmark", f"mine={bench}", "-o", str(index)]) == 0
    out2 = tmp_path / "out2"
    assert main(["decont", str(docs), "-o", str(out2), "--index", str(index), "--mode", "drop", "-q"]) == 0
    dropped = [r for _, r in iter_records(out2, ("dropped",))]
    assert [r["id"] for r in dropped] == ["hit"]
    assert dropped[0]["meta"]["malgeum"]["dropped"]["rule"] == "decont.mine"
    # rebuilt from other benchmarks, the index no longer matches the first run's: refused, not mixed
    bench.write_bytes(orjson.dumps(EN_ITEM) + b"\n")
    assert main(args) == 2
    assert "another index" in capsys.readouterr().err


def test_cli_needs_a_benchmark_or_an_index(tmp_path, capsys):
    docs, _ = _write_inputs(tmp_path)
    assert main(["decont", str(docs), "-o", str(tmp_path / "o")]) == 2
    assert "--benchmark FILE" in capsys.readouterr().err


PIECES = [NEWS_KO, NEWS_EN, KO_TEXT, EN_TEXT, EN_ITEM["passage"], "\n", "  ", "…", "ß", "①", "e\u0301", "\u00a0"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    parts=st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=8),
    mode=st.sampled_from(["cut", "drop"]),
)
def test_output_plus_edits_rebuild_the_input(index, parts, mode):
    text = "".join(parts)
    doc = _cut(index, text, mode=mode)
    assert restore(orjson.loads(orjson.dumps(doc.to_record()))) == text
    for e in doc.edits:
        assert text[e.start : e.end] == e.removed  # one step: offsets are into the input
