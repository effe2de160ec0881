"""Tokenized training shards of a run's kept documents: `malgeum tokenize OUT -o TOKENS --tokenizer FILE`.

The shards are Megatron-LM's indexed dataset (`MMIDIDX`, read by Megatron-LM and NeMo as `--data-path
TOKENS/shard-00000`): `shard-NNNNN.bin` holds the token ids of its documents one after the other, each ended by
the end-of-document token, as uint16 when the vocabulary has fewer than 65,500 ids (Megatron's own rule) and
int32 otherwise; `shard-NNNNN.idx` indexes them:

    b"MMIDIDX\\x00\\x00"  uint64 version (1)  uint8 dtype code (8 uint16, 4 int32)
    uint64 sequence count (n)  uint64 document count (n + 1)
    int32 sizes[n]  int64 pointers[n] (byte offsets into .bin)  int64 document indices[n + 1] (0, 1, ..., n)

one sequence per document, as Megatron's preprocess_data.py writes them. `shard-NNNNN.docs.parquet` maps each
document (row i is sequence i) to its id, source, language, first token in the shard and token count (its
end-of-document token included).

Two stages, each resumable: the kept records are tokenized in units of `UNIT_DOCS` documents, in the order
`explain.iter_records` reads them, into TOKENS/.work/ (a unit's tokens, then its table: the table is the mark
that the unit is done); then the documents are put in order (the input order, or shuffled by `--shuffle-seed`
with a hash of the seed and the document's position, so the same seed gives the same order on any machine) and
cut into shards of at most `--shard-tokens` tokens, each written under a temporary name and renamed, the .idx
last. A run that stops resumes where it was; its identity (the kept files, the tokenizer's bytes, the options)
is in TOKENS/run.json, and another one is refused unless --overwrite. The same input gives the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash

from malgeum import identity, outlock
from malgeum.explain import iter_records
from malgeum.identity import Refused
from malgeum.scripts import text_script
from malgeum.writers import atomic_write_bytes, atomic_write_table

HEADER = b"MMIDIDX\x00\x00"
DTYPE_CODES = {np.dtype(np.uint16): 8, np.dtype(np.int32): 4}  # Megatron's DType enum
UINT16_VOCAB = 65_500  # Megatron's DType.optimal_dtype: uint16 below this many ids
UNIT_DOCS = 20_000  # documents tokenized per work unit: what a stopped run redoes at most
BATCH = 1_000  # documents per call of the tokenizer (its Rust threads share a batch)
SHARD_TOKENS = 500_000_000  # 1 GB of uint16 per shard
# end-of-document tokens that tokenizers commonly name, tried in this order when --eod-token is not given and no
# tokenizer_config.json beside the file names its eos_token
EOD_NAMES = ("<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "<|eos|>", "[EOS]")
KOREAN = ("ko", "hangul")  # a document's language key (lid's code, else its script) that counts as Korean


@dataclass(frozen=True)
class Tokenizer:
    path: Path
    model: Any  # tokenizers.Tokenizer
    eod_id: int
    eod_token: str
    vocab_size: int
    digest: str  # of the file's bytes: a tokenizer changed in place is another run

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.uint16 if self.vocab_size < UINT16_VOCAB else np.int32)


def load_tokenizer(path: str | Path, eod_token: str | None = None) -> Tokenizer:
    """A local tokenizer.json (or a folder holding one); never a name to download."""
    p = Path(path)
    if p.is_dir():
        p = p / "tokenizer.json"
    if not p.is_file():
        raise ValueError(
            f"--tokenizer {path}: no such file. malgeum reads a local tokenizer.json and never downloads one: "
            "give its path (a model's name on a hub is not a file)"
        )
    try:
        from tokenizers import Tokenizer as HFTokenizer
    except ImportError:
        raise ValueError(
            "malgeum tokenize needs the Hugging Face `tokenizers` package: pip install 'malgeum[tokenize]'"
        ) from None
    data = p.read_bytes()
    try:
        model = HFTokenizer.from_str(data.decode("utf-8"))
    except Exception as e:  # the library raises its own exception type for a file it cannot read
        raise ValueError(f"--tokenizer {p}: not a tokenizer.json the tokenizers library reads ({e})") from e
    name = eod_token or _configured_eos(p) or next((t for t in EOD_NAMES if model.token_to_id(t) is not None), None)
    if name is None:
        raise ValueError(
            f"--tokenizer {p}: no end-of-document token found (tried {', '.join(EOD_NAMES)}); name it with --eod-token"
        )
    eod = model.token_to_id(name)
    if eod is None:
        raise ValueError(f"--eod-token {name!r} is not in the vocabulary of {p}")
    vocab = model.get_vocab_size(with_added_tokens=True)
    # a document that holds the text of a special token ("<|endoftext|>" in a forum post) is tokenized as that
    # text, not as the token: an end of document inside a document would cut it in two for the trainer
    model.encode_special_tokens = True
    return Tokenizer(p, model, eod, name, vocab, xxhash.xxh3_64_hexdigest(data))


def _configured_eos(path: Path) -> str | None:
    """The eos_token of a transformers tokenizer_config.json beside the tokenizer.json, if there is one."""
    config = path.with_name("tokenizer_config.json")
    if not config.is_file():
        return None
    try:
        eos = orjson.loads(config.read_bytes()).get("eos_token")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    if isinstance(eos, dict):
        eos = eos.get("content")
    return eos if isinstance(eos, str) and eos else None


def language_of(record: dict[str, Any]) -> str:
    """The language a lid step recorded, else a `lang` field of the input, else the text's script."""
    meta = record.get("meta") or {}
    scores = (meta.get("malgeum") or {}).get("scores") or {}
    for value in (scores.get("lang"), meta.get("lang"), scores.get("script")):
        if isinstance(value, str) and value:
            return value
    return text_script(record.get("text") or "") or "none"


