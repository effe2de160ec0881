"""The `malgeum` command."""

from __future__ import annotations

import argparse
import math
import os
import sys
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

import orjson
import xxhash

from malgeum import __version__
from malgeum import recipe as recipes
from malgeum.identity import InputChanged
from malgeum.readers import Fields
from malgeum.terminal import safe
from malgeum.writers import COMPRESSIONS, DEFAULT_COMPRESSION


def _fields(a: argparse.Namespace) -> Fields:
    return Fields(a.text_field, a.id_field, a.html_field, a.extractor, a.max_record_bytes)


def _skipped(stats: dict, shown: int = 10) -> None:
    """Files inside the input folders that were not read, on stderr (all of them are in stats.json)."""
    skipped = stats.get("skipped_files", [])
    for path, why in skipped[:shown]:
        print(safe(f"malgeum: skipped {path}: {why}"), file=sys.stderr)
    if len(skipped) > shown:
        print(f"malgeum: ... and {len(skipped) - shown:,} more skipped (stats.json: skipped_files)", file=sys.stderr)


def _nothing_kept(stats: dict, out: str, strict: bool) -> int:
    """0, or the exit code when a run read nothing or quarantined everything: a warning with a hint (an
    error with --strict), since such a run is almost always a wrong option, not a bad corpus."""
    n, q = stats["input_records"], stats["quarantined"]
    if n and q < n:
        return 0
    if not n:
        why = "no records were read"
        hint = (
            "the inputs hold no file malgeum reads (see the skipped files above)"
            if stats.get("skipped_files")
            else ("the input files are empty")
        )
    else:
        reasons = stats.get("quarantine_reasons") or {}
        top = max(reasons, key=reasons.get) if reasons else "?"
        why, hint = f"every record was quarantined (mostly: {top})", f"see {Path(out) / 'quarantine'}"
        if top.startswith(("missing text field", "missing HTML field")):
            fields = _first_quarantined_fields(Path(out))
            hint = "name the field that holds the text with --text-field (or the page with --html-field)" + (
                f"; the records have the fields {', '.join(fields)}" if fields else ""
            )
    print(safe(f"malgeum: {'error' if strict else 'warning'}: {why}; {hint}"), file=sys.stderr)
    return 2 if strict else 0


def _first_quarantined_fields(out: Path) -> list[str]:
    from malgeum.explain import iter_records

    for _, rec in iter_records(out, ("quarantine",)):
        raw = rec.get("raw")
        try:
            row = orjson.loads(raw) if isinstance(raw, str) else raw
        except orjson.JSONDecodeError:
            continue
        if isinstance(row, dict):
            return [str(k) for k in list(row)[:12]]
    return []


def _clean(a: argparse.Namespace) -> int:
    recipe = recipes.read(a.recipe)
    _start_fork_server(a, recipe)
    from malgeum.engine import local

    recipes.parse(recipe)
    if a.keep_foreign:
        recipe = recipes.set_param(recipe, "foreign", "keep", True)
    if a.by_language:
        recipe = recipes.route_by_language(recipe)
    kinds = {k for k, _ in recipes.parse(recipe)}
    if a.templates is not None:
        if "templates" not in kinds:
            raise recipes.RecipeError("--templates needs a recipe with a templates step")
        recipe = recipes.set_param(recipe, "templates", "path", a.templates)
    if a.block_list:
        recipe, kinds = _with_block_lists(recipe, a.block_list), kinds | {"url_filter"}
    if a.url_field is not None:  # every step that reads a document's URL
        if not kinds & {"templates", "spam_page", "url_filter"}:
            raise recipes.RecipeError("--url-field needs a recipe with a templates, spam_page or url_filter step")
        for kind in kinds & {"templates", "spam_page", "url_filter"}:
            recipe = recipes.set_param(recipe, kind, "url_field", a.url_field)
    stats = local.run(
        a.inputs,
        a.output,
        recipe,
        workers=a.workers,
        fmt=a.format,
        fields=_fields(a),
        overwrite=a.overwrite,
        progress=not a.quiet,
        engine=a.engine,
        address=a.address,
        time_budget=a.time_budget,
        compression=a.compression,
    )
    _skipped(stats)
    print(
        f"{stats['input_records']:,} records: {stats['kept']:,} kept ({stats['changed']:,} changed), "
        f"{stats['dropped']:,} dropped, {stats['quarantined']:,} quarantined"
        f"{'' if stats['balanced'] else '  (COUNTS DO NOT BALANCE)'}; "
        f"{stats['chars_in'] - stats['chars_out']:,} of {stats['chars_in']:,} characters removed. "
        f"Details: {a.output.rstrip('/')}/stats.json",
        file=sys.stderr,
    )
    return _nothing_kept(stats, a.output, a.strict) if stats["balanced"] else 3


