"""Running external commands (fairseq's CLI) with their output in the job's log (memory: ftlib.core.memory)."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from ftlib.core.errors import InputError
from ftlib.core.tee import is_teed


def find_executable(name: str) -> str:
    """A console script of the environment running this step (e.g. fairseq-train)."""
    sibling = Path(sys.executable).parent / name
    if sibling.exists():
        return str(sibling)
    found = shutil.which(name)
    if found is None:
        raise InputError(name, "not found on PATH nor beside the running Python; run the README's set-up")
    return found


def thread_env(threads: int, extra: dict | None = None) -> dict:
    """Environment that keeps torch/OpenMP inside the job's Snakemake thread budget, with ``extra``."""
    env = {**os.environ, **(extra or {})}
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    return env


def run_logged(cmd: list[str], log, threads: int = 1, echo: bool = True, env: dict | None = None) -> None:
    """Run ``cmd`` (``env`` added to its environment), appending its output to ``log`` and echoing
    it as progress output.

    A non-zero exit raises RuntimeError whose one line names the command and the log.
    """
    teed = is_teed(log)  # run_step copies stdout into the log already: write each line once
    with open(log, "a", encoding="utf-8") as handle:
        def write(text, show=echo):
            if not (show and teed):
                handle.write(text)
                handle.flush()
            if show:
                sys.stdout.write(text)
                sys.stdout.flush()

        settings = "".join(f"{name}={value} " for name, value in (env or {}).items())
        write(f"$ {settings}{shlex.join(cmd)}\n# threads: {threads}\n", show=False)
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=thread_env(threads, env), bufsize=1,
        )
        for line in proc.stdout:
            write(line)
        code = proc.wait()
    if code != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} exited with status {code}; see {log}")
