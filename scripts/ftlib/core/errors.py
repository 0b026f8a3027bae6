"""One-line errors for bad input, and the wrapper that turns them into a clean exit."""
from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Callable

from ftlib.core.tee import tee_to_log


class InputError(Exception):
    """Bad input found before expensive work: the message names the file (and line)."""

    def __init__(self, path, problem: str, line: int | None = None):
        self.path, self.problem, self.line = str(path), problem, line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {problem}")


def remove_outputs(paths) -> None:
    """Delete what a failed step may have half-written, so no rerun takes it for done."""
    import shutil

    for path in map(Path, paths):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink()


def run_step(main: Callable[[], None], outputs=(), log: str | None = None) -> None:
    """Run a workflow step; on InputError print ONE line (and where the log is) and exit 1.

    Everything the step prints goes to its log too (ftlib.core.tee). Any other exception keeps
    its traceback (a bug, not bad input). Outputs are removed on every failure, also when the
    step runs outside Snakemake (which would do it itself).
    """
    try:
        if log:
            with tee_to_log(log):
                main()
        else:
            main()
    except InputError as err:
        remove_outputs(outputs)
        hint = f" (log: {log})" if log else ""
        line = f"ERROR: {err}{hint}"
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        sys.stderr.write(line + "\n")  # one write: a line of its own among concurrent jobs
        sys.stderr.flush()
        sys.exit(1)
    except BaseException:
        remove_outputs(outputs)
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                traceback.print_exc(file=handle)
        raise
