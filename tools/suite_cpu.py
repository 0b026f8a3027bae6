"""Where the test suite's CPU time goes, by kind of process: every Python process the suite starts
(pytest's workers, each Snakemake, each job script, each fairseq command) records its own CPU
seconds as it exits, and the table sums them by kind.

    python tools/suite_cpu.py [PYTEST ARGS ...]     # default: the README's test command

It runs the suite with a ``sitecustomize`` module on PYTHONPATH (one atexit hook, nothing else);
processes killed with SIGKILL (the recovery tests' victims) and non-Python programs are not
counted, so the total is below the suite's user + sys time.
"""
from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOOK = '''import atexit, os, resource, sys
def _record():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(os.environ["SUITE_CPU_LOG"], "a") as log:
        log.write(f"{usage.ru_utime + usage.ru_stime:.2f}\\t{' '.join(sys.argv)[:300]}\\n")
if os.environ.get("SUITE_CPU_LOG"):
    atexit.register(_record)
'''
KINDS = ("fairseq-train", "fairseq-validate", "fairseq-preprocess", "side_by_side", "pytest", "xdist")


def kind(command: str) -> str:
    """A process's kind: Snakemake itself, a job (by rule), a fairseq command, or its program."""
    program = command.split(" ")[0]
    if program.endswith("/snakemake") or "snakemake/__main__.py" in command:
        return "snakemake"
    job = re.search(r"\.snakemake/scripts/tmp\w+\.(\w+)\.py", command)
    if job:
        return f"job {job.group(1)}"
    if program == "-c":
        return "python -c"
    return next((k for k in KINDS if k in command), Path(program).name)


def table(lines: list[str]) -> list[str]:
    seconds, count = collections.Counter(), collections.Counter()
    for line in lines:
        cpu, command = line.rstrip("\n").split("\t", 1)
        seconds[kind(command)] += float(cpu)
        count[kind(command)] += 1
    rows = [f"{sum(seconds.values()):.0f} CPU-s in {sum(count.values())} Python processes",
            "| CPU s | processes | s each | kind |", "|---:|---:|---:|---|"]
    rows += [f"| {s:.0f} | {count[k]} | {s / count[k]:.2f} | {k} |" for k, s in seconds.most_common()]
    return rows


def main(args: list[str]) -> int:
    pytest_args = args or ["-n", "2", "--dist", "worksteal", "-q", "tests"]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "sitecustomize.py").write_text(HOOK)
        log = Path(folder) / "cpu.tsv"
        env = {**os.environ, "SUITE_CPU_LOG": str(log),
               "PYTHONPATH": os.pathsep.join(filter(None, [folder, os.environ.get("PYTHONPATH")]))}
        status = subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=REPO, env=env).returncode
        print("\n".join(table(log.read_text().splitlines() if log.is_file() else [])))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