def _start_fork_server(a: argparse.Namespace, recipe: Any) -> None:
    """Start the fork server of the run's workers now, before this process imports the steps and checks the
    recipe: the server imports and builds the recipe meanwhile, on another core, and the workers are ready a
    second sooner. (A run that turns out to need one worker leaves it idle; a recipe in error is the run's to
    report: the server builds what it can.)"""
    if a.engine == "ray" or a.workers == 1 or (os.cpu_count() or 1) < 2:
        return
    from malgeum.engine import forkserver

    if forkserver.context().get_start_method() == "forkserver":
        forkserver.launch(recipe)


def _with_block_lists(recipe: dict, specs: list[str]) -> dict:
    """The recipe with `--block-list NAME=PATH` lists on its url_filter step, or a url_filter step first (a
    blocked URL needs no cleaning)."""
    lists = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise ValueError(f"--block-list {spec!r}: expected NAME=PATH (or NAME=KIND:PATH)")
        lists[name] = path
    entries = recipes.parse(recipe)
    if not any(k == "url_filter" for k, _ in entries):
        entries.insert(0, ("url_filter", {}))
    steps = [
        {k: {**p, "lists": {**(p.get("lists") or {}), **lists}}} if k == "url_filter" else {k: p} for k, p in entries
    ]
    return {
        **({"plugins": recipe["plugins"]} if isinstance(recipe, dict) and recipe.get("plugins") else {}),
        "steps": steps,
    }


def _tokenize(a: argparse.Namespace) -> int:
    from malgeum import tokenize

    stats = tokenize.run(
        a.run,
        a.output,
        a.tokenizer,
        eod_token=a.eod_token,
        shard_tokens=a.shard_tokens,
        shuffle_seed=a.shuffle_seed,
        overwrite=a.overwrite,
        progress=not a.quiet,
    )
    ko = stats["korean_tokens_per_char"]
    print(
        f"{stats['documents']:,} documents: {stats['tokens']:,} tokens ({stats['dtype']}, {stats['eod_token']} after "
        f"each) in {len(stats['shards'])} shard(s)"
        + (f"; Korean: {ko} tokens per character" if ko else "")
        + f". Details: {Path(a.output) / 'stats.json'}",
        file=sys.stderr,
    )
    return 0


def _dedup(a: argparse.Namespace) -> int:
    from malgeum.dedup import DedupSettings, run

    settings = DedupSettings(
        exact=not a.no_exact,
        near=not a.no_near,
        unit=a.unit,
        ngram=a.ngram,
        num_perm=a.num_perm,
        bands=a.bands,
        threshold=a.threshold,
        keep=a.keep,
        url_field=a.url_field,
        lines=not a.no_lines,
        line_min_docs=a.line_min_docs,
        line_min_chars=a.line_min_chars,
    )
    stats = run(
        a.inputs,
        a.output,
        settings,
        _fields(a),
        against=a.against,
        progress=not a.quiet,
        engine=a.engine,
        workers=a.workers,
        address=a.address,
        overwrite=a.overwrite,
        compression=a.compression or DEFAULT_COMPRESSION,
    )
    rules = stats["rules"]
    _skipped(stats)
    print(
        f"{stats['input_records']:,} records: {stats['kept']:,} kept, "
        f"{rules.get('dedup.exact', {}).get('docs', 0):,} exact and {rules.get('dedup.near', {}).get('docs', 0):,} "
        f"near duplicates dropped, {stats['quarantined']:,} quarantined; {stats['frequent_lines']:,} corpus-frequent "
        f"lines cut from {rules.get('dedup.frequent_line', {}).get('docs', 0):,} documents. "
        f"Details: {Path(a.output) / 'stats.json'}",
        file=sys.stderr,
    )
    return _nothing_kept(stats, a.output, a.strict) if stats["balanced"] else 3


