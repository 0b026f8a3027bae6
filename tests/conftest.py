"""Shared test helpers: the repository's paths and real Snakemake runs in scratch folders."""
from __future__ import annotations

import os
import re
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
    import shutil

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
def demo_run(tmp_path_factory) -> Path:
    """The reduced demo (1 seed, 1 epoch), run once end to end for the whole session."""
    workdir = make_workdir(tmp_path_factory.mktemp("demo_run"))
    run_snakemake(workdir, "all")
    return workdir


@pytest.hookimpl(tryfirst=True)  # before xdist's, which reads the groups into the test ids
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`: 2 workers, --dist loadgroup), every test of the session's
    demo run goes to one worker: the fixture is built once, and the tests that run Snakemake in it
    (a rerun's plan, the HTML report, tuned_vs_stock) see it as the serial suite does, in file
    order. The other worker takes every other test."""
    for item in items:
        if "demo_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("demo_run"))
