"""The url_filter step: UT1 folders and plain lists, the subdomain, www., case, IDNA, port and user-name logic,
the reasons, the ko pack's host words (and where they abstain), and a clean run that drops by list."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from malgeum import blocklists, recipe
from malgeum.cli import main
from malgeum.document import Document
from malgeum.explain import iter_records
from malgeum.steps.url_filter import FilterURLs


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ut1(tmp_path: Path) -> Path:
    root = tmp_path / "blacklists"
    _write(root / "gambling" / "domains", "# gambling sites\nbadcasino.com\nWWW.Lucky-Bet.NET\n\n한국토토.kr\n")
    _write(root / "gambling" / "urls", "freehost.org/~casino\nwww.blog.example/pages/bet\n")
    _write(root / "adult" / "domains", "adult.example\n1.2.3.4\n*.wild.example\n")
    _write(root / "README", "not a category")
    (root / "porn").symlink_to(root / "adult")  # UT1 links categories to others
    return root


def _drop(step: FilterURLs, url: str | None, text: str = "본문입니다. 오늘의 소식을 전합니다.") -> tuple | None:
    doc = Document("d", text, {"url": url} if url is not None else {})
    step.process(doc)
    return doc.dropped


@pytest.mark.parametrize(
    ("url", "rule", "entry"),
    [
        ("https://badcasino.com/", "url_filter.ut1.gambling", "'badcasino.com'"),
        ("http://a.b.BadCasino.com:8080/x?y", "url_filter.ut1.gambling", "'badcasino.com'"),
        ("https://www.badcasino.com", "url_filter.ut1.gambling", "'badcasino.com'"),
        ("https://user:pw@lucky-bet.net/", "url_filter.ut1.gambling", "'lucky-bet.net'"),
        ("https://m.www.lucky-bet.net/", "url_filter.ut1.gambling", "'lucky-bet.net'"),
        ("https://xn--3e0bm00ea539a.kr/", "url_filter.ut1.gambling", "'xn--3e0bm00ea539a.kr'"),  # 한국토토.kr
        ("https://WWW.한국토토.KR/a", "url_filter.ut1.gambling", "'xn--3e0bm00ea539a.kr'"),
        ("http://freehost.org/~casino/index.html", "url_filter.ut1.gambling", "'freehost.org/~casino'"),
        ("blog.example/pages/bet", "url_filter.ut1.gambling", "'blog.example/pages/bet'"),
        ("http://1.2.3.4/", "url_filter.ut1.adult", "'1.2.3.4'"),
        ("http://deep.wild.example/", "url_filter.ut1.adult", "'wild.example'"),
        ("//adult.example/", "url_filter.ut1.adult", "'adult.example'"),
    ],
)
def test_ut1_entries_block_the_host_and_every_host_under_it(ut1: Path, url: str, rule: str, entry: str) -> None:
    step = FilterURLs(lists={"ut1": str(ut1)})
    dropped = _drop(step, url)
    assert dropped is not None and dropped[1] == rule
    assert entry in dropped[2] and url[:30] in dropped[2]


@pytest.mark.parametrize(
    "url",
    [
        "https://notbadcasino.com/",  # a longer name, not a host under the entry
        "https://badcasino.com.evil.org/",
        "https://badcasino.co/",
        "http://freehost.org/~other/",  # the same host, another URL prefix
        "http://freehost.org/",
        "http://5.1.2.3.4/",  # not the IP address
        "http://2.3.4/",
        "https://example.org/badcasino.com",  # the name in the path is no host
    ],
)
def test_hosts_that_only_look_alike_pass(ut1: Path, url: str) -> None:
    assert _drop(FilterURLs(lists={"ut1": str(ut1)}), url) is None


def test_categories_select_ut1_folders_and_links_load_once(ut1: Path) -> None:
    step = FilterURLs(lists={"ut1": str(ut1)}, categories=["adult"])
    assert _drop(step, "https://badcasino.com/") is None
    assert _drop(step, "https://adult.example/")[1] == "url_filter.ut1.adult"
    blocks = blocklists.load({"ut1": str(ut1)})
    assert sorted(blocks.counts) == ["ut1.adult", "ut1.gambling"]  # porn -> adult is the same folder
    assert blocks.counts["ut1.gambling"] == 3 + 2
    with pytest.raises(ValueError, match="no category casino"):
        blocklists.load({"ut1": str(ut1)}, ["casino"])


def test_plain_lists_of_each_kind(tmp_path: Path) -> None:
    domains = _write(tmp_path / "mine.txt", "0.0.0.0 tracker.example   # hosts-file form\nspam.example\n")
    subs = _write(tmp_path / "subs.txt", "# substrings\n/wp-content/casino\nfree-money\n")
    pats = _write(tmp_path / "pats.txt", r"^[a-z]+\d{3,}\.xyz/" + "\n")
    step = FilterURLs(
        lists={"hosts": str(domains), "s": f"substrings:{subs}", "p": f"patterns:{pats}"},
    )
    assert _drop(step, "https://x.tracker.example/")[1] == "url_filter.hosts.domains"
    dropped = _drop(step, "https://blog.example/wp-content/casino/1")
    assert dropped[1] == "url_filter.s.substrings" and "contains '/wp-content/casino'" in dropped[2]
    assert _drop(step, "https://Get-FREE-Money.example/")[1] == "url_filter.s.substrings"
    dropped = _drop(step, "https://spam123.xyz/page")
    assert dropped[1] == "url_filter.p.patterns" and r"\d{3,}" in dropped[2]
    assert _drop(step, "https://spam12.xyz/page") is None
    assert _drop(step, "https://news.example/") is None


def test_documents_without_a_url_pass_and_are_counted(ut1: Path) -> None:
    step = FilterURLs(lists={"ut1": str(ut1)})
    for url in (None, "", "   ", "http://"):
        assert _drop(step, url) is None
    doc = Document("d", "text", {"url": 12})
    step.process(doc)
    assert doc.dropped is None
    assert step.stats.rules["url_filter.no_url"] == {"cuts": 0, "chars": 0, "docs": 4}  # http:// has a URL, no host
    assert step.stats.docs_dropped == 0


def test_bad_lists_are_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no file or folder"):
        FilterURLs(lists={"x": str(tmp_path / "missing.txt")})
    bad = _write(tmp_path / "bad.txt", "ok\n(unclosed\n")
    with pytest.raises(ValueError, match=r"pattern 2 '\(unclosed'"):
        blocklists.load({"x": f"patterns:{bad}"})
    with pytest.raises(ValueError, match="letters, digits"):
        blocklists.load({"a.b": str(bad)})
    with pytest.raises(recipe.RecipeError, match="url_filter"):
        recipe.build({"steps": [{"url_filter": {"lists": "not-a-mapping"}}]})


KOREAN = "오늘 경기 결과와 배당을 안내합니다. 회원 가입하고 혜택을 받으세요."


@pytest.mark.parametrize(
    ("host", "rule", "word"),
    [
        ("toto79.com", "url_filter.pack.gambling", "toto"),
        ("safe-toto.net", "url_filter.pack.gambling", "toto"),
        ("xn--p22b075b.com", "url_filter.pack.gambling", "먹튀"),  # 먹튀.com, decoded
        ("casino-kr.org", "url_filter.pack.gambling", "casino"),
        ("bet-365.kr", "url_filter.pack.gambling", "bet"),
        ("yadong24.net", "url_filter.pack.adult", "yadong"),
    ],
)
def test_the_ko_pack_knows_words_of_spam_hosts(host: str, rule: str, word: str) -> None:
    step = FilterURLs(pack=["ko"])
    dropped = _drop(step, f"https://www.{host}/", KOREAN)
    assert dropped is not None and dropped[1] == rule
    assert f"{word!r}, a word of" in dropped[2] and "ko pack" in dropped[2]


@pytest.mark.parametrize("host", ["alphabet.com", "totoro.kr", "betterlife.kr", "sussex.ac.uk", "slotted.io"])
def test_the_ko_pack_leaves_ordinary_words_alone(host: str) -> None:
    assert _drop(FilterURLs(pack=["ko"]), f"https://{host}/", KOREAN) is None


def test_the_ko_pack_speaks_only_to_korean_pages() -> None:
    step = FilterURLs(pack=["ko"])
    assert _drop(step, "https://toto.co.jp/", "Toilets and washlets from Japan's best known maker.") is None
    assert _drop(step, "https://toto.co.jp/", KOREAN)[1] == "url_filter.pack.gambling"


def test_pack_is_off_unless_asked(ut1: Path) -> None:
    assert _drop(FilterURLs(lists={"ut1": str(ut1)}), "https://toto79.com/", KOREAN) is None
    with pytest.raises(ValueError, match=r"no url_filter\.yaml"):
        FilterURLs(pack=["en"])


def test_a_clean_run_drops_by_list_with_the_reason(tmp_path: Path, ut1: Path) -> None:
    rows = [
        {
            "id": "a",
            "url": "https://news.example/1",
            "text": "서울 시내 도서관이 주말에도 문을 엽니다. 시민들이 반겼습니다.",
        },
        {
            "id": "b",
            "url": "https://m.badcasino.com/",
            "text": "서울 시내 도서관이 주말에도 문을 엽니다. 시민들이 좋아합니다.",
        },
        {"id": "c", "text": "주소가 없는 문서도 그대로 남습니다. 이 문장은 충분히 깁니다."},
    ]
    src = _write(tmp_path / "in.jsonl", "\n".join(orjson.dumps(r).decode() for r in rows) + "\n")
    rec = _write(
        tmp_path / "recipe.yaml",
        f"steps:\n  - url_filter:\n      lists: {{ut1: '{ut1}'}}\n  - min_length\n",
    )
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "--recipe", str(rec), "--workers", "1", "-q"]) == 0
    kept = {r["id"] for _, r in iter_records(out, ("kept",))}
    dropped = {r["id"]: r["meta"]["malgeum"]["dropped"] for _, r in iter_records(out, ("dropped",))}
    assert kept == {"a", "c"}
    assert dropped["b"]["rule"] == "url_filter.ut1.gambling" and "'badcasino.com'" in dropped["b"]["reason"]
    stats = orjson.loads((out / "stats.json").read_bytes())
    step = next(s for s in stats["steps"] if s["name"] == "url_filter")
    assert step["rules"]["url_filter.no_url"]["docs"] == 1


def test_clean_block_list_adds_the_step_before_the_recipe(tmp_path: Path, ut1: Path) -> None:
    rows = [
        {
            "id": "a",
            "link": "https://news.example/1",
            "text": "서울 시내 도서관이 주말에도 문을 엽니다. 시민들이 반겼습니다.",
        },
        {
            "id": "b",
            "link": "https://badcasino.com/",
            "text": "서울 시내 도서관이 주말에도 문을 엽니다. 시민들이 좋아합니다.",
        },
        {
            "id": "c",
            "link": "https://spam.example/x",
            "text": "서울 시내 도서관이 주말에도 문을 엽니다. 시민들이 웃습니다.",
        },
    ]
    src = _write(tmp_path / "in.jsonl", "\n".join(orjson.dumps(r).decode() for r in rows) + "\n")
    mine = _write(tmp_path / "mine.txt", "spam.example\n")
    rec = _write(tmp_path / "recipe.yaml", "steps:\n  - min_length\n")
    out = tmp_path / "out"
    args = ["clean", str(src), "-o", str(out), "--recipe", str(rec), "--workers", "1", "-q", "--url-field", "link"]
    assert main([*args, "--block-list", f"ut1={ut1}", "--block-list", f"mine=domains:{mine}"]) == 0
    dropped = {r["id"]: r["meta"]["malgeum"]["dropped"]["rule"] for _, r in iter_records(out, ("dropped",))}
    assert dropped == {"b": "url_filter.ut1.gambling", "c": "url_filter.mine.domains"}
    assert (out / "recipe.yaml").read_text().startswith("steps:\n- url_filter:")
    args[3] = str(tmp_path / "o2")
    assert main([*args, "--block-list", "nameonly"]) == 2


def test_a_changed_block_list_makes_another_run_and_a_list_inside_out_is_refused(tmp_path: Path, capsys) -> None:
    src = _write(
        tmp_path / "in.jsonl",
        orjson.dumps({"id": "a", "url": "https://spam.example/1", "text": "주말에도 도서관이 문을 엽니다."}).decode()
        + "\n",
    )
    mine = _write(tmp_path / "mine.txt", "other.example\n")
    out = tmp_path / "out"
    args = ["clean", str(src), "-o", str(out), "--workers", "1", "-q", "--block-list", f"mine=domains:{mine}"]
    assert main(args) == 0
    assert main(args) == 0  # the same lists: the same run, resumed (nothing left to do)
    mine.write_text("spam.example\n")  # the list changed: the folder holds another run's output
    assert main(args) == 2
    assert main([*args, "--overwrite"]) == 0
    assert {r["id"] for _, r in iter_records(out, ("dropped",))} == {"a"}
    capsys.readouterr()
    inside = _write(out / "list.txt", "spam.example\n")
    assert main([*args[:-1], f"x=domains:{inside}", "--overwrite"]) == 2
    assert "block list" in capsys.readouterr().err