def _report(a: argparse.Namespace) -> int:
    from malgeum import report

    tokens = Path(a.tokens) if a.tokens else None
    dest = report.write(Path(a.output), Path(a.file) if a.file else None, a.max_docs, tokens)
    print(f"report: {dest}", file=sys.stderr)
    return 0


def _inspect(a: argparse.Namespace) -> int:
    from malgeum import report

    report.serve(Path(a.output), a.port, a.max_docs, a.host)
    return 0


def _explain(a: argparse.Namespace) -> int:
    from malgeum import explain

    found = explain.find(Path(a.output), a.id)
    if found is None:
        print(safe(f"no document with id {a.id!r} in {a.output}"), file=sys.stderr)
        return 1
    colour = sys.stdout.isatty() if a.color == "auto" else a.color == "always"
    print(explain.render(found[1], colour=colour))
    return 0


def _recipe(a: argparse.Namespace) -> int:
    if a.action == "show":
        print(recipes.dump(recipes.load(a.recipe)), end="")
    elif a.action == "steps":
        if a.recipe:  # its plugins' steps too
            recipes.load(a.recipe)
        print(recipes.describe_steps())
    else:  # check
        recipes.build(recipes.load(a.recipe))
        print(f"{a.recipe or recipes.DEFAULT}: ok")
    return 0


