"""Commands timed with the peak memory of their process tree, alone or several at once, and
fairseq's own per-update times read back from its log."""
from __future__ import annotations

import re
import time
from pathlib import Path

from ftlib.core.memory import PeakSampler, tree_rss_mb
from ftlib.core.proc import thread_env


def run_together(cmds: list[list[str]], logs: list, threads: int, env: dict | None = None
                 ) -> tuple[float, float, list[str]]:
    """Start every command at once, each with ``threads`` threads and ``env`` added to its
    environment; return (wall seconds until the last ends, peak RSS in MB of all of them together,
    each one's output)."""
    import psutil

    started, handles, procs = time.perf_counter(), [], []
    try:
        with PeakSampler(lambda: tree_rss_mb([p for p in procs if p.poll() is None]), interval=0.2) as memory:
            for cmd, log in zip(cmds, logs):
                handles.append(open(log, "w", encoding="utf-8"))
                procs.append(psutil.Popen(cmd, stdout=handles[-1], stderr=handles[-1], env=thread_env(threads, env)))
            while any(p.poll() is None for p in procs):
                time.sleep(0.2)
    finally:
        for handle in handles:
            handle.close()
    wall = time.perf_counter() - started
    peak = memory.peak_mb
    for cmd, log, proc in zip(cmds, logs, procs):
        if proc.returncode != 0:
            raise RuntimeError(f"{Path(cmd[0]).name} failed ({proc.returncode}); see {log}")
    return wall, peak, [Path(log).read_text(errors="replace") for log in logs]


def run_measured(cmd: list[str], log, threads: int, env: dict | None = None) -> tuple[float, float, str]:
    """One command: (wall seconds, peak RSS in MB of it and its children, its output)."""
    wall, peak, (text,) = run_together([cmd], [log], threads, env)
    return wall, peak, text


def update_seconds(log_text: str) -> list[float]:
    """fairseq's time of each update (1 / ups of its train_inner lines at --log-interval 1), in
    order. The first line has no time (fairseq logs ups=0 for it): it is left out."""
    ups = [float(u) for u in re.findall(r"train_inner \|.*?ups=([\d.]+)", log_text)]
    return [1 / u for u in ups[1:]]
