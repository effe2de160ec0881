"""`malgeum tokenize`: Megatron-LM shards read back by a reader written here from the format (and by Megatron's
own where it is installed), detokenized to the kept text; the sidecar's ranges; the end-of-document token;
shuffling; determinism; resume after a stop; refusals."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import orjson
import pyarrow.parquet as pq
import pytest

from malgeum import tokenize
from malgeum.cli import main
from malgeum.explain import iter_records
from malgeum.identity import Refused

tokenizers = pytest.importorskip("tokenizers")

TEXTS = [
    "서울 시내 도서관이 주말에도 문을 엽니다. 시민들은 반가워했습니다.",
    "The library downtown opens on weekends now. Readers were pleased.",
    "부산의 바다는 오늘도 푸릅니다.\n\n해변에는 산책하는 사람들이 많았습니다.",
    "A post that quotes the token <|endoftext|> in its text stays one document.",
    "이모지도 그대로 남습니다 🙂 그리고 탭\t문자도요.",
    "Numbers 12,345 and symbols #@! survive a byte-level round trip.",
]


def _tokenizer(path: Path, vocab: int = 500, special: tuple[str, ...] = ("<|endoftext|>",)) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab, special_tokens=list(special), initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(TEXTS * 3, trainer)
    tok.save(str(path))
    return path


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("tok")
    rows = []
    for i in range(30):
        text = TEXTS[i % len(TEXTS)] + f" ({i}번)"
        row = {"id": f"doc-{i:02d}", "text": text, "url": f"https://www.site{i % 3}.example/{i}"}
        if i % 5 == 0:
            row["source"] = "crawl-A"
        rows.append(row)
    src = tmp / "in.jsonl"
    src.write_text("\n".join(orjson.dumps(r).decode() for r in rows) + "\n", encoding="utf-8")
    recipe = tmp / "recipe.yaml"
    recipe.write_text("steps:\n  - lid\n  - min_length\n", encoding="utf-8")
    out = tmp / "out"
    assert main(["clean", str(src), "-o", str(out), "--recipe", str(recipe), "--workers", "1", "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def tok_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tokenizer(tmp_path_factory.mktemp("tokenizer") / "tokenizer.json")


def read_idx(path: Path) -> tuple[np.dtype, np.ndarray, np.ndarray, np.ndarray]:
    """Megatron's MMIDIDX index from its description: header, version, dtype code, counts, then the arrays."""
    data = path.read_bytes()
    assert data[:9] == b"MMIDIDX\x00\x00"
    (version,) = struct.unpack_from("<Q", data, 9)
    (code,) = struct.unpack_from("<B", data, 17)
    n, docs = struct.unpack_from("<QQ", data, 18)
    assert version == 1
    dtype = np.dtype({8: np.uint16, 4: np.int32}[code])
    at = 34
    sizes = np.frombuffer(data, np.int32, n, at)
    pointers = np.frombuffer(data, np.int64, n, at + 4 * n)
    doc_idx = np.frombuffer(data, np.int64, docs, at + 12 * n)
    assert len(data) == at + 12 * n + 8 * docs  # nothing else in the file
    return dtype, sizes, pointers, doc_idx


def read_shards(tokens: Path) -> list[tuple[str, np.ndarray, dict]]:
    """(id, token ids with the end-of-document token, sidecar row) of every document, shard by shard."""
    found = []
    for idx in sorted(tokens.glob("shard-*.idx")):
        dtype, sizes, pointers, doc_idx = read_idx(idx)
        flat = np.fromfile(idx.with_suffix(".bin"), dtype=dtype)
        assert flat.nbytes == int(sizes.sum()) * dtype.itemsize
        assert list(doc_idx) == list(range(len(sizes) + 1))
        side = pq.read_table(idx.with_suffix(".docs.parquet")).to_pylist()
        assert len(side) == len(sizes)
        for i, row in enumerate(side):
            start = int(pointers[i]) // dtype.itemsize
            assert (row["token_start"], row["token_count"]) == (start, int(sizes[i]))
            found.append((row["id"], flat[start : start + int(sizes[i])], row))
    return found


def _kept(out: Path) -> dict[str, str]:
    return {str(r["id"]): r["text"] for _, r in iter_records(out, ("kept",))}


def _bytes(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.glob("shard-*"))}