def _eval(a: argparse.Namespace) -> int:
    from malgeum import evaluation

    raws = evaluation.read_texts(Path(a.raw)) if a.raw else None
    gold = evaluation.read_gold(Path(a.gold), raws or {})
    preds, gold, raws = evaluation.align(evaluation.read_texts(Path(a.pred)), gold, raws)
    ev = evaluation.evaluate(preds, gold, raws)
    if a.json:
        sys.stdout.write(orjson.dumps(ev.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print(evaluation.render(ev, worst=a.worst))
    return 0


def _train_lm(a: argparse.Namespace) -> int:
    from malgeum.fluency import CharLM, read_training_text

    lm = CharLM.train(read_training_text(a.inputs), order=a.order, min_count=a.min_count)
    lm.save(Path(a.output))
    grams = sum(len(t[0]) for t in lm.tables)
    print(f"{a.output}: order {a.order}, {grams:,} n-grams, {Path(a.output).stat().st_size:,} bytes", file=sys.stderr)
    return 0


def _whole(low: int, high: int | None = None):  # type: ignore[no-untyped-def]
    """argparse's type for a whole number from `low` (to `high`)."""

    def parse(value: str) -> int:
        v = value.strip()
        n = int(v) if v.lstrip("-").isdigit() else None
        if n is None or n < low or (high is not None and n > high):
            span = f"from {low} to {high}" if high is not None else f"of {low} or more"
            raise argparse.ArgumentTypeError(f"a whole number {span}, not {value!r}")
        return n

    return parse


_positive_int = _whole(1)


def _real(ok, wanted: str):  # type: ignore[no-untyped-def]
    """argparse's type for a number that `ok` accepts (NaN and infinities never)."""

    def parse(value: str) -> float:
        try:
            v = float(value)
        except ValueError:
            v = math.nan
        if math.isnan(v) or math.isinf(v) or not ok(v):
            raise argparse.ArgumentTypeError(f"{wanted}, not {value!r}")
        return v

    return parse


_seconds = _real(lambda v: v >= 0, "seconds, 0 or more (0: no limit)")
_share = _real(lambda v: 0 < v <= 1, "a number above 0 and at most 1")


def _orders(value: str) -> tuple[int, ...]:
    """`MIN-MAX` (or one length) of character n-grams, as argparse's type."""
    low, _, high = value.partition("-")
    if not (low.isdigit() and (high or low).isdigit() and 1 <= int(low) <= int(high or low) <= 8):
        raise argparse.ArgumentTypeError(f"MIN-MAX between 1 and 8, not {value!r}")
    return tuple(range(int(low), int(high or low) + 1))


def _train_classifier(a: argparse.Namespace) -> int:
    import numpy as np

    from malgeum.classifier import TextClassifier, curve
    from malgeum.fluency import read_training_text

    pos, neg = list(read_training_text(a.positive)), list(read_training_text(a.negative))
    if not pos or not neg:
        print("train-classifier: both --positive and --negative need at least one text", file=sys.stderr)
        return 2
    texts, labels = pos + neg, np.array([1] * len(pos) + [0] * len(neg))
    # a fixed share, chosen by a hash of the text, is held out so the printed figures are not the training fit
    held = np.array([xxhash.xxh64_intdigest(t.encode("utf-8", "surrogatepass")) % 100 < a.validate for t in texts])
    train = np.flatnonzero(~held)
    clf = TextClassifier.train(
        [texts[i] for i in train],
        labels[train],
        a.label,
        a.orders,
        2**a.features_log2,
        a.c,
    )
    clf.save(Path(a.output))
    print(
        f"{a.output}: {len(pos):,} positive and {len(neg):,} negative texts, {held.sum():,} held out", file=sys.stderr
    )
    if held.any():
        idx = np.flatnonzero(held)
        p = clf.predict([texts[i] for i in idx])
        print("threshold  positives caught  negatives caught (held-out texts)", file=sys.stderr)
        for t, tp, fp in curve(p, labels[idx], (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)):
            print(f"{t:9.2f}  {tp:16.3f}  {fp:16.3f}", file=sys.stderr)
    return 0


def _benchmark_fields(value: str) -> tuple[str, ...]:
    fields = tuple(f.strip() for f in value.split(",") if f.strip())
    if not fields:
        raise argparse.ArgumentTypeError(f"field names separated by commas, not {value!r}")
    return fields


def _decont_index(a: argparse.Namespace) -> int:
    from malgeum.decont import IndexSettings, build
    from malgeum.decont.index import summary

    settings = IndexSettings(a.char_window, a.word_window, a.min_windows, a.max_items)
    meta = build(a.benchmark, a.output, a.benchmark_fields, settings)
    for line in summary(meta):
        print(safe(line), file=sys.stderr)
    print(f"{a.output}: {meta['windows']:,} windows, digest {meta['digest']}", file=sys.stderr)
    return 0


def _decont(a: argparse.Namespace) -> int:
    from malgeum import decont, identity
    from malgeum.decont.index import summary
    from malgeum.engine import local

    identity.check_overlap(a.output, a.inputs, {"--index": a.index})  # before an index is written into OUT
    where, meta = decont.index_for_run(a.benchmark or [], a.benchmark_fields, a.index, a.output, a.overwrite)
    for line in summary(meta):
        print(safe(line), file=sys.stderr)
    stats = local.run(
        a.inputs,
        a.output,
        decont.recipe(where, meta["digest"], a.mode),
        workers=a.workers,
        fmt=a.format,
        fields=_fields(a),
        overwrite=a.overwrite,
        progress=not a.quiet,
        compression=a.compression,
    )
    _skipped(stats)
    rules = next(s for s in stats["steps"] if s["name"] == "decont")["rules"]
    hits = ", ".join(f"{r.removeprefix('decont.')} {f['docs']:,}" for r, f in rules.items()) or "none"
    print(
        f"{stats['input_records']:,} records: {stats['kept']:,} kept ({stats['changed']:,} cut), "
        f"{stats['dropped']:,} dropped, {stats['quarantined']:,} quarantined; documents with benchmark text: {hits}. "
        f"Details: {a.output.rstrip('/')}/stats.json",
        file=sys.stderr,
    )
    return _nothing_kept(stats, a.output, a.strict) if stats["balanced"] else 3


def _decont_parsers(sub: argparse._SubParsersAction) -> None:
    x = sub.add_parser(
        "decont",
        help="cut benchmark items out of files or folders (or drop their documents): a clean with the decont step",
        description="Find the items of the benchmark files in the input, however re-spaced, re-wrapped or lightly "
        "edited, and cut them (rule decont.<benchmark>, the item's id in the reason) or drop their documents. OUT is "
        "a clean's output folder; run the same command again to resume. See docs/decontamination.md.",
    )
    x.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders, as for clean")
    x.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder, as for clean")
    _benchmark_options(x, required=False)
    x.add_argument(
        "--index",
        metavar="PATH",
        help="with --benchmark: build the index here to reuse; without: use the index built here (default: "
        "OUT/decont-index)",
    )
    x.add_argument("--mode", choices=("cut", "drop"), default="cut", help="cut the items' spans, or drop documents")
    x.add_argument("--workers", type=_positive_int, default=None, help="parallel processes (default: all cores)")
    x.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl", help="output format")
    _compression_option(x)
    x.add_argument("--text-field", default="text", help="input field holding the text (default: text)")
    x.add_argument("--id-field", default="id", help="input field holding the id (default: id)")
    _page_options(x)
    x.add_argument("--overwrite", action="store_true", help="start again in an output folder of another run")
    x.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    x.add_argument("--strict", action="store_true", help=_STRICT)
    x.set_defaults(func=_decont)

    y = sub.add_parser("decont-index", help="index benchmark files once, for decont --index and the decont step")
    _benchmark_options(y, required=True)
    y.add_argument("-o", "--output", required=True, metavar="INDEX", help="the index folder (replaced)")
    y.add_argument("--char-window", type=_whole(3, 64), default=8, help="Hangul/Han/kana characters a window (8)")
    y.add_argument("--word-window", type=_whole(2, 32), default=5, help="words a window elsewhere (5)")
    y.add_argument("--min-windows", type=_positive_int, default=6, help="items with fewer are skipped as too short (6)")
    y.add_argument("--max-items", type=_positive_int, default=100, help="a window in more items is left out (100)")
    y.set_defaults(func=_decont_index)


def _benchmark_options(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument(
        "--benchmark",
        nargs="+",
        required=required,
        metavar="FILE",
        help="evaluation sets, JSONL or Parquet (compressed or not), one item a record; NAME=FILE names one "
        "(default: the file's stem), its rule is decont.NAME",
    )
    p.add_argument(
        "--benchmark-fields",
        type=_benchmark_fields,
        default=",".join(("question", "passage", "choices")),
        metavar="F1,F2",
        help="the fields of an item's text; a list field's items are joined; a.b reads inside an object "
        "(default: question,passage,choices)",
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="malgeum", description="Clean crawled web text, accountably. Korean first.")
    p.add_argument("--version", action="version", version=f"malgeum {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser(
        "clean",
        help="clean files or folders of JSONL, Parquet, text, HTML or WARC (compressed or not)",
        description="Clean crawled text: every input record ends up kept (cleaned, every cut recorded), dropped "
        "(with the reason) or quarantined (unreadable, with the error). Run the same command again to resume.",
    )
    c.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="files or folders (searched recursively): .jsonl/.ndjson/.json, .parquet, .txt, .html/.htm, .warc; "
        "each may be .gz, .zst, .bz2 or .xz compressed; s3:// and gs:// URLs too",
    )
    c.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="output folder: kept/, dropped/, quarantine/, stats.json (a re-run resumes it)",
    )
    c.add_argument("--recipe", help="recipe YAML, or a bundled recipe: default, web (see `malgeum recipe show`)")
    c.add_argument("--workers", type=_positive_int, default=None, help="parallel processes (default: all cores)")
    c.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl", help="output format")
    _compression_option(c)
    c.add_argument("--text-field", default="text", help="input field holding the text (default: text)")
    c.add_argument("--id-field", default="id", help="input field holding the id (default: id)")
    _page_options(c)
    c.add_argument(
        "--time-budget",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="a document that takes longer in the steps is quarantined (reason: timeout); 0: no limit (60)",
    )
    c.add_argument("--keep-foreign", action="store_true", help="keep blocks in another language (only score them)")
    c.add_argument(
        "--url-field",
        help="meta field with each record's URL: its host groups pages for the template step, its words count for "
        "spam_page (default: url)",
    )
    c.add_argument(
        "--templates",
        metavar="PATH",
        help="apply the templates an earlier run learned (its output folder, or templates/templates.npy) "
        "instead of learning them from this input",
    )
    c.add_argument("--engine", choices=("local", "ray"), default="local", help="process pool here, or Ray")
    c.add_argument("--address", help="a Ray cluster to join (ray://host:10001 or auto); default: start one here")
    c.add_argument(
        "--block-list",
        action="append",
        metavar="NAME=PATH",
        help="drop documents whose URL a block list names: a UT1 folder, or domains:|urls:|substrings:|patterns:FILE "
        "(repeatable; docs/url_filter.md)",
    )
    c.add_argument("--by-language", action="store_true", help="write kept documents to kept/lang=<code>/")
    c.add_argument("--overwrite", action="store_true", help="start again in an output folder of another run")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    c.add_argument("--strict", action="store_true", help=_STRICT)
    c.set_defaults(func=_clean)

    d = sub.add_parser("dedup", help="drop exact and near duplicates, cut lines the corpus repeats everywhere")
    d.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders (a `malgeum clean` OUT/kept works)")
    d.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="output folder (its index/ is rebuilt on each run)"
    )
    d.add_argument(
        "--keep", default="first", help="which member of a cluster stays: first, longest, or meta:FIELD (largest value)"
    )
    d.add_argument("--url-field", help="documents with the same URL in this field are duplicates too")
    d.add_argument("--threshold", type=_share, default=0.5, help="estimated Jaccard to join a cluster (0.5)")
    d.add_argument("--unit", choices=("char", "word"), default="char", help="shingles of characters or words")
    d.add_argument("--ngram", type=_positive_int, default=5, help="units per shingle (5)")
    d.add_argument("--num-perm", type=_positive_int, default=128, help="MinHash permutations (128)")
    d.add_argument("--bands", type=_positive_int, default=32, help="LSH bands; num-perm / bands rows each (32)")
    d.add_argument(
        "--line-min-docs", type=_positive_int, default=10, help="a line in this many clusters is boilerplate (10)"
    )
    d.add_argument("--line-min-chars", type=_whole(0), default=15, help="shorter lines are never cut (15)")
    d.add_argument("--against", metavar="INDEX", help="also compare with the documents of an earlier run's OUT/index")
    d.add_argument("--no-exact", action="store_true", help="skip exact dedup")
    d.add_argument("--no-near", action="store_true", help="skip MinHash near-duplicate dedup")
    d.add_argument("--no-lines", action="store_true", help="skip corpus-frequent lines")
    d.add_argument("--engine", choices=("local", "ray"), default="local", help="one process here, or Ray")
    d.add_argument("--address", help="a Ray cluster to join (ray://host:10001 or auto); default: start one here")
    d.add_argument(
        "--workers", type=_positive_int, default=None, help="CPUs of the Ray cluster started here (default: all)"
    )
    _compression_option(d)
    d.add_argument("--overwrite", action="store_true", help="start again in an output folder of another run")
    d.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    d.add_argument("--strict", action="store_true", help=_STRICT)
    d.add_argument("--text-field", default="text", help="input field holding the text (default: text)")
    d.add_argument("--id-field", default="id", help="input field holding the id (default: id)")
    _page_options(d)
    d.set_defaults(func=_dedup)

    r = sub.add_parser("report", help="write OUT/report.html: figures, plots, samples and a document inspector")
    r.add_argument("output", metavar="OUT", help="the output folder of a clean or dedup run")
    r.add_argument("-o", "--file", help="where to write it (default: OUT/report.html)")
    r.add_argument("--tokens", metavar="TOKENS", help="also show the token counts of `malgeum tokenize OUT -o TOKENS`")
    r.add_argument(
        "--max-docs", type=_positive_int, default=3000, help="documents in the inspector, a random sample (3000)"
    )
    r.set_defaults(func=_report)

    i = sub.add_parser("inspect", help="serve the report of OUT on http://127.0.0.1:PORT/")
    i.add_argument("output", metavar="OUT", help="the output folder of a clean or dedup run")
    i.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (127.0.0.1: this machine only; 0.0.0.0: every interface, to reach it from "
        "another machine)",
    )
    i.add_argument("--port", type=_whole(0, 65535), default=8765, help="port on loopback (8765; 0: any free one)")
    i.add_argument(
        "--max-docs", type=_positive_int, default=20000, help="documents in the inspector, a random sample (20000)"
    )
    i.set_defaults(func=_inspect)

    e = sub.add_parser("explain", help="show one output document with its cuts in place")
    e.add_argument("output", metavar="OUT", help="the output folder of a clean or dedup run")
    e.add_argument("--id", required=True, help="the document's id (as in its record)")
    e.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour the cuts (auto: on a terminal)"
    )
    e.set_defaults(func=_explain)

    v = sub.add_parser("eval", help="score cleaned text against gold: precision, recall, junk removed")
    v.add_argument("pred", metavar="PRED", help="cleaned text: a malgeum output folder, JSONL {id, text}, or a file")
    v.add_argument("gold", metavar="GOLD", help="JSONL {id, gold} or {id, keep: [[start, end]...]}, or a file")
    v.add_argument("--raw", help="the input before cleaning (JSONL {id, text} or a file): gives junk removed")
    v.add_argument("--worst", type=_whole(0), default=5, help="documents shown with their errors in place")
    v.add_argument("--json", action="store_true", help="everything as JSON")
    v.set_defaults(func=_eval)

    t = sub.add_parser("train-lm", help="train the character fluency model the salad step uses")
    t.add_argument("inputs", nargs="+", metavar="TEXT", help="clean text: .txt(.gz) lines or JSONL(.gz) {text}")
    t.add_argument("-o", "--output", required=True, help="model file (.npz); use it with salad: {model: FILE}")
    t.add_argument("--order", type=_whole(1, 8), default=4, help="characters of context plus one (default 4)")
    t.add_argument(
        "--min-count", type=_positive_int, default=2, help="keep n-grams seen at least this often (default 2)"
    )
    t.set_defaults(func=_train_lm)

    t = sub.add_parser("train-classifier", help="train the text classifier the classifier step uses")
    t.add_argument(
        "--positive",
        nargs="+",
        required=True,
        metavar="TEXT",
        help="texts to catch: .txt(.gz) lines or JSONL(.gz) {text} (one message or document per row)",
    )
    t.add_argument("--negative", nargs="+", required=True, metavar="TEXT", help="texts to keep, same formats")
    t.add_argument("-o", "--output", required=True, help="model file (.npz); use it with classifier: {model: FILE}")
    t.add_argument("--label", default="spam", help="what a positive is; the rule is classifier.<label>")
    t.add_argument("--orders", type=_orders, default="1-4", help="character n-gram lengths, MIN-MAX (default 1-4)")
    t.add_argument("--features-log2", type=_whole(8, 28), default=20, help="2**N hashed features (default 20)")
    t.add_argument("--c", type=float, default=10.0, help="inverse regularisation strength (default 10)")
    t.add_argument(
        "--validate", type=_whole(0, 50), default=10, help="percent held out to print a threshold table (10)"
    )
    t.set_defaults(func=_train_classifier)

    k = sub.add_parser(
        "tokenize",
        help="tokenize a run's kept documents into Megatron-LM .bin/.idx shards (docs/tokenize.md)",
        description="Tokenize the kept documents of a clean or dedup run with a local tokenizer.json into "
        "Megatron-LM indexed-dataset shards, with a table per shard mapping each document to its tokens. Run the "
        "same command again to resume.",
    )
    k.add_argument("run", metavar="OUT", help="the output folder of a clean or dedup run")
    k.add_argument("-o", "--output", required=True, metavar="TOKENS", help="folder of the shards (a re-run resumes it)")
    k.add_argument("--tokenizer", required=True, metavar="FILE", help="a local tokenizer.json (never downloaded)")
    k.add_argument("--eod-token", help="the end-of-document token (default: the tokenizer's eos, e.g. <|endoftext|>)")
    k.add_argument("--shard-tokens", type=_positive_int, default=500_000_000, help="tokens per shard at most (5e8)")
    k.add_argument(
        "--shuffle-seed", type=_whole(0), help="shuffle the documents' order with this seed (default: as read)"
    )
    k.add_argument("--overwrite", action="store_true", help="start again in a folder of another run")
    k.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    k.set_defaults(func=_tokenize)

    r = sub.add_parser("recipe", help="show, list or check recipes")
    r.add_argument("action", choices=("show", "steps", "check"))
    r.add_argument("--recipe", help="a recipe file (default: the built-in recipe)")
    r.set_defaults(func=_recipe)
    _decont_parsers(sub)
    return p


