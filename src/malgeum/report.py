"""A self-contained HTML report of a run: its figures, plots, samples of every rule's cuts and a document
inspector, in one file that needs no network (it opens from file://).

Crawled text is hostile. Everything drawn by Python goes through `html.escape`; the documents travel as JSON
inside a `<script type="application/json">` whose `<`, `>` and `&` are escaped, and the inspector puts them
on the page with `textContent` only. A Content-Security-Policy admits the report's own script by its hash
and nothing else, so even a mistake here could not run a page's script.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import html
import math
import random
import socket
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from malgeum import outlock
from malgeum.document import Document, trace
from malgeum.explain import iter_records
from malgeum.lid import detect
from malgeum.writers import atomic_write_bytes

MAX_DOCS = 3000  # documents embedded for the inspector (a sample: all of a big run would not open in 3 s)
MAX_CHARS = 20_000  # of each embedded document's original text
SAMPLES_PER_RULE = 20
MAX_TEMPLATES = 500  # learned templates listed (all are in templates/templates.jsonl)


def collect(out: Path, max_docs: int = MAX_DOCS, seed: int = 0) -> dict[str, Any]:
    """Everything the report shows, in one pass over OUT's records."""
    stats = as_run_of_steps(orjson.loads((out / "stats.json").read_bytes()))
    this_run = {st["name"] for st in stats["steps"]}  # an edit of another step is an earlier run's (a clean's)
    earlier = 0
    rng = random.Random(seed)
    langs: Counter[str] = Counter()
    before: list[int] = []
    after: list[int] = []
    clusters: Counter[int] = Counter()
    samples: dict[str, list[list[str]]] = {}
    seen_per_rule: Counter[str] = Counter()
    docs: list[dict[str, Any]] = []
    seen = 0
    for sub, rec in iter_records(out):
        doc = Document.from_record(rec)
        # each edit put `inserted` where `removed` was: the input's length without rebuilding the input
        before.append(len(doc.text) + sum(len(e.removed) - len(e.inserted) for e in doc.edits))
        after.append(0 if sub == "dropped" else len(doc.text))
        if sub == "kept":  # as a lid step recorded it, or detected here
            langs[str(doc.scores.get("lang") or detect(doc.text[:2000])[0])] += 1
        size = (doc.scores.get("dedup") or {}).get("size")
        if isinstance(size, int) and sub == "kept":
            clusters[size] += 1
        earlier += any(e.step not in this_run for e in doc.edits)
        for e in doc.edits:  # reservoir samples of cut pieces, per rule
            if not e.removed.strip() or e.step not in this_run:
                continue
            seen_per_rule[e.rule] += 1
            k = seen_per_rule[e.rule]
            piece = [doc.id, e.removed.strip()[:300], e.reason]
            if k <= SAMPLES_PER_RULE:
                samples.setdefault(e.rule, []).append(piece)
            elif (j := rng.randrange(k)) < SAMPLES_PER_RULE:
                samples[e.rule][j] = piece
        seen += 1
        if len(docs) < max_docs:  # only a sampled document is traced and drawn
            docs.append(_doc_entry(doc, sub))
        elif (j := rng.randrange(seen)) < max_docs:
            docs[j] = _doc_entry(doc, sub)
    return {
        "stats": stats,
        "templates": _templates(out),
        "langs": langs,
        "before": before,
        "after": after,
        "clusters": clusters,
        "samples": samples,
        "docs": docs,
        "records": seen,
        "earlier": earlier,
        "out": str(out),
    }


def as_run_of_steps(stats: dict[str, Any]) -> dict[str, Any]:
    """A `malgeum dedup` run's stats in the shape of a clean's: one step, `dedup`, with its rules, and its drops
    by reason, so that the report reads both alike."""
    if "steps" in stats:
        return stats
    rules = stats.get("rules") or {}
    seconds = stats.get("seconds")
    step = {
        "name": "dedup",
        "docs_in": stats["input_records"] - stats["quarantined"],
        "docs_out": stats["kept"],
        "docs_changed": stats.get("changed", 0),
        "docs_dropped": stats["dropped"],
        "chars_in": stats.get("chars_in", 0),
        "chars_removed": rules.get("dedup.frequent_line", {}).get("chars", 0),
        "seconds": seconds.get("total", 0) if isinstance(seconds, dict) else seconds or 0,
        "rules": rules,
    }
    drops = {r: f["docs"] for r, f in rules.items() if r != "dedup.frequent_line" and f.get("docs")}
    return {**stats, "steps": [step], "drop_reasons": stats.get("drop_reasons") or drops}