def test_shards_detokenize_to_the_kept_text(run_out: Path, tok_file: Path, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    stats = tokenize.run(run_out, tokens, tok_file, shard_tokens=200, progress=False)
    tok = tokenizers.Tokenizer.from_file(str(tok_file))
    eod = tok.token_to_id("<|endoftext|>")
    kept = _kept(run_out)
    docs = read_shards(tokens)
    assert [d for d, _, _ in docs] == list(kept)  # every kept document once, in the order the run holds them
    for doc_id, ids, _ in docs:
        assert ids.dtype == np.uint16 and ids[-1] == eod and eod not in ids[:-1]
        assert tok.decode(ids[:-1].tolist(), skip_special_tokens=False) == kept[doc_id]
    assert len(stats["shards"]) > 1 and sum(s["documents"] for s in stats["shards"]) == len(kept)
    for s in stats["shards"]:
        _, sizes, _, _ = read_idx(tokens / f"{s['name']}.idx")
        assert int(sizes.sum()) == s["tokens"] and (s["tokens"] <= 200 or len(sizes) == 1)
    assert not (tokens / ".work").exists()


def test_stats_count_tokens_by_language_and_source(run_out: Path, tok_file: Path, tmp_path: Path) -> None:
    stats = tokenize.run(run_out, tmp_path / "t", tok_file, progress=False)
    langs, sources = stats["by_language"], stats["by_source"]
    assert {"ko", "en"} <= set(langs)
    assert sum(g["documents"] for g in langs.values()) == stats["documents"] == 30
    assert sum(g["tokens"] for g in langs.values()) + stats["documents"] == stats["tokens"]  # + one end each
    assert stats["korean_tokens_per_char"] == langs["ko"]["tokens_per_char"] > 0
    assert sources["crawl-A"]["documents"] == 6  # the input's source field, else the URL's host
    assert {"site0.example", "site1.example", "site2.example"} <= set(sources)
    assert orjson.loads((tmp_path / "t" / "stats.json").read_bytes()) == stats


def test_the_same_input_gives_the_same_bytes_and_a_seed_shuffles(run_out: Path, tok_file: Path, tmp_path: Path) -> None:
    for name, seed in (("a", None), ("b", None), ("s1", 7), ("s2", 7), ("s3", 8)):
        tokenize.run(run_out, tmp_path / name, tok_file, shard_tokens=300, shuffle_seed=seed, progress=False)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "s1") == _bytes(tmp_path / "s2")
    plain = [d for d, _, _ in read_shards(tmp_path / "a")]
    shuffled = [d for d, _, _ in read_shards(tmp_path / "s1")]
    other = [d for d, _, _ in read_shards(tmp_path / "s3")]
    assert sorted(shuffled) == sorted(plain) and shuffled != plain and other != shuffled
    kept = _kept(run_out)
    tok = tokenizers.Tokenizer.from_file(str(tok_file))
    for doc_id, ids, _ in read_shards(tmp_path / "s1"):
        assert tok.decode(ids[:-1].tolist(), skip_special_tokens=False) == kept[doc_id]