def source_of(record: dict[str, Any]) -> str:
    """A `source` field of the input, else the host of its `url`, else "-"."""
    meta = record.get("meta") or {}
    source = meta.get("source")
    if isinstance(source, str) and source:
        return source
    url = meta.get("url")
    if isinstance(url, str) and url:
        from malgeum.blocklists import split_url

        parts = split_url(url)
        if parts:
            return parts[0]
    return "-"


def kept_files(out: Path) -> list[str]:
    """The kept part files of a run (what its identity is made of; the records are read by iter_records)."""
    return sorted(str(f) for f in (out / "kept").rglob("part-*") if f.is_file() and not f.name.startswith("."))


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[BinaryIO]:
    """A file written under a temporary name, synced and renamed when the block ends without error."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- stage 1: tokenize the kept records in units ------------------------------------------------------------------
def _unit_paths(work: Path, k: int) -> tuple[Path, Path]:
    return work / f"unit-{k:05d}.bin", work / f"unit-{k:05d}.parquet"


def _unit_done(work: Path, k: int, itemsize: int) -> bool:
    bin_path, table_path = _unit_paths(work, k)
    if not (bin_path.is_file() and table_path.is_file()):
        return False
    counts = pq.read_table(table_path, columns=["token_count"]).column("token_count")
    return bin_path.stat().st_size == int(pc.sum(counts).as_py() or 0) * itemsize


def _write_unit(work: Path, k: int, tok: Tokenizer, records: list[dict[str, Any]]) -> None:
    texts = [r["text"] for r in records]
    encode = getattr(tok.model, "encode_batch_fast", tok.model.encode_batch)  # without offsets where it can
    ids: list[list[int]] = []
    for i in range(0, len(texts), BATCH):
        ids.extend(e.ids for e in encode(texts[i : i + BATCH], add_special_tokens=False))
    counts = np.array([len(x) + 1 for x in ids], dtype=np.int32)  # each with its end-of-document token
    flat = np.empty(int(counts.sum()), dtype=tok.dtype)
    ends = np.cumsum(counts)
    flat[ends - 1] = tok.eod_id
    pos = 0
    for x in ids:
        flat[pos : pos + len(x)] = x
        pos += len(x) + 1
    bin_path, table_path = _unit_paths(work, k)
    with _atomic(bin_path) as f:
        f.write(flat.tobytes())
    table = pa.table(
        {
            "id": pa.array([str(r["id"]) for r in records], pa.string()),
            "source": pa.array([source_of(r) for r in records], pa.string()),
            "lang": pa.array([language_of(r) for r in records], pa.string()),
            "chars": pa.array([len(t) for t in texts], pa.int64()),
            "token_count": pa.array(counts, pa.int32()),
        }
    )
    atomic_write_table(table_path, table)  # the mark that the unit is done


def tokenize_units(out: Path, work: Path, tok: Tokenizer, unit_docs: int = UNIT_DOCS) -> int:
    """Tokenize every kept record of `out` into units under `work`, skipping units already done; the number
    of units."""
    work.mkdir(parents=True, exist_ok=True)
    k, seen, batch = 0, 0, []
    itemsize = tok.dtype.itemsize
    done = _unit_done(work, 0, itemsize)
    for _, record in iter_records(out, ("kept",)):
        seen += 1
        if not done:  # a finished unit's records are read past (parsing is cheap beside tokenizing)
            batch.append(record)
        if seen == unit_docs:
            if not done:
                _write_unit(work, k, tok, batch)
            k, seen, batch = k + 1, 0, []
            done = _unit_done(work, k, itemsize)
    if seen:
        if not done:
            _write_unit(work, k, tok, batch)
        k += 1
    return k


# --- stage 2: order the documents, cut them into shards -----------------------------------------------------------
def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, vectorised: a fixed permutation of 64-bit integers that scrambles well."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def order(n: int, seed: int | None) -> np.ndarray:
    """Document positions in output order: as read, or sorted by a hash of (seed, position)."""
    positions = np.arange(n, dtype=np.int64)
    if seed is None:
        return positions
    with np.errstate(over="ignore"):
        keys = _mix(positions.astype(np.uint64) + _mix(np.array([seed], dtype=np.uint64))[0])
    return np.argsort(keys, kind="stable")


def plan(counts: np.ndarray, shard_tokens: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of the ordered documents, each of at most `shard_tokens` tokens (a longer document
    alone in its shard)."""
    bounds, start, total = [], 0, 0
    for i, c in enumerate(counts.tolist()):
        if total and total + c > shard_tokens:
            bounds.append((start, i))
            start, total = i, 0
        total += c
    if start < len(counts):
        bounds.append((start, len(counts)))
    return bounds