def _templates(out: Path, limit: int = MAX_TEMPLATES) -> tuple[list[dict[str, Any]], int]:
    """The first `limit` learned templates (hosts' first, most pages first) and how many there are."""
    for folder in (out / "templates", out / "stage-clean" / "templates"):  # (a recipe ending in dedup)
        listing = folder / "templates.jsonl"
        if listing.exists():
            lines = listing.read_bytes().splitlines()
            return [orjson.loads(line) for line in lines[:limit]], len(lines)
    return [], 0


def _templates_html(templates: list[dict[str, Any]], total: int) -> str:
    if not templates:
        return "<p class=muted>no templates learned in this run</p>"
    rows = "".join(
        f'<tr><td><input type=checkbox class=veto data-line="{_E(t["example"] or "")}"></td>'
        f"<td>{_E(t['scope'])}</td><td>{_E(t['host'] or 'all sites')}</td>"
        f"<td>{t['count']:,} of {t['pages']:,}</td><td><code>{_E(t['example'] or '(not sampled)')}</code></td></tr>"
        for t in templates
    )
    more = f"<p class=muted>{len(templates):,} of {total:,} shown; all in templates/templates.jsonl</p>"
    return (
        ("" if len(templates) == total else more)
        + "<table id=templates><tr><th>keep</th><th>scope</th><th>site</th><th>pages</th><th>line</th></tr>"
        + rows
        + "</table><p>To keep a line the step learned, tick it and add this to the <code>templates</code> step of your "
        "recipe:</p><textarea id=veto readonly rows=4 cols=100>templates: {keep: []}</textarea>"
    )


def _doc_entry(doc: Document, sub: str) -> dict[str, Any]:
    edits: list[Any] = []
    index: dict[int, int] = {}
    shown, used = [], 0
    for s in trace(doc.text, doc.edits):
        if used >= MAX_CHARS:
            shown.append(["…", -1])
            break
        text = s.text[: MAX_CHARS - used]
        used += len(text)
        if s.edit is None:
            shown.append([text, -1])
            continue
        i = index.setdefault(id(s.edit), len(edits))
        if i == len(edits):
            edits.append([s.edit.rule, s.edit.reason, s.edit.inserted])
        shown.append([text, i])
    status = "dropped" if sub == "dropped" else "changed" if doc.edits else "kept"
    return {
        "id": doc.id,
        "status": status,
        "drop": list(doc.dropped) if doc.dropped else None,
        "rules": sorted({e.rule for e in doc.edits} | ({doc.dropped[1]} if doc.dropped else set())),
        "spans": shown,
        "edits": edits,
    }


# --- drawing -----------------------------------------------------------------------------------------------
_E = html.escape


def _fit(label: str, pixels: float, size: float = 12.0) -> str:
    """`label` cut with "…" to about `pixels` wide at a font of `size` px (wide scripts count double)."""
    used, out = 0.0, []
    for ch in label:
        w = size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.58)
        if used + w > pixels - size:
            return "".join(out) + "…"
        used += w
        out.append(ch)
    return label


def _svg(width: float, height: float, body: str) -> str:
    """An inline SVG that scales down to its panel instead of spilling out of it."""
    return (
        f'<svg class=chart viewBox="0 0 {width:.0f} {height:.0f}" width="100%" style="max-width:{width:.0f}px" '
        f'role="img">{body}</svg>'
    )


def _bars(rows: list[tuple[str, float]], unit: str = "", width: int = 560) -> str:
    """Horizontal bars as inline SVG: the label (cut to its column, whole on hover), the bar, the value."""
    if not rows:
        return "<p class=muted>nothing to show</p>"
    top = max(v for _, v in rows) or 1
    h, label_w, value_w = 22, 210, 90
    parts = []
    for i, (label, v) in enumerate(rows):
        w = max(1, int((width - label_w - value_w) * v / top))
        y = i * h + 2
        parts.append(
            f'<text x="0" y="{y + 15}" class=label>{_E(_fit(label, label_w - 6))}<title>{_E(label)}</title></text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{h - 6}" class=bar><title>{_E(label)}: {v:,.0f}'
            f"{_E(unit)}</title></rect>"
            f'<text x="{label_w + w + 5}" y="{y + 15}" class=value>{v:,.0f}{_E(unit)}</text>'
        )
    return _svg(width, h * len(rows) + 4, "".join(parts))


