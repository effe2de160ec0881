"""How long the HTML report of a big run takes to open in Chromium.

    python bench/report_open.py [--docs 100000]

Cleans that many synthetic news documents (malgeum.synth) with the default recipe, writes the report, opens it
from file:// in headless Chromium (Debian's, driven by selenium) and prints the time from navigation to the
moment the inspector has drawn its first page (the report's script records it), the wall time of the
driver's load of the page, the file's size, and the time to write the report. The bar: under 3 s for 100,000
documents.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import orjson

from malgeum import report
from malgeum.engine import local
from malgeum.synth import corpus


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    a = ap.parse_args()
    from selenium import webdriver

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with open(src, "wb") as f:
            for rec, _ in corpus(a.docs, seed=9):
                f.write(orjson.dumps(rec) + b"\n")
        t = time.perf_counter()
        stats = local.run([str(src)], Path(tmp) / "out", workers=2, progress=False)
        print(f"cleaned {stats['input_records']:,} documents in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        page = report.write(Path(tmp) / "out")
        print(f"report written in {time.perf_counter() - t:.1f} s: {page.stat().st_size / 1e6:.1f} MB")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
            options.add_argument(arg)
        driver = webdriver.Chrome(
            options=options, service=webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
        )
        try:
            times, walls = [], []
            for _ in range(3):
                driver.get("about:blank")
                t = time.perf_counter()
                driver.get(page.as_uri())  # returns after the load event
                while not (ready := driver.execute_script("return document.body && document.body.dataset.ready")):
                    time.sleep(0.02)
                walls.append(time.perf_counter() - t)
                times.append(int(ready) / 1000)
        finally:
            driver.quit()
        print(
            f"{stats['input_records']:,} documents: the inspector is drawn {max(times):.2f} s after navigation "
            f"starts (worst of 3: {', '.join(f'{x:.2f}' for x in times)} s); the driver's load and check take "
            f"{max(walls):.2f} s (worst of 3: {', '.join(f'{x:.2f}' for x in walls)}); bar: < 3 s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
