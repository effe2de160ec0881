"""The HTML report and inspector, opened in headless Chromium: its numbers are stats.json's, filtering by rule
shows that rule's cuts in place, and a hostile document is shown as text and runs nothing."""

from __future__ import annotations

import gzip
import http.client
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import orjson
import pytest

from malgeum import report
from malgeum.engine import local

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = (
    "<script>window.__pwned = 1</script> 악성 문서의 첫 문단이다. </textarea></script><script>window.__pwned = 2"
    "</script>\n"
    '<img src=x onerror="window.__pwned = 3"> <a href="javascript:window.__pwned = 4">여기를 누르세요</a> <!-- '
    "<svg onload=window.__pwned=5> ]]> {{7*7}} ${7*7}"
)


@pytest.fixture(scope="module")
def run_out(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("in")
    shutil.copy(ROOT / "examples" / "news.jsonl", src / "news.jsonl")
    body = "서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 25일 밝혔다. 새 노선은 자정부터 운행된다."
    hostile = {
        "id": "<img src=x onerror=window.__pwned=6>",
        "text": f"{HOSTILE}\n{body}\n{HOSTILE}\n홍길동 기자 hong@news.example",  # the repeat is cut: a sample
        "meta": {"url": "javascript:window.__pwned=7"},
    }
    (src / "hostile.jsonl").write_bytes(orjson.dumps(hostile) + b"\n")
    out = tmp_path_factory.mktemp("out")
    local.run([str(src)], out, workers=1, progress=False, overwrite=True)
    report.write(out)
    return out


def test_the_page_escapes_what_it_embeds(run_out):
    page = (run_out / "report.html").read_text()
    for raw in ("<script>window", "<img", "<svg onload", "<a href", "</textarea>", "<!-- "):
        assert raw not in page, raw
    assert page.count("<script") == 2  # the data and the report's own script, nothing else
    assert "Content-Security-Policy" in page and "cdn" not in page.lower() and "http://" not in page


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("Chromium and chromedriver are not installed (.ci/run installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1800",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    yield driver
    driver.quit()


def _open(driver, url: str) -> None:
    driver.get(url)
    for _ in range(100):
        if driver.execute_script("return document.body && document.body.dataset.ready"):
            return
        time.sleep(0.05)
    raise AssertionError("the report's script did not finish")


@pytest.mark.browser
def test_numbers_filter_and_screenshot_in_chromium(browser, run_out, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    stats = orjson.loads((run_out / "stats.json").read_bytes())
    _open(browser, (run_out / "report.html").as_uri())
    shown = {e.get_attribute("data-stat"): e.text for e in browser.find_elements(By.CSS_SELECTOR, "[data-stat]")}
    assert shown["documents in"] == f"{stats['input_records']:,}"
    assert shown["kept"] == f"{stats['kept']:,}" and shown["dropped"] == f"{stats['dropped']:,}"
    assert shown["quarantined"] == f"{stats['quarantined']:,}" and shown["changed"] == f"{stats['changed']:,}"
    assert shown["characters removed"] == f"{stats['chars_in'] - stats['chars_out']:,}"

    rule = "ko.byline.reporter_line"
    Select(browser.find_element(By.ID, "rule")).select_by_value(rule)
    rows = browser.find_elements(By.CSS_SELECTOR, "#list div")
    assert rows and all(rule in r.text for r in rows)
    rows[0].click()
    cuts = browser.find_elements(By.CSS_SELECTOR, f'#doc del.cut[data-rule="{rule}"]')
    assert cuts and cuts[0].get_attribute("title").startswith(f"{rule}: ")
    assert "기자" in cuts[0].text  # the byline, struck through in place
    Select(browser.find_element(By.ID, "rule")).select_by_value("")
    Select(browser.find_element(By.ID, "status")).select_by_value("dropped")
    rows = browser.find_elements(By.CSS_SELECTOR, "#list div")
    assert len(rows) == stats["dropped"]
    rows[0].click()
    assert browser.find_element(By.ID, "dropinfo").text.startswith("dropped by ")
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 20_000


@pytest.mark.browser
def test_a_hostile_document_runs_nothing(browser, run_out):
    from selenium.webdriver.common.by import By

    _open(browser, (run_out / "report.html").as_uri())
    for details in browser.find_elements(By.TAG_NAME, "details"):
        details.click()  # open every sample list
    box = browser.find_element(By.ID, "q")
    box.send_keys("악성 문서")
    rows = browser.find_elements(By.CSS_SELECTOR, "#list div")
    assert len(rows) == 1 and "<img src=x onerror=window.__pwned=6>" in rows[0].text
    rows[0].click()
    shown = browser.find_element(By.ID, "doc").text
    assert "<script>window.__pwned = 1</script>" in shown and "</textarea></script>" in shown
    assert browser.execute_script("return window.__pwned") is None
    assert not browser.find_elements(By.CSS_SELECTOR, "#doc img, #doc script, #doc a, #doc svg")


def test_inspect_serves_the_same_report(run_out):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    threading.Thread(target=report.serve, args=(run_out, port), daemon=True).start()
    for _ in range(100):
        try:
            page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
            break
        except OSError:
            time.sleep(0.05)
    else:
        raise AssertionError("inspect did not answer")
    assert "malgeum report" in page and "Inspector" in page
    # DNS rebinding: a page of another name resolved to 127.0.0.1 gets nothing
    for host, status in (("evil.example", 403), (f"evil.example:{port}", 403), (f"localhost:{port}", 200)):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/", headers={"Host": host})
        resp = conn.getresponse()
        assert resp.status == status, host
        assert (b"malgeum report" in resp.read()) == (status == 200)
        conn.close()


def test_inspect_on_every_interface_answers_this_machines_names_only_and_compresses(run_out):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    threading.Thread(target=report.serve, args=(run_out, port, 50, "0.0.0.0"), daemon=True).start()
    own = socket.gethostname().lower()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    for host, status in ((f"{own}:{port}", 200), (f"evil.example:{port}", 403), (f"127.0.0.1:{port}", 200)):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/", headers={"Host": host, "Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == status, host
        if status == 200:
            assert resp.getheader("Content-Encoding") == "gzip"
            assert b"malgeum report" in gzip.decompress(body)
        conn.close()


def test_the_report_of_a_dedup_run_plots_its_clusters(tmp_path):
    from malgeum.dedup import run as dedup

    text = "서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 25일 밝혔다. 새 노선은 자정부터 운행된다."
    rows = [
        {"id": "a", "text": text},
        {"id": "b", "text": text},
        {"id": "c", "text": "전혀 다른 기사의 본문이다. " * 5},
    ]
    (tmp_path / "in.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    dedup([str(tmp_path / "in.jsonl")], tmp_path / "out")
    data = report.collect(tmp_path / "out")
    assert data["clusters"] == {2: 1, 1: 1} and data["langs"]["ko"] == 2
    page = report.render(data)
    assert "size 2" in page and "dedup.exact" in page


def test_the_report_of_a_dedup_of_a_clean_counts_this_runs_work_apart(tmp_path):
    from malgeum.cli import main

    story = "서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 25일 밝혔다. 새 노선은 자정부터 운행된다."
    rows = [{"id": f"d{i}", "text": f"{story}\n홍길동 기자 gildong@example.com"} for i in range(6)]
    rows += [{"id": "other", "text": "전혀 다른 기사의 본문이다. 시청 앞 광장에 성탄 트리가 섰다. " * 3}]
    (tmp_path / "in.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "c"), "-q", "--workers", "1"]) == 0
    assert main(["dedup", str(tmp_path / "c" / "kept"), "-o", str(tmp_path / "d"), "-q"]) == 0
    stats = orjson.loads((tmp_path / "d" / "stats.json").read_bytes())
    assert stats["changed"] == 0  # the earlier clean's edits are not this run's
    data = report.collect(tmp_path / "d")
    assert data["stats"]["drop_reasons"] == {"dedup.exact": 5}
    assert data["earlier"] == 7 and not data["samples"]  # the clean's cuts: counted apart, not sampled as ours
    page = report.render(data)
    drops = page.split("<h2>Drop reasons</h2>", 1)[1].split("</section>", 1)[0]
    assert "dedup.exact" in drops and "5 docs" in drops
    assert '<option value="dedup.exact">' in page  # the rule filter knows the dedup's rules
    assert "changed by an earlier run" in page
    assert "ko.byline" not in page.split("<h2>Top rules", 1)[1].split("</section>", 1)[0]


@pytest.fixture(scope="module")
def templates_out(tmp_path_factory) -> Path:
    import random
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from test_templates import corpus

    rows = corpus()
    hostile_line = '<b onmouseover="window.__pwned=8">지금 구독하기</b> "따옴표" 와 \\ 역슬래시'
    for r in rows[:60]:
        r["text"] += "\n" + hostile_line
    random.Random(0).shuffle(rows)
    src = tmp_path_factory.mktemp("tin") / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    out = tmp_path_factory.mktemp("tout")
    local.run([str(src)], out, workers=1, progress=False, overwrite=True)
    report.write(out)
    return out


def test_the_report_lists_learned_templates_escaped(templates_out):
    page = (templates_out / "report.html").read_text()
    assert "<h2>Learned templates</h2>" in page and "gall.example.net" in page and "30 of 45" in page
    assert "<b onmouseover" not in page and "&lt;b onmouseover=&quot;window.__pwned=8&quot;&gt;" in page


@pytest.mark.browser
def test_ticking_a_template_gives_the_recipe_line_that_keeps_it(browser, templates_out, tmp_path):
    import yaml
    from selenium.webdriver.common.by import By

    from malgeum.recipe import build

    _open(browser, (templates_out / "report.html").as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "#templates tr")
    (hostile,) = [r for r in rows[1:] if "지금 구독하기" in r.text and "news.example.kr" in r.text]
    (signature,) = [r for r in rows[1:] if "산들 갤러리" in r.text and "gall.example.net" in r.text]
    hostile.find_element(By.CSS_SELECTOR, "input.veto").click()
    signature.find_element(By.CSS_SELECTOR, "input.veto").click()
    snippet = browser.find_element(By.ID, "veto").get_attribute("value")
    entry = yaml.safe_load(snippet)
    assert sorted(entry["templates"]["keep"]) == sorted(
        ['<b onmouseover="window.__pwned=8">지금 구독하기</b> "따옴표" 와 \\ 역슬래시', "- 산들 갤러리 앱에서 작성"]
    )
    (step,) = build({"steps": [entry]})  # the line is a valid recipe entry, and the step keeps the line
    assert len(step.keep) == 2
    assert browser.execute_script("return window.__pwned") is None