def _round_ticks(top: int) -> list[int]:
    """0 and two or three round numbers up to `top` (1, 2 or 5 times a power of ten apart)."""
    if top <= 0:
        return [0]
    step = 10 ** math.floor(math.log10(top))
    for m in (1, 2, 5, 10):
        if top / (m * step) <= 3:
            step *= m
            break
    return list(range(0, top + 1, int(step)))


def _histogram(series: list[tuple[str, list[int]]], width: int = 560, height: int = 170) -> str:
    """Histograms of lengths in characters on a log scale (four bins a decade, ticks at powers of ten, one
    bin for empty documents), one colour per series, with titled axes."""
    values = [v for _, vs in series for v in vs if v > 0]
    if not values:
        return "<p class=muted>nothing to show</p>"
    hi = max(1, math.ceil(math.log10(max(values)) * 4))
    counts = []
    for _, vs in series:
        c = Counter(min(hi, int(math.log10(v) * 4)) if v > 0 else -1 for v in vs)
        counts.append([c.get(b, 0) for b in range(-1, hi + 1)])
    top = max(max(c) for c in counts) or 1
    left, plot_h, n = 56, height - 10, hi + 2
    bw = (width - left - 8) / n
    parts = []
    for k, c in enumerate(counts):
        for i, v in enumerate(c):
            bar = plot_h * v / top
            x = left + i * bw + k * bw / len(counts)
            low = "empty" if i == 0 else f"≥ {10 ** ((i - 1) / 4):,.0f} chars"
            parts.append(
                f'<rect x="{x:.1f}" y="{height - bar:.1f}" width="{max(bw / len(counts) - 1, 1):.1f}" '
                f'height="{bar:.1f}" class="s{k}"><title>{_E(series[k][0])}, {low}: {v:,}</title></rect>'
            )
    for t in _round_ticks(top):
        y = height - plot_h * t / top
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" class=axis text-anchor="end">{t:,}</text>')
    parts.append(f'<text x="{left - 2 + bw / 2:.1f}" y="{height + 14}" class=axis text-anchor="middle">0</text>')
    for k in range(0, hi // 4 + 1):  # 10^k characters starts bin 1 + 4k
        x = left + (1 + 4 * k) * bw
        parts.append(f'<text x="{x:.1f}" y="{height + 14}" class=axis text-anchor="middle">{10**k:,}</text>')
    parts.append(
        f'<text x="{left + (width - left) / 2:.0f}" y="{height + 30}" class=axis text-anchor="middle">'
        "characters per document (log scale)</text>"
        f'<text transform="translate(12 {height / 2:.0f}) rotate(-90)" class=axis text-anchor="middle">documents'
        "</text>"
    )
    parts.extend(
        f'<rect x="{left + k * 150}" y="{height + 40}" width="10" height="10" class="s{k}"/>'
        f'<text x="{left + 15 + k * 150}" y="{height + 49}" class=axis>{_E(name)}</text>'
        for k, (name, _) in enumerate(series)
    )
    return _svg(width, height + 56, "".join(parts))


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element (or open a comment) whatever the documents hold."""
    text = orjson.dumps(data).decode()
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render(data: dict[str, Any]) -> str:
    s = data["stats"]
    steps = s.get("steps", [])
    rules: Counter[str] = Counter()
    rule_docs: Counter[str] = Counter()
    for st in steps:
        for rule, figures in (st.get("rules") or {}).items():
            rules[rule] += figures.get("chars", 0)
            rule_docs[rule] += figures.get("docs", 0)
    for rule, n in (s.get("drop_reasons") or {}).items():
        rule_docs[rule] += n
    cards = [
        ("documents in", s["input_records"]),
        ("kept", s["kept"]),
        ("changed", s["changed"]),
        ("dropped", s["dropped"]),
        ("quarantined", s["quarantined"]),
        ("characters removed", s["chars_in"] - s["chars_out"]),
    ]
    if data.get("earlier"):  # documents that came in already cleaned: their earlier cuts are counted apart
        cards.append(("changed by an earlier run", data["earlier"]))
    frequent = s.get("frequent_lines", (s.get("dedup") or {}).get("frequent_lines"))
    if frequent is not None:
        cards.append(("frequent lines", frequent))
    card_html = "".join(
        f'<div class=card><div class=num data-stat="{_E(k)}">{v:,}</div><div>{_E(k)}</div></div>' for k, v in cards
    )
    step_rows = [(st["name"], st.get("chars_removed", 0)) for st in steps]
    time_rows = [(st["name"], 1000 * float(st.get("seconds", 0))) for st in steps]
    drop_rows = sorted((s.get("drop_reasons") or {}).items(), key=lambda kv: -kv[1])
    q_rows = sorted((s.get("quarantine_reasons") or {}).items(), key=lambda kv: -kv[1])
    lang_rows = data["langs"].most_common(15)
    cluster_rows = [(f"size {k}", v) for k, v in sorted(data["clusters"].items())][:20]
    sample_html = "".join(
        f'<details data-rule="{_E(rule)}"><summary>{_E(rule)} <span class=muted>({rules[rule]:,} chars, '
        f"{rule_docs[rule]:,} docs; {len(pieces)} samples)</span></summary><ol>"
        + "".join(f"<li><code>{_E(p)}</code> <span class=muted>in {_E(i)}</span></li>" for i, p, _ in pieces)
        + "</ol></details>"
        for rule, pieces in sorted(data["samples"].items())
    )
    rule_options = "".join(f'<option value="{_E(r)}">{_E(r)}</option>' for r in sorted(rule_docs))
    script = _SCRIPT
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    sampled = len(data["docs"]) < data["records"]
    return _PAGE.format(
        csp=f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'",
        title=_E(f"malgeum report: {data['out']}"),
        out=_E(data["out"]),
        balanced="balanced" if s.get("balanced") else "NOT BALANCED",
        cards=card_html,
        steps=_bars(step_rows, " chars"),
        rules=_bars(rules.most_common(25), " chars"),
        drops=_bars(drop_rows, " docs"),
        quarantine=_bars(q_rows, " records"),
        langs=_bars(lang_rows, " docs"),
        tokens=_tokens_html(data.get("tokens")),
        lengths=_histogram([("before", data["before"]), ("after", [a for a in data["after"] if a])]),
        clusters=_bars(cluster_rows, " docs") if cluster_rows else "<p class=muted>no dedup in this run</p>",
        times=_bars(time_rows, " ms"),
        samples=sample_html or "<p class=muted>no cuts</p>",
        templates=_templates_html(*data["templates"]),
        rule_options=rule_options,
        sample_note=(
            f"{len(data['docs']):,} of {data['records']:,} documents, a random sample"
            if sampled
            else f"all {data['records']:,} documents"
        ),
        data=_json_for_script(data["docs"]),
        script=script,
    )


def write(out: Path, dest: Path | None = None, max_docs: int = MAX_DOCS, tokens: Path | None = None) -> Path:
    """OUT/report.html (or `dest`), written whole; refused while a run is writing OUT (its figures would be
    those of a run half done). `tokens`: the folder `malgeum tokenize OUT` wrote, whose token counts it shows."""
    dest = dest or out / "report.html"
    with outlock.hold(out, create=False):
        data = collect(out, max_docs)
        if tokens is not None:
            data["tokens"] = token_stats(tokens)
        atomic_write_bytes(dest, render(data).encode("utf-8"))
    return dest


def token_stats(tokens: Path) -> dict[str, Any]:
    """What `malgeum tokenize` counted (TOKENS/stats.json); a folder without it is not a finished tokenize."""
    path = tokens / "stats.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not the folder of a finished `malgeum tokenize` run")
    return orjson.loads(path.read_bytes())


def _tokens_html(t: dict[str, Any] | None) -> str:
    if not t:
        return "<p class=muted>not shown (malgeum report OUT --tokens TOKENS shows malgeum tokenize's counts)</p>"
    per = t.get("korean_tokens_per_char")
    head = (
        f"<p>{int(t.get('tokens', 0)):,} tokens of {int(t.get('documents', 0)):,} documents in "
        f"{len(t.get('shards', []))} "
        f"shard(s), an end-of-document token after each"
        + (f"; Korean: {_E(str(per))} tokens per character" if per is not None else "")
        + "</p>"
    )

    def rows(key: str) -> list[tuple[str, float]]:
        groups = t.get(key) or {}
        return [(str(k), float(v.get("tokens", 0))) for k, v in list(groups.items())[:15]]

    return (
        head
        + "<h3>by language</h3>"
        + _bars(rows("by_language"), " tokens")
        + "<h3>by source</h3>"
        + _bars(rows("by_source"), " tokens")
    )


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(out: Path, port: int = 8765, max_docs: int = MAX_DOCS, host: str = "127.0.0.1") -> None:
    """The same report on http://HOST:PORT/ (built once, at start), until interrupted. Requests are answered
    only when addressed (Host header) to a name of this machine: a page elsewhere can point a name of its own
    at the address served here (DNS rebinding) and read what we serve otherwise."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    print(f"malgeum inspect: reading {out} ...", file=sys.stderr, flush=True)
    page = render(collect(out, max_docs)).encode()
    packed = gzip.compress(page, 6, mtime=0)  # (a 20,000-document page is tens of MB; gzip sends a fifth)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if (self.headers.get("Host") or "").strip().lower() not in allowed:
                self.send_error(403, "unknown Host header")
                return
            if self.path not in ("/", "/index.html", "/report.html"):
                self.send_error(404)
                return
            zipped = "gzip" in (self.headers.get("Accept-Encoding") or "")
            body = packed if zipped else page
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if zipped:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    allowed: set[str] = set()
    with Server((host, port), Handler) as httpd:
        bound = httpd.server_address[1]
        names = set(LOOPBACK) | ({host} if host not in ("0.0.0.0", "::") else _own_names())
        allowed.update(f"[{n}]:{bound}" if ":" in n else f"{n}:{bound}" for n in names)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        if host not in LOOPBACK:
            print(
                f"malgeum inspect: serving on {host}, to whoever reaches this machine: the report shows crawled "
                "text as it is",
                file=sys.stderr,
            )
        url = f"http://[{shown}]:{bound}/" if ":" in shown else f"http://{shown}:{bound}/"
        print(f"malgeum inspect: {url} (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()


def _own_names() -> set[str]:
    """The names and addresses of this machine that a browser may put in the Host header."""
    names = {socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):
        names.update(str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None))
    return {n.lower() for n in names if n}


_PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "NanumGothic", "Nanum Gothic", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic",
  sans-serif; margin: 24px; color: #1d2330; max-width: 1200px; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 17px; margin-top: 28px; border-bottom: 1px solid #dde; }}
.cards {{ display: flex; gap: 12px; flex-wrap: wrap; }}
.card {{ border: 1px solid #dde; border-radius: 8px; padding: 10px 16px; min-width: 120px; }}
.num {{ font-size: 22px; font-weight: bold; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 8px 24px; }}
.chart text {{ font-size: 12px; font-family: inherit; }} .bar {{ fill: #4b7bd8; }} .s0 {{ fill: #9aa7bd; }}
.s1 {{ fill: #2f9e6e; }} .muted {{ color: #778; }} .axis {{ fill: #556; font-size: 11px; }}
#list {{ max-height: 420px; overflow: auto; border: 1px solid #dde; }}
#list div {{ padding: 3px 8px; cursor: pointer; border-bottom: 1px solid #f0f0f4; }}
#list div:hover, #list div.on {{ background: #eef3ff; }}
#doc {{ white-space: pre-wrap; border: 1px solid #dde; padding: 12px; min-height: 80px; line-height: 1.6; }}
del.cut {{ background: #ffe0e0; color: #8a1f1f; text-decoration: line-through; }}
del.cut:hover {{ background: #ffc4c4; }}
.drop {{ background: #fff3d6; padding: 6px 10px; border-radius: 6px; margin-bottom: 8px; }}
.controls {{ display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0; }}
#legend li {{ font-size: 13px; }}
#templates {{ border-collapse: collapse; font-size: 13px; }} #templates td, #templates th {{ padding: 2px 8px;
  border-bottom: 1px solid #f0f0f4; text-align: left; }}
</style></head><body>
<h1>malgeum report</h1>
<p class=muted>{out} — counts {balanced}</p>
<div class=cards>{cards}</div>
<div class=grid>
<section><h2>Characters removed per step</h2>{steps}</section>
<section><h2>Top rules (characters removed)</h2>{rules}</section>
<section><h2>Drop reasons</h2>{drops}</section>
<section><h2>Quarantine reasons</h2>{quarantine}</section>
<section><h2>Languages of kept documents</h2>{langs}</section>
<section><h2>Tokens</h2>{tokens}</section>
<section><h2>Document length (characters, before and after)</h2>{lengths}</section>
<section><h2>Duplicate cluster sizes</h2>{clusters}</section>
<section><h2>Wall time per step</h2>{times}</section>
</div>
<h2>What each rule cut (random samples)</h2>{samples}
<h2>Learned templates</h2>{templates}
<h2>Inspector <span class=muted>({sample_note})</span></h2>
<div class=controls>
<input id=q type=search placeholder="search id or text" size=30>
<select id=status><option value="">all</option><option value="changed">changed</option>
<option value="dropped">dropped</option><option value="kept">kept unchanged</option></select>
<select id=rule><option value="">any rule</option>{rule_options}</select>
<button id=prev>◀</button><span id=page></span><button id=next>▶</button>
<span id=count class=muted></span>
</div>
<div class=grid><div id=list></div><div><div id=dropinfo></div><div id=doc></div><ul id=legend></ul></div></div>
<script id=data type="application/json">{data}</script>
<script>{script}</script>
</body></html>
"""

_SCRIPT = """
(function () {
  var docs = JSON.parse(document.getElementById('data').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var page = 0, per = 50, shown = [];
  function matches(d) {
    var q = $('q').value.toLowerCase(), st = $('status').value, r = $('rule').value;
    if (st && d.status !== st) return false;
    if (r && d.rules.indexOf(r) < 0) return false;
    if (q) {
      if (d.id.toLowerCase().indexOf(q) >= 0) return true;
      for (var i = 0; i < d.spans.length; i++) if (d.spans[i][0].toLowerCase().indexOf(q) >= 0) return true;
      return false;
    }
    return true;
  }
  function show(d) {
    var box = $('doc'), legend = $('legend'), info = $('dropinfo');
    box.textContent = ''; legend.textContent = ''; info.textContent = '';
    if (d.drop) {
      var p = document.createElement('div'); p.className = 'drop';
      p.textContent = 'dropped by ' + d.drop[0] + ' (' + d.drop[1] + '): ' + d.drop[2];
      info.appendChild(p);
    }
    d.spans.forEach(function (s) {
      if (s[1] < 0) { box.appendChild(document.createTextNode(s[0])); return; }
      var e = d.edits[s[1]], del = document.createElement('del');
      del.className = 'cut'; del.textContent = s[0]; del.dataset.rule = e[0];
      del.title = e[0] + ': ' + e[1] + (e[2] ? ' (replaced by \\u201c' + e[2] + '\\u201d)' : '');
      box.appendChild(del);
    });
    d.edits.forEach(function (e) {
      var li = document.createElement('li'); li.textContent = e[0] + ': ' + e[1]; legend.appendChild(li);
    });
  }
  function draw() {
    shown = docs.filter(matches);
    var pages = Math.max(1, Math.ceil(shown.length / per));
    page = Math.min(page, pages - 1);
    var list = $('list'); list.textContent = '';
    shown.slice(page * per, page * per + per).forEach(function (d) {
      var row = document.createElement('div');
      row.textContent = '[' + d.status + '] ' + d.id + (d.rules.length ? '  \\u2014 ' + d.rules.join(', ') : '');
      row.dataset.id = d.id;
      row.addEventListener('click', function () {
        Array.prototype.forEach.call(list.children, function (c) { c.classList.remove('on'); });
        row.classList.add('on'); show(d);
      });
      list.appendChild(row);
    });
    $('page').textContent = ' ' + (page + 1) + ' / ' + pages + ' ';
    $('count').textContent = shown.length + ' documents';
    if (shown.length) show(shown[page * per]); else { $('doc').textContent = ''; $('legend').textContent = ''; }
  }
  ['q', 'status', 'rule'].forEach(function (id) {
    ['input', 'change'].forEach(function (ev) { $(id).addEventListener(ev, function () { page = 0; draw(); }); });
  });
  $('prev').addEventListener('click', function () { if (page > 0) { page--; draw(); } });
  $('next').addEventListener('click', function () { page++; draw(); });
  var vetoes = document.querySelectorAll('input.veto');
  Array.prototype.forEach.call(vetoes, function (box) {
    box.addEventListener('change', function () {
      var keep = [];
      Array.prototype.forEach.call(vetoes, function (b) { if (b.checked) keep.push(JSON.stringify(b.dataset.line)); });
      $('veto').value = 'templates: {keep: [' + keep.join(', ') + ']}';
    });
  });
  draw();
  document.body.dataset.ready = String(Math.max(1, Math.round(performance.now())));  // ms since navigation
})();
"""
