"""The local pool's workers come from a fork server that has built the run's recipe, and behave as spawned ones."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from malgeum import recipe as recipes
from malgeum.engine import forkserver, local

pytestmark = pytest.mark.skipif("forkserver" not in mp.get_all_start_methods(), reason="no fork server here")


def _ask(workers: local._Workers, fn, *args):
    workers.ready()
    return {workers.pool.submit(fn, *args).result(timeout=60) for _ in range(8)}


def test_workers_of_a_later_pool_take_the_runs_environment_and_folder(tmp_path, monkeypatch):
    """The server is started by a process's first pool; a later run of the same process (a notebook, a test
    session) changes its environment or folder, and its workers must see the change, as spawned ones would."""
    first = local._Workers(2, recipes.load())
    try:
        assert first.pool._mp_context.get_start_method() == "forkserver"
        assert _ask(first, os.getpid) and _ask(first, os.getenv, "MALGEUM_TEST_SETTING") == {None}
    finally:
        first.close()
    monkeypatch.setenv("MALGEUM_TEST_SETTING", "second run")
    monkeypatch.chdir(tmp_path)
    second = local._Workers(2, recipes.load())
    try:
        assert _ask(second, os.getenv, "MALGEUM_TEST_SETTING") == {"second run"}
        assert _ask(second, os.getcwd) == {str(tmp_path)}
        assert _ask(second, os.getenv, forkserver.RECIPE) == {None}  # the server's recipe is not the workers'
    finally:
        second.close()


def test_the_server_builds_the_recipe_it_was_started_for(monkeypatch):
    built = []
    monkeypatch.setattr(local, "compile_ahead", built.append)
    recipe = recipes.load()
    monkeypatch.setenv(forkserver.RECIPE, orjson.dumps(recipe).decode())
    forkserver._warm()
    assert built == [recipe] and forkserver.RECIPE not in os.environ
    forkserver._warm()  # started by no run: nothing to build
    assert built == [recipe]


def test_the_recipe_is_named_to_the_server_only_while_it_starts():
    forkserver.launch(recipes.load())
    assert forkserver.RECIPE not in os.environ


def test_a_worker_whose_run_died_before_it_started_exits(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    code = f"from malgeum.progress import exit_with_parent; exit_with_parent({gone.pid}); print('working')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "working" not in done.stdout
    # a run alive that is not the worker's parent: the worker was forked by the run's fork server
    code = f"from malgeum.progress import exit_with_parent; exit_with_parent({os.getppid()}); print('working')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "working" in done.stdout


def test_a_run_killed_and_not_yet_reaped_counts_as_gone():
    from malgeum.progress import _alive

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert _alive(child.pid)
        child.kill()
        for _ in range(200):  # a zombie until waited for
            if Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z":
                break
            time.sleep(0.01)
        assert not _alive(child.pid)
    finally:
        child.wait()
    assert not _alive(child.pid)


def test_a_recipe_too_large_for_the_environment_is_not_handed_to_the_server(monkeypatch):
    """Linux caps one environment string (128 KiB): the server's exec would fail. Workers then compile the
    recipe themselves; the server starts with one BLAS thread, and the run's environment is as it was."""
    from multiprocessing import forkserver as mp_forkserver

    seen: list[dict[str, str]] = []
    monkeypatch.setattr(mp_forkserver, "ensure_running", lambda: seen.append(dict(os.environ)))
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's own setting is the user's
    before = dict(os.environ)
    large = {"steps": [{"templates": {"keep": ["a line the site repeats"] * 10_000}}]}
    forkserver.launch(large)
    forkserver.launch(recipes.load())
    assert [forkserver.RECIPE in env for env in seen] == [False, True]
    assert all(env["OPENBLAS_NUM_THREADS"] == "1" and env["OMP_NUM_THREADS"] == "3" for env in seen)
    assert dict(os.environ) == before


def test_workers_are_spawned_when_the_fork_server_fails(monkeypatch):
    real = local.start_workers

    def failing(pool, n, forked=False):
        if forked:
            raise BrokenPipeError(32, "Broken pipe")
        real(pool, n, forked)

    monkeypatch.setattr(local, "start_workers", failing)
    workers = local._Workers(2, recipes.load())
    try:
        assert _ask(workers, os.getpid)
        assert workers.pool._mp_context.get_start_method() == "spawn"
    finally:
        workers.close()


def test_the_cli_starts_the_server_before_it_imports_the_steps(tmp_path):
    """The server imports malgeum and builds the recipe while the command imports the steps and checks the
    recipe itself: started after those, the workers would wait a second longer."""
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps({"id": i, "text": f"Line {i} of a short story."}) + b"\n" for i in range(3)))
    code = (
        "import sys\n"
        "from malgeum.engine import forkserver\n"
        "seen = []\n"
        "forkserver.launch = lambda recipe: seen.append(('malgeum.steps' in sys.modules, recipe))\n"
        "from malgeum import cli\n"
        f"code = cli.main(['clean', {str(src)!r}, '-o', {str(tmp_path / 'out')!r}, '--workers', '2', '-q'])\n"
        "print(code, seen[0][0], [s if isinstance(s, str) else next(iter(s)) for s in seen[0][1]['steps']][:3])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[0] == "0 False ['fix_mojibake', 'normalize_unicode', 'normalize_whitespace']", (
        done.stderr[-2000:]
    )


def test_importing_malgeum_does_not_import_the_steps():
    code = "import sys, malgeum, malgeum.cli, malgeum.recipe; print('malgeum.steps' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_a_run_on_jsonl_never_imports_arrow():
    # Arrow is a fifth of what a worker imports, and only Parquet input or output needs it
    code = (
        "import sys, malgeum.cli, malgeum.engine.local, malgeum.recipe as r; r.build(r.load()); "
        "print('pyarrow' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


def test_runs_of_one_process_read_the_packs_each_names(tmp_path, monkeypatch):
    """Workers forked from one server serve every run of a process: a run under another MALGEUM_LANGPACKS
    must read that setting's packs, not the packs the server (or a previous run) read."""
    packs = tmp_path / "packs" / "en"
    packs.mkdir(parents=True)
    rule = {"id": "en.test.marker", "kind": "line", "reason": "a test's own rule", "pattern": "Marker line to cut"}
    (packs / "boilerplate.yaml").write_text(orjson.dumps({"rules": [rule]}).decode(), encoding="utf-8")
    inputs = []
    for k in range(2):
        path = tmp_path / f"in{k}.jsonl"
        text = "A first sentence of the story is here.\nMarker line to cut\nAnd the story goes on to its end."
        path.write_bytes(orjson.dumps({"id": f"d{k}", "text": text}) + b"\n")
        inputs.append(str(path))
    recipe = {"steps": [{"boilerplate": {"langs": ["en"]}}]}

    def kept(out: str) -> list[str]:
        from malgeum.explain import iter_records

        return [r["text"] for _, r in iter_records(tmp_path / out, ("kept",))]

    local.run(inputs, str(tmp_path / "a"), recipe, workers=2, progress=False)
    monkeypatch.setenv("MALGEUM_LANGPACKS", str(tmp_path / "packs"))
    local.run(inputs, str(tmp_path / "b"), recipe, workers=2, progress=False)
    monkeypatch.delenv("MALGEUM_LANGPACKS")
    local.run(inputs, str(tmp_path / "c"), recipe, workers=2, progress=False)
    assert all("Marker line" in t for t in kept("a") + kept("c")) and len(kept("a")) == 2
    assert kept("b") and not any("Marker line" in t for t in kept("b"))