def shard_paths(tokens: Path, s: int) -> tuple[Path, Path, Path]:
    base = tokens / f"shard-{s:05d}"
    return base.with_suffix(".bin"), base.with_suffix(".docs.parquet"), base.with_suffix(".idx")


def _shard_done(tokens: Path, s: int, n_tokens: int, itemsize: int) -> bool:
    bin_path, docs_path, idx_path = shard_paths(tokens, s)
    return (
        idx_path.is_file()
        and docs_path.is_file()
        and bin_path.is_file()
        and bin_path.stat().st_size == n_tokens * itemsize
    )


def index_bytes(sizes: np.ndarray, dtype: np.dtype) -> bytes:
    """A Megatron .idx of one sequence per document."""
    n = len(sizes)
    pointers = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(sizes[:-1].astype(np.int64) * dtype.itemsize, out=pointers[1:])
    return b"".join(
        (
            HEADER,
            struct.pack("<Q", 1),
            struct.pack("<B", DTYPE_CODES[dtype]),
            struct.pack("<Q", n),
            struct.pack("<Q", n + 1),
            sizes.astype(np.int32).tobytes(),
            pointers.tobytes(),
            np.arange(n + 1, dtype=np.int64).tobytes(),
        )
    )


def write_shards(
    tokens: Path, work: Path, n_units: int, tok: Tokenizer, shard_tokens: int, seed: int | None
) -> tuple[list[tuple[str, int, int]], pa.Table | None]:
    """Every shard not written yet; ([(name, documents, tokens)] of all, the documents' table in input order)."""
    tables = [pq.read_table(_unit_paths(work, k)[1]) for k in range(n_units)]
    docs = pa.concat_tables(tables) if tables else None
    counts = docs.column("token_count").to_numpy() if docs is not None else np.zeros(0, np.int32)
    unit_of = np.concatenate([np.full(len(t), k, np.int32) for k, t in enumerate(tables)]) if tables else counts
    # where each document starts in its unit's tokens: the units are concatenated in order
    before = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)[:-1]]).astype(np.int64)
    unit_first = np.concatenate([[0], np.cumsum([len(t) for t in tables])[:-1]]).astype(np.int64)
    starts = before - before[unit_first[unit_of]] if len(counts) else before
    ordered = order(len(counts), seed)
    itemsize = tok.dtype.itemsize
    units = [np.memmap(_unit_paths(work, k)[0], dtype=tok.dtype, mode="r") for k in range(n_units)]
    summary = []
    for s, (a, b) in enumerate(plan(counts[ordered], shard_tokens)):
        picked = ordered[a:b]
        sizes = counts[picked]
        n_tokens = int(sizes.sum(dtype=np.int64))
        summary.append((shard_paths(tokens, s)[0].stem, len(picked), n_tokens))
        if _shard_done(tokens, s, n_tokens, itemsize):
            continue
        bin_path, docs_path, idx_path = shard_paths(tokens, s)
        with _atomic(bin_path) as f:
            run_unit, run_start, run_stop = -1, 0, 0  # documents next to each other in a unit: one write
            for d in picked.tolist():
                u, st = int(unit_of[d]), int(starts[d])
                if u == run_unit and st == run_stop:
                    run_stop = st + int(counts[d])
                    continue
                if run_unit >= 0:
                    f.write(units[run_unit][run_start:run_stop].tobytes())
                run_unit, run_start, run_stop = u, st, st + int(counts[d])
            if run_unit >= 0:
                f.write(units[run_unit][run_start:run_stop].tobytes())
        first = np.zeros(len(sizes), dtype=np.int64)
        if len(sizes):
            np.cumsum(sizes[:-1], dtype=np.int64, out=first[1:])
        rows = docs.take(pa.array(picked)) if docs is not None else None
        sidecar = pa.table(
            {
                "id": rows.column("id"),
                "source": rows.column("source"),
                "lang": rows.column("lang"),
                "token_start": pa.array(first, pa.int64()),
                "token_count": pa.array(sizes, pa.int32()),
            }
        )
        atomic_write_table(docs_path, sidecar)
        atomic_write_bytes(idx_path, index_bytes(sizes, tok.dtype))  # last: the shard is complete
    return summary, docs