def test_a_stopped_run_resumes_without_redoing_finished_work(
    run_out: Path, tok_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tmp_path / "whole"
    tokenize.run(run_out, whole, tok_file, shard_tokens=200, unit_docs=7, progress=False)
    tokens = tmp_path / "tokens"
    real = tokenize.atomic_write_bytes
    calls = {"idx": 0}

    def stop_at_second_shard(path: Path, data: bytes) -> None:
        if path.suffix == ".idx":
            calls["idx"] += 1
            if calls["idx"] == 2:
                raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(tokenize, "atomic_write_bytes", stop_at_second_shard)
    with pytest.raises(KeyboardInterrupt):
        tokenize.run(run_out, tokens, tok_file, shard_tokens=200, unit_docs=7, progress=False)
    monkeypatch.setattr(tokenize, "atomic_write_bytes", real)
    assert (tokens / "shard-00000.idx").exists() and not (tokens / "shard-00001.idx").exists()
    assert not list(tokens.glob(".*.tmp"))
    units = {f.name: f.stat().st_mtime_ns for f in (tokens / ".work").iterdir()}
    first = (tokens / "shard-00000.bin").stat().st_mtime_ns
    written: list[int] = []
    monkeypatch.setattr(tokenize, "_write_unit", lambda work, k, tok, records: written.append(k))
    tokenize.run(run_out, tokens, tok_file, shard_tokens=200, unit_docs=7, progress=False)
    assert written == [] and len(units) == 2 * 5  # 30 documents in units of 7: five, none tokenized again
    assert (tokens / "shard-00000.bin").stat().st_mtime_ns == first
    assert _bytes(tokens) == _bytes(whole)
    # a finished run run again: nothing to do
    stats = tokenize.run(run_out, tokens, tok_file, shard_tokens=200, unit_docs=7, progress=False)
    assert stats == orjson.loads((whole / "stats.json").read_bytes())


def test_other_options_or_input_are_refused_unless_overwrite(run_out: Path, tok_file: Path, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokenize.run(run_out, tokens, tok_file, shard_tokens=200, progress=False)
    with pytest.raises(Refused, match="another shard_tokens: 200 then, 300 now"):
        tokenize.run(run_out, tokens, tok_file, shard_tokens=300, progress=False)
    other = _tokenizer(tmp_path / "other.json", vocab=450)
    with pytest.raises(Refused, match="another tokenizer"):
        tokenize.run(run_out, tokens, other, shard_tokens=200, progress=False)
    tokenize.run(run_out, tokens, tok_file, shard_tokens=300, overwrite=True, progress=False)
    assert _bytes(tokens) == _bytes(_run(run_out, tok_file, tmp_path / "fresh", 300))


def _run(out: Path, tok: Path, tokens: Path, shard_tokens: int) -> Path:
    tokenize.run(out, tokens, tok, shard_tokens=shard_tokens, progress=False)
    return tokens


def test_a_tokenizer_is_a_local_file_never_a_name(run_out: Path, tok_file: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="never downloads"):
        tokenize.run(run_out, tmp_path / "t", "gpt2", progress=False)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tokenize.run(run_out, tmp_path / "t", tok_file, eod_token="<eos>", progress=False)
    bare = _tokenizer(tmp_path / "bare.json", special=())
    with pytest.raises(ValueError, match="name it with --eod-token"):
        tokenize.load_tokenizer(bare)
    (tmp_path / "tokenizer_config.json").write_bytes(orjson.dumps({"eos_token": {"content": "</s>"}}))
    _tokenizer(tmp_path / "tokenizer.json", special=("<s>", "</s>"))
    assert tokenize.load_tokenizer(tmp_path).eod_token == "</s>"  # a folder: its tokenizer.json and config


def test_vocabularies_of_65500_ids_or_more_are_int32() -> None:
    sizes = np.array([3, 1, 4], dtype=np.int32)
    dtype, read_sizes, pointers, doc_idx = read_idx_bytes(tokenize.index_bytes(sizes, np.dtype(np.int32)))
    assert dtype == np.int32 and list(read_sizes) == [3, 1, 4] and list(pointers) == [0, 12, 16]
    assert list(doc_idx) == [0, 1, 2, 3]


def read_idx_bytes(data: bytes) -> tuple[np.dtype, np.ndarray, np.ndarray, np.ndarray]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.idx"
        p.write_bytes(data)
        return read_idx(p)


def test_the_command_line(run_out: Path, tok_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["tokenize", str(run_out), "-o", str(tmp_path / "t"), "--tokenizer", str(tok_file), "-q"])
    assert code == 0
    assert "30 documents" in capsys.readouterr().err
    assert main(["tokenize", str(run_out), "-o", str(tmp_path / "t"), "--tokenizer", "org/model-name"]) == 2


def test_the_report_shows_the_token_counts(run_out: Path, tok_file: Path, tmp_path: Path) -> None:
    tokens = tmp_path / "t"
    stats = tokenize.run(run_out, tokens, tok_file, progress=False)
    (tokens / "stats.json").write_bytes(  # a source named by crawled data is escaped like everything else
        orjson.dumps({**stats, "by_source": {"<script>x</script>": {"tokens": 5}, **stats["by_source"]}})
    )
    page = tmp_path / "report.html"
    assert main(["report", str(run_out), "-o", str(page), "--tokens", str(tokens)]) == 0
    html = page.read_text(encoding="utf-8")
    assert f"{stats['tokens']:,} tokens of 30 documents" in html
    assert f"Korean: {stats['korean_tokens_per_char']} tokens per character" in html
    assert "crawl-A" in html and "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert main(["report", str(run_out), "-o", str(page), "--tokens", str(tmp_path / "none")]) == 2


def test_megatrons_own_reader_reads_the_shards(run_out: Path, tok_file: Path, tmp_path: Path) -> None:
    indexed = pytest.importorskip("megatron.core.datasets.indexed_dataset")  # needs torch: not in the dev extras
    tokens = tmp_path / "t"
    tokenize.run(run_out, tokens, tok_file, shard_tokens=200, progress=False)
    ours = read_shards(tokens)
    theirs = []
    for idx in sorted(tokens.glob("shard-*.idx")):
        ds = indexed.IndexedDataset(str(idx.with_suffix("")))
        assert list(ds.document_indices) == list(range(len(ds) + 1))
        theirs += [np.array(ds[i]) for i in range(len(ds))]  # copies: the reader unmaps its file when it goes
    assert len(theirs) == len(ours)
    assert all(np.array_equal(a, ids) for a, (_, ids, _) in zip(theirs, ours, strict=True))
