"""Whole-command wall time of `malgeum clean` and of datatrove's FineWeb-2 Korean filtering on the files a user
has, beside a plain orjson read + write of them.

    python bench/cli_speed.py [--workers 2] [--recipe default] [--web] [--big N] [--datatrove-records N]

Inputs, each as ONE file (never pre-split): the 15,118 real Naver News records of ../shared/data as one plain
`.jsonl` (37 MB) and as the `.jsonl.gz` they are shipped in; with --big N also one plain file of the records N
times over (ids made unique). For each input, in the same run:
  floor      one process reads every line, orjson.loads, orjson.dumps, writes it (plain JSONL: no compression, the
             fastest a tool that reads and writes every record can be)
  malgeum    `malgeum clean FILE -o OUT --workers N -q` as a subprocess: start-up, the template pass, cleaning,
             writing the compressed output, the stats: all of it (--web: the `web` recipe too, the one that runs
             the Gopher and FineWeb filters)
  datatrove  FineWeb-2's filtering of a language, as huggingface/fineweb-2's pipeline runs it, with its Korean
             settings (configs/kor_Hang.yml), in a script run as a subprocess: JsonlReader, GopherRepetition,
             FineWebQuality and GopherQuality filters (each with its exclusion writer, as FineWeb-2 has), a
             JsonlWriter, on LocalPipelineExecutor(tasks=N, workers=N). Language ID is left out: the language is
             known. Its record counts are checked (read = input, kept + removed = read). --datatrove-records K
             runs it on the first K records only (its reader's limit) and scales its steps' time to the file.
and prints seconds, MB/s of the uncompressed input and the ratio floor / tool (0.1: the tool
takes ten times the floor's time).

datatrove assigns Korean to its KiwiTokenizer with Kiwi's "sbg" model, which kiwipiepy_model no longer ships
since 0.22 (Kiwi raises OSError: "Cannot open required files for skipbigram model"), so the filters are handed
datatrove's own KiwiTokenizer with Kiwi's default model (model_type=None): no download, nothing else changed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import orjson

NAVER = Path(__file__).resolve().parents[2] / "shared" / "data" / "naver_news_raw" / "naver_news_dev.jsonl.gz"

# FineWeb-2's Korean settings (huggingface/fineweb-2 configs/kor_Hang.yml); the rest of each filter's settings
# are fixed in its pipeline for every language, and are set in DATATROVE below.
FINEWEB2_KOR = {
    "dup_line_frac": 0.374,
    "top_n_grams": [[2, 0.282], [3, 0.228], [4, 0.185]],
    "dup_n_grams": [[5, 0.201], [6, 0.184], [7, 0.168], [8, 0.154], [9, 0.14], [10, 0.127]],
    "line_punct_thr": 0.062,
    "new_line_ratio": 0.196,
    "max_avg_word_length": 6,
    "min_avg_word_length": 1,
    "max_non_alpha_words_ratio": 0.791,
    # the 21 most frequent Kiwi morphemes of its Korean data
    "stopwords": [
        "의",
        "다",
        "이",
        "는",
        "에",
        "을",
        "한",
        "년",
        "하",
        "은",
        "를",
        "했",
        "고",
        "에서",
        "가",
        "있",
        "으로",
        "인",
        "월",
        "로",
        "되",
    ],
}

# A script, as a datatrove user writes one: LocalPipelineExecutor starts its pool with forkserver, which
# imports the main module again in each worker, so the run must sit under `if __name__ == "__main__"`.
DATATROVE = """
import json, sys
from datatrove.executor.local import LocalPipelineExecutor
from datatrove.pipeline.filters import FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.word_tokenizers import KiwiTokenizer


