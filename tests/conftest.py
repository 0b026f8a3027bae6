"""Shared test helpers: the repository's paths and real Snakemake runs in scratch folders."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
CONFIGS = Path(__file__).resolve().parent / "configs"


def snakemake_env(snakefile: Path = REPO / "Snakefile") -> dict:
    """The test's environment for a Snakemake run. A copy of the workflow (another Snakefile) is a
    second clone that nobody installed: its own scripts/ go first on the path, where the workflow's
    start-up check finds them (it refuses another clone's ftlib)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("OMP_NUM_THREADS", "1")
    copy = Path(snakefile).resolve().parent
    if copy != REPO.resolve() and (copy / "scripts").is_dir():
        env["PYTHONPATH"] = str(copy / "scripts")
    return env


def make_workdir(path: Path) -> Path:
    """A scratch working directory that sees the repository's config/ (as users' clones do)."""
    path.mkdir(parents=True, exist_ok=True)
    link = path / "config"
    if not link.exists():
        link.symlink_to(REPO / "config")
    return path


def seed_workdir(demo_run: Path, path: Path) -> Path:
    """A folder holding the reduced demo's inputs of the fine-tuning jobs (its data and models),
    nothing run yet."""
    work = make_workdir(path)
    for folder in ("data/demo", "models/demo"):
        shutil.copytree(demo_run / folder, work / folder)
    return work


def snakemake_command(workdir: Path, *args: str, configfile: str | None = "demo_small.yaml",
                      snakefile: Path = REPO / "Snakefile") -> list[str]:
    # targets and options first: --configfile takes every word after it
    cmd = [str(Path(sys.executable).parent / "snakemake"), *args, "-s", str(snakefile),
           "-d", str(workdir), "--cores", "2"]
    if configfile:
        cmd += ["--configfile", str(CONFIGS / configfile)]
    return cmd


def run_snakemake(workdir: Path, *args: str, configfile: str | None = "demo_small.yaml",
                  check: bool = True, snakefile: Path = REPO / "Snakefile") -> subprocess.CompletedProcess:
    cmd = snakemake_command(workdir, *args, configfile=configfile, snakefile=snakefile)
    proc = subprocess.run(cmd, cwd=workdir, env=snakemake_env(snakefile), capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    return proc


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    """The one-line errors (``ERROR: <file>: <problem> (log: ...)``) a failed run printed.

    A job's line may land after a partial line of Snakemake's own (both write to the same
    terminal at once, e.g. ``Execute 1 jobs...ERROR: ...``), so it is found anywhere in a line.
    """
    return re.findall(r"ERROR: [^\n]*", proc.stdout + proc.stderr)


def logged_accuracies(tensorboard_dir: Path, subset: str) -> list[float]:
    """A run's accuracy events read straight from its TensorBoard files (not through ftlib),
    float32 in the file, so kept to its 7 significant digits."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tensorboard_dir / subset))
    events.Reload()
    return [float(f"{e.value:.7g}") for e in events.Scalars("accuracy")]


def job_counts(dry_run_stdout: str) -> dict:
    """{rule: count} from the 'Job stats' table of a dry run."""
    table = dry_run_stdout.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, worker_id) -> Path:
    """The reduced demo (1 seed, 1 epoch), run once end to end for the whole session: under
    pytest-xdist (`make test`) by the first worker that needs it, in the folder the session's
    workers share, while the others wait on its lock. Tests read it and plan in it (`-n`); a test
    that runs jobs runs them in a copy (demo_copy)."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    workdir, built = root / "demo_run", root / "demo_run.built"
    with FileLock(str(root / "demo_run.lock")):
        if not built.is_file():
            shutil.rmtree(workdir, ignore_errors=True)
            run_snakemake(make_workdir(workdir), "all")
            built.touch()
    return workdir


def copy_of_demo_run(demo_run: Path, destination: Path) -> Path:
    """The session's demo run copied whole (its config/ link kept): Snakemake jobs run there,
    the shared run stays as built."""
    shutil.copytree(demo_run, destination, symlinks=True)
    return destination


@pytest.fixture
def demo_copy(demo_run, tmp_path) -> Path:
    return copy_of_demo_run(demo_run, tmp_path / "demo_copy")


def pytest_collection_modifyitems(config, items):
    """The tests that need the demo run last (stable order otherwise): under xdist each worker
    starts on the others while the first to reach the demo run builds it."""
    items.sort(key=lambda item: "demo_run" in getattr(item, "fixturenames", ()))
