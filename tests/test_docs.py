"""The README and the docs site: the site builds without a warning, every relative link lands on a file and
an anchor that exist, and the README's two set-up commands are the ones a fresh machine and `.ci/run` run."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

# what a new user pastes first: install, clean the bundled example, explain one of its documents
FIRST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -q . && "
    ".venv/bin/malgeum clean examples/news.jsonl -o out/example && "
    ".venv/bin/malgeum explain out/example --id example-ko_06"
)

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
LINK = re.compile(r"(?<!\!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)


def prose(text: str) -> str:
    """The text without code blocks and code spans, where brackets and parentheses are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def heading_texts(text: str) -> list[str]:
    """Headings as they read: code marks, emphasis and link targets gone."""
    out = []
    for _, title in HEADING.findall(FENCE.sub("", text)):
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
        out.append(title.replace("`", "").replace("**", "").replace("*", ""))
    return out


def github_slug(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped (word characters, spaces and hyphens stay),
    each space a hyphen."""
    s = "".join(c for c in title.lower() if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return s.replace(" ", "-")


def mkdocs_slug(title: str) -> str:
    """Python-Markdown's toc slug, which mkdocs renders: ASCII only, runs of spaces and hyphens one hyphen."""
    s = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    s = re.sub(r"[^\w\s-]", "", s).strip().lower()
    return re.sub(r"[-\s]+", "-", s)


def anchors(path: Path, slug) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for title in heading_texts(path.read_text(encoding="utf-8")):
        base = slug(title)
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}" if slug is github_slug else f"{base}_{n}")
    return found


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_every_relative_link_points_to_a_file_and_anchor_that_exist():
    broken = []
    for page in pages():
        for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            file, _, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page
            if not dest.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
                continue
            if not anchor:
                continue
            if dest.suffix != ".md":
                broken.append(f"{page.relative_to(ROOT)}: {target} (an anchor into a file that is not Markdown)")
                continue
            # README is read on GitHub; a docs page on GitHub and on the mkdocs site, so both anchors must hold
            styles = [github_slug] if dest == README else [github_slug, mkdocs_slug]
            if dest.parent == DOCS and page.parent == DOCS:
                styles = [mkdocs_slug]
            missing = [s.__name__ for s in styles if anchor not in anchors(dest, s)]
            if missing:
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading: {', '.join(missing)})")
    assert not broken, "\n".join(broken)


def test_the_link_checker_sees_links_and_anchors():
    """The checks above would pass on a page they cannot read: check they read this one."""
    text = "# Dedup: `malgeum dedup`\n## On a Ray cluster (`--engine ray`)\nsee [x](#dedup) and `[y](z)`\n"
    assert LINK.findall(prose(text)) == ["#dedup"]
    assert heading_texts(text) == ["Dedup: malgeum dedup", "On a Ray cluster (--engine ray)"]
    assert github_slug("On a Ray cluster (--engine ray)") == "on-a-ray-cluster---engine-ray"
    assert mkdocs_slug("On a Ray cluster (--engine ray)") == "on-a-ray-cluster-engine-ray"
    assert github_slug("Spam pages judged whole: spam_page") == "spam-pages-judged-whole-spam_page"


def setup_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_the_readme_set_up_commands_are_the_ones_ci_and_a_new_user_run():
    first, tests = setup_commands()
    assert first == FIRST_COMMAND
    ci = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines() if line.startswith("python3 -m venv")]
    assert ci == [tests], "the README's test command must be exactly what .ci/run runs"
    ids = {
        json.loads(line).get("id")
        for line in (ROOT / "examples/news.jsonl").read_text().splitlines()[:50]
        if line.startswith("{") and line.rstrip().endswith("}")
    }
    assert "example-ko_06" in ids, "the first command explains a document of the bundled example"


@pytest.mark.slow  # mkdocs builds the whole site: a few seconds, more on a busy machine
def test_the_docs_site_builds_without_a_warning(tmp_path):
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        pytest.skip("mkdocs-material is not installed (pip install -e '.[dev]')")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    built = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("index.html")}
    for page in sorted(DOCS.glob("*.md")):
        name = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert name in built, f"{page.name} was not built"
