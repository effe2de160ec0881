"""malgeum dedup: exact and near duplicates with the kept id, corpus-frequent lines, the on-disk index."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import orjson
import pytest

from malgeum import restore
from malgeum.cli import main
from malgeum.dedup import DedupSettings, run
from malgeum.dedup.index import Spill, UnionFind, group_edges
from malgeum.explain import iter_records

STORIES = [
    "서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 25일 밝혔다. 새 노선은 자정부터 오전 5시까지 "
    "30분 간격으로 운행되며, 첫 버스는 3월에 서울역에서 출발할 예정이다.",
    "기상청은 이번 주말 중부지방에 최대 20cm의 눈이 내릴 것으로 예보했다. 출근길 교통 혼잡이 예상되니 대중교통을 "
    "이용해 달라고 당부했다.",
    "한국은행은 기준금리를 연 3.5%로 동결했다. 물가 상승세가 둔화하고 있지만 가계부채 증가세가 여전히 크다는 판단이다.",
    "부산 해운대구는 겨울 바다 축제를 다음 달 열기로 했다. 축제 기간에는 해변 산책로에 조명 터널이 설치된다.",
    "교육부는 내년 초등학교 늘봄학교를 전국으로 확대한다고 발표했다. 방과 후 돌봄 시간이 오후 8시까지 늘어난다.",
    "농촌진흥청은 올해 쌀 생산량이 지난해보다 3% 줄었다고 밝혔다. 여름철 잦은 비와 일조량 부족이 원인으로 꼽혔다.",
]
FOOTER = "ⓒ 맑음일보 무단전재 및 재배포 금지 | 구독하기 | 제보는 카카오톡 맑음일보"


def write(path: Path, rows: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def records(out: Path) -> dict[str, tuple[str, dict]]:
    return {r["id"]: (sub, r) for sub, r in iter_records(out)}


def test_exact_and_near_duplicates_point_at_the_kept_document(tmp_path):
    edited = STORIES[0].replace("25일 밝혔다", "26일 발표했다").replace("첫 버스는", "첫차는")
    rows = [
        {"id": "a", "text": STORIES[0]},
        {"id": "b", "text": STORIES[1]},
        {"id": "a-copy", "text": "  " + STORIES[0].replace(" ", "  ") + "\n"},  # white space differs only
        {"id": "a-edit", "text": edited},
        {"id": "c", "text": STORIES[2]},
    ]
    out = tmp_path / "out"
    stats = run([str(write(tmp_path / "in.jsonl", rows))], out)
    got = records(out)
    assert {k for k, (sub, _) in got.items() if sub == "kept"} == {"a", "b", "c"}
    copy = got["a-copy"][1]["meta"]["malgeum"]
    assert copy["dropped"] == {"step": "dedup", "rule": "dedup.exact", "reason": "the same text as a"}
    near = got["a-edit"][1]["meta"]["malgeum"]["dropped"]
    assert near["rule"] == "dedup.near" and near["reason"].startswith("a near duplicate of a (estimated Jaccard 0.")
    assert got["a"][1]["meta"]["malgeum"]["scores"]["dedup"] == {"cluster": "a", "size": 3}
    assert got["b"][1]["meta"]["malgeum"]["scores"]["dedup"] == {"cluster": "b", "size": 1}
    assert stats["balanced"] and stats["kept"] == 3 and stats["dropped"] == 2


def test_keep_longest(tmp_path):
    rows = [{"id": "short", "text": STORIES[3]}, {"id": "long", "text": STORIES[3] + " 입장료는 무료다."}]
    out = tmp_path / "out"
    run([str(write(tmp_path / "in.jsonl", rows))], out, DedupSettings(keep="longest"))
    got = records(out)
    assert got["long"][0] == "kept" and got["short"][0] == "dropped"
    assert got["short"][1]["meta"]["malgeum"]["dropped"]["reason"].startswith("a near duplicate of long")


def test_corpus_frequent_lines_are_cut_once_counted_per_cluster(tmp_path):
    rows = [{"id": f"s{i}", "text": f"{s}\n{FOOTER}"} for i, s in enumerate(STORIES)]
    # the same story re-crawled ten times must not make its own lines "frequent"
    rows += [{"id": f"r{i}", "text": f"{STORIES[0]}\n{FOOTER}"} for i in range(10)]
    src = write(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out"
    stats = run([str(src)], out, DedupSettings(line_min_docs=5))
    got = records(out)
    kept = [r for sub, r in got.values() if sub == "kept"]
    assert len(kept) == len(STORIES)
    for r in kept:
        assert FOOTER not in r["text"] and STORIES[int(r["id"][1:])] in r["text"]
        (edit,) = r["meta"]["malgeum"]["edits"]
        assert edit["rule"] == "dedup.frequent_line" and edit["reason"] == "a line found in 6 clusters of the corpus"
        assert restore(r) == f"{STORIES[int(r['id'][1:])]}\n{FOOTER}"
    assert stats["frequent_lines"] == 1
    # at 7 clusters the footer is no longer frequent enough
    out2 = tmp_path / "out2"
    assert run([str(src)], out2, DedupSettings(line_min_docs=7))["frequent_lines"] == 0


def test_clean_then_dedup_keeps_the_way_back_to_the_raw_input(tmp_path):
    raw = [
        {"id": "x", "text": f"(서울=연합뉴스) 홍길동 기자 = {STORIES[4]}\n\nhong@yna.co.kr"},
        {"id": "y", "text": f"[서울=뉴시스] 김철수 기자 = {STORIES[4]}"},
    ]
    src = write(tmp_path / "in.jsonl", raw)
    assert main(["clean", str(src), "-o", str(tmp_path / "clean"), "-q"]) == 0
    assert main(["dedup", str(tmp_path / "clean" / "kept"), "-o", str(tmp_path / "dd")]) == 0
    got = records(tmp_path / "dd")
    assert got["x"][0] == "kept" and got["y"][1]["meta"]["malgeum"]["dropped"]["rule"] == "dedup.exact"
    assert restore(got["x"][1]) == raw[0]["text"] and restore(got["y"][1]) == raw[1]["text"]


def test_bad_records_are_quarantined_and_counts_balance(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(orjson.dumps({"id": "a", "text": STORIES[0]}) + b"\n{not json\n" + orjson.dumps({"id": 2}) + b"\n")
    stats = run([str(src)], tmp_path / "out")
    assert (stats["input_records"], stats["kept"], stats["quarantined"]) == (3, 1, 2) and stats["balanced"]


def test_spill_partitions_and_union_find(tmp_path):
    spill = Spill(tmp_path / "s", partitions=3)
    spill.add(np.array([7, 5, 7, 9, 5, 7], dtype=np.uint64), np.array([0, 1, 2, 3, 4, 5]))
    spill.close()
    edges = set()
    for docs, keys, starts in spill.groups():
        a, b = group_edges(docs, keys, starts)
        edges |= set(zip(a.tolist(), b.tolist(), strict=True))
    assert edges == {(0, 2), (0, 5), (1, 4)}
    uf = UnionFind(tmp_path / "p.npy", 6)
    assert uf.union_all(np.array([2, 5, 4]), np.array([0, 0, 1])) == 3
    assert uf.roots(tmp_path / "r.npy", 6).tolist() == [0, 1, 0, 3, 1, 0]


@pytest.mark.acceptance
def test_every_byte_identical_recrawl_collapses(shared, tmp_path):
    src = shared / "data" / "naver_news_raw" / "naver_news_dev.jsonl.gz"
    run([str(src)], tmp_path / "out", DedupSettings(near=False, lines=False))
    cluster = {r["id"]: r["meta"]["malgeum"]["scores"]["dedup"]["cluster"] for _, r in iter_records(tmp_path / "out")}
    groups: dict[str, list[str]] = {}
    for line in gzip.open(src):
        r = orjson.loads(line)
        groups.setdefault(hashlib.sha1(r["text"].encode()).hexdigest(), []).append(r["id"])
    copies = [ids for ids in groups.values() if len(ids) > 1]
    assert sum(len(ids) - 1 for ids in copies) >= 600
    assert all(len({cluster[i] for i in ids}) == 1 for ids in copies)


@pytest.mark.slow
@pytest.mark.acceptance
def test_near_duplicate_f1_on_labelled_korean_pairs(shared, tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import dedup_quality

    pairs = [orjson.loads(x) for x in gzip.open(dedup_quality.DATA / "nd_pairs.jsonl.gz")]
    pairs = [p for p in pairs if p["label"] is not None]
    rows = dedup_quality.score(dedup_quality.clusters(DedupSettings(), tmp_path), pairs)
    assert rows["all"]["f1"] >= 0.95 and rows["all"]["p"] >= 0.99


def test_a_growing_corpus_is_deduplicated_against_the_earlier_index(tmp_path):
    first = write(tmp_path / "a.jsonl", [{"id": f"a{i}", "text": s} for i, s in enumerate(STORIES[:3])])
    run([str(first)], tmp_path / "one")
    second = write(
        tmp_path / "b.jsonl",
        [
            {"id": "b0", "text": STORIES[1] + " "},  # an earlier document again
            {"id": "b1", "text": STORIES[4]},
            {"id": "b2", "text": STORIES[4].replace("발표했다", "밝혔다")},  # a near copy of a new one
        ],
    )
    assert main(["dedup", str(second), "-o", str(tmp_path / "two"), "--against", str(tmp_path / "one" / "index")]) == 0
    got = records(tmp_path / "two")
    assert set(got) == {"b0", "b1", "b2"}  # earlier documents are not written again
    assert got["b0"][1]["meta"]["malgeum"]["dropped"]["reason"] == "the same text as a1"
    assert got["b1"][0] == "kept" and got["b2"][1]["meta"]["malgeum"]["dropped"]["rule"] == "dedup.near"
    # and the index grows again
    third = write(tmp_path / "c.jsonl", [{"id": "c0", "text": STORIES[4]}, {"id": "c1", "text": STORIES[5]}])
    stats = run([str(third)], tmp_path / "three", against=tmp_path / "two" / "index")
    got = records(tmp_path / "three")
    assert got["c0"][1]["meta"]["malgeum"]["dropped"]["reason"] == "the same text as b1"
    assert got["c1"][0] == "kept" and stats["documents_indexed"] == 8 and stats["documents_earlier"] == 6
    with pytest.raises(ValueError, match="other settings"):
        run([str(third)], tmp_path / "four", DedupSettings(ngram=4), against=tmp_path / "two" / "index")


def test_a_recipe_ending_in_dedup_runs_both_stages_with_one_account(tmp_path):
    rows = [{"id": f"s{i}", "text": f"(서울=연합뉴스) 홍길동 기자 = {s}"} for i, s in enumerate(STORIES)]
    rows += [{"id": "copy", "text": f"[서울=뉴시스] 김철수 기자 = {STORIES[2]}"}, {"id": "tiny", "text": "짧다"}]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows) + b"{broken\n")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("steps:\n  - boilerplate\n  - min_length: {min_chars: 20}\n  - dedup: {threshold: 0.6}\n")
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--recipe", str(recipe)]) == 0
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert (stats["input_records"], stats["kept"], stats["dropped"], stats["quarantined"]) == (9, 6, 2, 1)
    assert stats["balanced"] and stats["drop_reasons"] == {"dedup.exact": 1, "length.too_short": 1}
    assert [s["name"] for s in stats["steps"]] == ["boilerplate", "min_length", "dedup"]
    got = records(out)
    assert got["copy"][1]["meta"]["malgeum"]["dropped"]["reason"] == "the same text as s2"
    assert got["tiny"][1]["meta"]["malgeum"]["dropped"]["rule"] == "length.too_short"
    assert restore(got["copy"][1]) == rows[-2]["text"]
    # a second run resumes the first stage and gives the same output
    before = {k: v[1] for k, v in got.items()}
    assert main(["clean", str(src), "-o", str(out), "-q", "--recipe", str(recipe)]) == 0
    assert {k: v[1] for k, v in records(out).items()} == before
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - dedup\n  - boilerplate\n")
    assert main(["clean", str(src), "-o", str(tmp_path / "o2"), "-q", "--recipe", str(bad)]) == 2


def test_urls_and_a_metadata_field_decide_too(tmp_path):
    rows = [
        {"id": "old", "text": STORIES[0], "url": "https://www.News.example/a/1/", "date": "2021-12-20"},
        {"id": "new", "text": STORIES[0] + " 시는 노선도를 누리집에 올렸다.", "date": "2021-12-21"},
        {"id": "moved", "text": STORIES[5], "url": "http://news.example/a/1#top", "date": "2021-12-22"},
        {"id": "other", "text": STORIES[1], "url": "https://news.example/A/1"},  # paths keep their case
    ]
    src = write(tmp_path / "in.jsonl", rows)
    run([str(src)], tmp_path / "out", DedupSettings(url_field="url", keep="meta:date"))
    got = records(tmp_path / "out")
    assert got["moved"][0] == "kept"  # the latest date of the cluster {old, new, moved}
    assert got["old"][1]["meta"]["malgeum"]["dropped"]["reason"] == "the same URL as moved"
    assert got["new"][1]["meta"]["malgeum"]["dropped"]["rule"] == "dedup.near"
    assert got["other"][0] == "kept"
    with pytest.raises(ValueError, match="meta:<field>"):
        run([str(src)], tmp_path / "o2", DedupSettings(keep="newest"))