def main():
    folder, name, out, logs, workers, limit, cfg = sys.argv[1:]
    cfg = json.loads(cfg)
    kiwi = KiwiTokenizer(model_type=None)  # the "sbg" model datatrove asks for is not shipped any more
    pipeline = [
        JsonlReader(folder, glob_pattern=name, recursive=False, limit=int(limit)),
        GopherRepetitionFilter(
            language=kiwi, dup_para_frac=0, dup_line_char_frac=0, dup_para_char_frac=0,
            dup_line_frac=cfg["dup_line_frac"], top_n_grams=cfg["top_n_grams"], dup_n_grams=cfg["dup_n_grams"],
            exclusion_writer=JsonlWriter(f"{out}/removed/goph_rep"),
        ),
        FineWebQualityFilter(
            language=kiwi, short_line_thr=999, char_duplicates_ratio=0.1, line_punct_thr=cfg["line_punct_thr"],
            new_line_ratio=cfg["new_line_ratio"], exclusion_writer=JsonlWriter(f"{out}/removed/fw_qual"),
        ),
        GopherQualityFilter(
            language=kiwi, max_avg_word_length=cfg["max_avg_word_length"],
            min_avg_word_length=cfg["min_avg_word_length"], stop_words=cfg["stopwords"],
            max_non_alpha_words_ratio=cfg["max_non_alpha_words_ratio"], min_stop_words=2,
            exclusion_writer=JsonlWriter(f"{out}/removed/goph_qual"),
        ),
        JsonlWriter(f"{out}/output"),
    ]
    LocalPipelineExecutor(pipeline, tasks=int(workers), workers=int(workers), logging_dir=logs).run()


if __name__ == "__main__":
    main()
"""


@dataclass
class Input:
    path: Path
    records: int
    mb: float  # uncompressed


@dataclass
class Timing:
    tool: str
    seconds: float
    records: int  # records the tool was given
    mb: float  # their uncompressed MB
    full_seconds: float  # the whole file's time: measured, or scaled from a prefix
    note: str = ""


def floor(path: Path, out: Path) -> float:
    t0 = time.perf_counter()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh, open(out, "wb") as w:
        for line in fh:
            w.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - t0


def clean(inp: Input, out: Path, workers: int, recipe: str) -> Timing:
    cmd = [sys.executable, "-m", "malgeum.cli", "clean", str(inp.path), "-o", str(out), "--workers", str(workers), "-q"]
    t0 = time.perf_counter()
    subprocess.run([*cmd, "--recipe", recipe, "--overwrite"], check=True, capture_output=True)
    seconds = time.perf_counter() - t0
    s = orjson.loads((out / "stats.json").read_bytes())
    if s["input_records"] != inp.records or s["kept"] + s["dropped"] + s["quarantined"] != inp.records:
        raise SystemExit(f"malgeum on {inp.path.name}: {s['input_records']} records read of {inp.records}")
    note = f"kept {s['kept']:,}, dropped {s['dropped']:,}"
    return Timing(f"malgeum {recipe}", seconds, inp.records, inp.mb, seconds, note)


def _count(stat: object) -> int:
    return int(stat["total"] if isinstance(stat, dict) else stat)  # type: ignore[index]


def _lines(folder: Path) -> int:
    return sum(sum(1 for _ in gzip.open(p, "rb")) for p in folder.rglob("*.jsonl.gz"))


def datatrove(inp: Input, tmp: Path, workers: int, limit: int, prefix_mb: float) -> Timing:
    out, logs, script = tmp / "dt-out", tmp / "dt-logs", tmp / "fineweb2_kor.py"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(logs, ignore_errors=True)  # a logging folder with completions would make the run skip its tasks
    script.write_text(DATATROVE)
    args = [str(inp.path.parent), inp.path.name, str(out), str(logs), str(workers), str(limit or -1)]
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(script), *args, json.dumps(FINEWEB2_KOR)], check=True, capture_output=True)
    seconds = time.perf_counter() - t0
    expected = min(limit, inp.records) if limit else inp.records
    stats = {s["name"]: s["stats"] for s in json.loads((logs / "stats.json").read_text())}
    read = _count(next(v["documents"] for k, v in stats.items() if "READER" in k))
    kept, written = _lines(out / "output"), _lines(out)
    if read != expected or written != read:
        raise SystemExit(f"datatrove on {inp.path.name}: read {read}, wrote {written} of {expected} records")
    tasks = [json.loads(p.read_text()) for p in sorted((logs / "stats").glob("*.json"))]
    per_task = [_count(t[0]["stats"].get("documents", 0)) for t in tasks]  # the reader is the first step
    mb = prefix_mb if limit and limit < inp.records else inp.mb
    # a prefix: the start-up (interpreter, imports, the pool) once, the steps' time of the busiest task (tasks
    # run side by side) scaled to the whole file
    steps = max(sum(s["time_stats"]["total"] for s in t if s.get("time_stats")) for t in tasks)
    full = seconds + steps * (inp.mb / mb - 1)
    note = f"kept {kept:,}, removed {written - kept:,}; documents per task {per_task}"
    if idle := per_task.count(0):
        note += f": {idle} of {workers} tasks had no file (datatrove splits the work by files)"
    return Timing("datatrove FineWeb-2 kor", seconds, expected, mb, full, note)


def prefix_mb(path: Path, n: int) -> float:
    """Uncompressed MB of the first n records of a file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return sum(len(line) for _, line in zip(range(n), fh, strict=False)) / 1e6