def stats_of(docs: pa.Table | None) -> dict[str, Any]:
    """Documents, characters and text tokens (end-of-document tokens aside) by language and by source."""

    def group(key: str) -> dict[str, dict[str, Any]]:
        if docs is None or not len(docs):
            return {}
        t = docs.group_by(key).aggregate([("id", "count"), ("chars", "sum"), ("token_count", "sum")])
        out = {}
        for row in sorted(t.to_pylist(), key=lambda r: (-r["token_count_sum"], r[key])):
            n, chars = row["id_count"], row["chars_sum"]
            text_tokens = row["token_count_sum"] - n
            out[row[key]] = {
                "documents": n,
                "chars": chars,
                "tokens": text_tokens,
                "tokens_per_char": round(text_tokens / chars, 4) if chars else None,
            }
        return out

    by_lang = group("lang")
    korean = [by_lang[k] for k in KOREAN if k in by_lang]
    k_tokens, k_chars = sum(g["tokens"] for g in korean), sum(g["chars"] for g in korean)
    return {
        "by_language": by_lang,
        "by_source": group("source"),
        "korean_tokens_per_char": round(k_tokens / k_chars, 4) if k_chars else None,
    }


# --- the run --------------------------------------------------------------------------------------------------
def _prepare(tokens: Path, ident: dict[str, Any], overwrite: bool) -> None:
    run_file = tokens / "run.json"
    if run_file.exists() and not overwrite:
        why = identity.differences(orjson.loads(run_file.read_bytes()), ident)
        if why:
            raise Refused(
                f"{identity.text(tokens)} holds the shards of another run ({'; '.join(why)}). "
                "Use a new output folder, or --overwrite to start this one again."
            )
    if overwrite:
        for f in tokens.glob("shard-*"):
            f.unlink()
        shutil.rmtree(tokens / ".work", ignore_errors=True)
        (tokens / "stats.json").unlink(missing_ok=True)
    for tmp in [*tokens.glob(".*.tmp"), *(tokens / ".work").glob(".*.tmp")]:
        tmp.unlink(missing_ok=True)
    atomic_write_bytes(run_file, orjson.dumps(ident, option=orjson.OPT_INDENT_2))