_STRICT = "exit 2 when no record was read or every record was quarantined (default: a warning)"


def _compression_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--compression",
        choices=COMPRESSIONS,
        help="of the output files: .jsonl.zst, .jsonl.gz or .jsonl, or of Parquet's columns (default: gzip for JSONL, "
        "zstd for Parquet)",
    )


def _page_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-record-bytes",
        type=_positive_int,
        default=Fields.max_record_bytes,
        metavar="BYTES",
        help="a bigger record (JSONL line, file, WARC record, Parquet cell) is quarantined unread "
        f"(default {Fields.max_record_bytes:,}: 128 MiB)",
    )
    p.add_argument("--html-field", help="records hold a web page in this field: their text is its main content")
    p.add_argument(
        "--extractor",
        choices=("resiliparse", "malgeum", "trafilatura"),
        default=Fields.extractor,
        help="main-content extraction of web pages (WARC, .html, --html-field): resiliparse (fastest), malgeum "
        "(resiliparse's DOM with boilerplate pruning, docs/extraction.md) or trafilatura",
    )


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    try:
        return a.func(a)
    except recipes.RecipeError as e:
        print(safe(f"malgeum: recipe error: {e}"), file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as e:
        print(safe(f"malgeum: {e}"), file=sys.stderr)
        return 2
    except InputChanged as e:  # the output is not that of one version of the input
        print(safe(f"malgeum: {e}"), file=sys.stderr)
        return 3
    except BrokenExecutor:  # a worker killed (by the OOM killer, say): what is finished stays
        print(
            "malgeum: a worker process died (killed, or out of memory?). Finished shards are kept; "
            "run the same command again to resume.",
            file=sys.stderr,
        )
        return 4
    except KeyboardInterrupt:  # Ctrl-C: the workers are stopped, no shard is left half-written
        print(
            "\nmalgeum: interrupted. Finished shards are kept; run the same command again to resume.",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:  # `malgeum explain OUT --id X | head`: the reader left early, nothing failed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush cannot fail again
        return 0
    except OSError as e:  # a full disk, a lost mount: what is finished stays, the same command resumes
        print(safe(f"malgeum: {e}. Finished shards are kept; run the same command again to resume."), file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main())