def make_inputs(tmp: Path, big: int) -> list[Input]:
    plain = tmp / "naver_news_dev.jsonl"
    with gzip.open(NAVER, "rb") as fh, open(plain, "wb") as w:
        shutil.copyfileobj(fh, w)
    records = sum(1 for _ in open(plain, "rb"))
    mb = plain.stat().st_size / 1e6
    inputs = [Input(plain, records, mb), Input(NAVER, records, mb)]
    if big > 1:
        path = tmp / f"naver_news_dev_x{big}.jsonl"
        with open(path, "wb") as w:
            for k in range(big):
                with open(plain, "rb") as fh:
                    for line in fh:
                        rec = orjson.loads(line)
                        rec["id"] = f"{rec['id']}-{k}"
                        w.write(orjson.dumps(rec) + b"\n")
        inputs.append(Input(path, records * big, path.stat().st_size / 1e6))
    return inputs


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?"
    )
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("malgeum", "datatrove", "kiwipiepy", "kiwipiepy_model"))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}; {versions}; load average {load}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2, help="malgeum's --workers and datatrove's tasks and workers")
    ap.add_argument("--recipe", default="default")
    ap.add_argument("--web", action="store_true", help="also time malgeum with the web recipe")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--big", type=int, default=0, help="also one file of the records N times over")
    ap.add_argument(
        "--datatrove-records", type=int, default=0, help="run datatrove on the first N records only (0: all)"
    )
    a = ap.parse_args()
    if not NAVER.exists():
        print(f"needs {NAVER}", file=sys.stderr)
        return 2
    recipes = [a.recipe, *(["web"] if a.web and a.recipe != "web" else [])]
    tmp = Path(tempfile.mkdtemp(prefix="malgeum-cli-speed-"))
    try:
        inputs = make_inputs(tmp, a.big)
        print(f"machine: {machine()}")
        print(f"command: python bench/{Path(sys.argv[0]).name} {' '.join(sys.argv[1:])}".rstrip())
        print(f"{a.workers} workers; MB/s of uncompressed input; ratio = floor seconds / tool seconds\n")
        print("| input | tool | records | seconds | MB/s | floor / tool | notes |")
        print("|---|---|---|---|---|---|---|")
        for inp in inputs:
            name = f"{inp.path.name} ({inp.path.stat().st_size / 1e6:.0f} MB)"
            for _ in range(a.runs):
                f = floor(inp.path, tmp / "floor.jsonl")
                print(f"| {name} | floor: orjson read + write | {inp.records:,} | {f:.2f} | {inp.mb / f:.1f} | 1 | |")
                runs = [clean(inp, tmp / "out", a.workers, r) for r in recipes]
                limit = a.datatrove_records if 0 < a.datatrove_records < inp.records else 0
                runs.append(datatrove(inp, tmp, a.workers, limit, prefix_mb(inp.path, limit) if limit else inp.mb))
                for t in runs:
                    if t.records < inp.records:  # a prefix: say so, and what the whole file would take
                        rec = f"{t.records:,} of {inp.records:,} (prefix)"
                        sec = f"{t.seconds:.1f} (whole file ~{t.full_seconds:.0f}, scaled)"
                        ratio = f"~{f / t.full_seconds:.4f} (scaled)"
                    else:
                        rec, sec, ratio = f"{t.records:,}", f"{t.seconds:.1f}", f"{f / t.seconds:.4f}"
                    print(f"| {name} | {t.tool} | {rec} | {sec} | {t.mb / t.seconds:.3f} | {ratio} | {t.note} |")
        print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