def _finished(tokens: Path, tok: Tokenizer) -> dict[str, Any] | None:
    """The stats of this run when it is complete already (every shard its stats list is there, whole)."""
    path = tokens / "stats.json"
    if not path.is_file():
        return None
    stats = orjson.loads(path.read_bytes())
    ok = all(_shard_done(tokens, s, sh["tokens"], tok.dtype.itemsize) for s, sh in enumerate(stats["shards"]))
    return stats if ok else None


def run(
    out: str | Path,
    tokens: str | Path,
    tokenizer: str | Path,
    eod_token: str | None = None,
    shard_tokens: int = SHARD_TOKENS,
    shuffle_seed: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
    unit_docs: int = UNIT_DOCS,
) -> dict[str, Any]:
    """Tokenize the kept documents of the run in `out` into shards in `tokens`; its stats (also in
    tokens/stats.json)."""
    out, tokens = Path(out), Path(tokens)
    if not (out / "kept").is_dir():
        raise ValueError(f"{identity.text(out)} is not the output folder of a run (it has no kept/)")
    if shard_tokens < 1:
        raise ValueError("--shard-tokens must be at least 1")
    tok = load_tokenizer(tokenizer, eod_token)
    identity.check_overlap(tokens, [str(out)], {"--tokenizer": tok.path})
    paths = kept_files(out)
    files = identity.files(paths)
    ident = {
        "command": "tokenize",
        "inputs": identity.arguments([out]),
        "files": files,
        "tokenizer": {"path": identity.text(tok.path.resolve()), "xxh3": tok.digest},
        "eod_id": tok.eod_id,
        "dtype": tok.dtype.name,
        "shard_tokens": shard_tokens,
        "shuffle_seed": shuffle_seed,
        "unit_docs": unit_docs,
        "compression": "none",  # (identity.differences reads a run.json without one as gzip's)
    }
    with outlock.hold(tokens):
        _prepare(tokens, ident, overwrite)
        if (finished := _finished(tokens, tok)) is not None:
            return finished
        work = tokens / ".work"
        n_units = tokenize_units(out, work, tok, unit_docs)
        if progress:
            print(f"malgeum: {n_units} unit(s) of documents tokenized; writing shards", file=sys.stderr)
        summary, docs = write_shards(tokens, work, n_units, tok, shard_tokens, shuffle_seed)
        identity.check_changes(paths, files)  # a kept file rewritten while it was read
        stats = {
            "documents": sum(n for _, n, _ in summary),
            "tokens": sum(t for _, _, t in summary),
            "shards": [{"name": name, "documents": n, "tokens": t} for name, n, t in summary],
            "dtype": tok.dtype.name,
            "eod_token": tok.eod_token,
            "eod_id": tok.eod_id,
            "vocab_size": tok.vocab_size,
            "shuffle_seed": shuffle_seed,
            **stats_of(docs),
        }
        atomic_write_bytes(tokens / "stats.json", orjson.dumps(stats, option=orjson.OPT_INDENT_2))
        shutil.rmtree(work, ignore_errors=True)  # the shards hold it all now
    return stats
