"""A user's own steps in a CLI recipe: `plugins: [mypkg.steps]` imports the module (its Step subclasses register
themselves), in the run and in every worker; an installed package can name its modules under the entry point
group `malgeum.steps` instead."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from test_run import records, write_jsonl

STEP = '''
from malgeum.document import Cut
from malgeum.step import Step


class CutShouting(Step):
    """Cuts lines written in capitals only."""

    kind = "{kind}"

    def __init__(self, min_letters: int = 5, name: str | None = None) -> None:
        super().__init__(name)
        self.min_letters = min_letters

    def apply(self, doc):
        start = 0
        for line in doc.text.splitlines(keepends=True):
            letters = [c for c in line if c.isalpha()]
            if len(letters) >= self.min_letters and all(c.isupper() for c in letters):
                doc.apply_cuts(self.name, [Cut(start, start + len(line), "{kind}.caps", "a line in capitals")])
                break
            start += len(line)
'''


def _package(root, name: str, kind: str) -> None:
    pkg = root / name
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "steps.py").write_text(STEP.replace("{kind}", kind))


def _run(tmp_path, recipe_text: str, env_path) -> subprocess.CompletedProcess:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    text = "시청은 자전거길을 넓힌다 {}.\nBUY NOW CHEAP\n공사는 두 달 걸린다."
    rows = [{"id": str(i), "text": text.format(i)} for i in range(40)]
    write_jsonl(folder / "a.jsonl", rows[:20])
    write_jsonl(folder / "b.jsonl", rows[20:])
    recipe = tmp_path / "r.yaml"
    recipe.write_text(textwrap.dedent(recipe_text))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(env_path), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "malgeum.cli"]
    check = subprocess.run([*cmd, "recipe", "check", "--recipe", str(recipe)], env=env, capture_output=True)
    assert check.returncode == 0, check.stderr.decode()
    steps = subprocess.run([*cmd, "recipe", "steps", "--recipe", str(recipe)], env=env, capture_output=True)
    assert b"Cuts lines written in capitals only." in steps.stdout
    out = tmp_path / "out"
    args = ["clean", str(folder), "-o", str(out), "--recipe", str(recipe), "--workers", "2", "-q"]
    return subprocess.run([*cmd, *args], env=env, capture_output=True)


def test_a_recipe_names_the_module_of_its_own_steps(tmp_path):
    _package(tmp_path / "site", "mysteps", "shouting")
    done = _run(tmp_path, "plugins: [mysteps.steps]\nsteps:\n  - shouting: {min_letters: 4}\n", tmp_path / "site")
    assert done.returncode == 0, done.stderr.decode()
    kept = records(tmp_path / "out", ("kept",))
    assert len(kept) == 40 and all("BUY NOW" not in r["text"] for r in kept)
    assert all(r["meta"]["malgeum"]["edits"][0]["rule"] == "shouting.caps" for r in kept)


def test_an_installed_package_names_its_steps_by_entry_point(tmp_path):
    site = tmp_path / "site"
    _package(site, "pkgsteps", "shouting2")
    info = site / "pkgsteps-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pkgsteps\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[malgeum.steps]\nshouting = pkgsteps.steps\n")
    done = _run(tmp_path, "steps:\n  - shouting2\n", site)
    assert done.returncode == 0, done.stderr.decode()
    assert all("BUY NOW" not in r["text"] for r in records(tmp_path / "out", ("kept",)))


def test_a_plugin_that_does_not_import_is_named(tmp_path, capsys):
    from malgeum.cli import main

    recipe = tmp_path / "r.yaml"
    recipe.write_text("plugins: [no_such_module.steps]\nsteps:\n  - normalize_whitespace\n")
    assert main(["recipe", "check", "--recipe", str(recipe)]) == 2
    assert "plugin 'no_such_module.steps' could not be imported: ModuleNotFoundError" in capsys.readouterr().err
    recipe.write_text("step:\n  - normalize_whitespace\n")
    assert main(["recipe", "check", "--recipe", str(recipe)]) == 2
