"""Copy a step's stdout and stderr into its Snakemake log while still printing them."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path


class _Tee:
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()

    def isatty(self):
        return False


_TEED: set[Path] = set()  # the logs stdout and stderr are copied into now


def is_teed(log) -> bool:
    """True inside tee_to_log(log): what is printed already reaches the log."""
    return Path(log).resolve() in _TEED


@contextlib.contextmanager
def tee_to_log(log):
    """Every line the step prints (its own progress, transformers' and torch's warnings) also in
    the job's log, so that `tail -f logs/...` follows a cluster job. Nested calls for the same log
    do nothing (run_step already tees every script)."""
    key = Path(log).resolve()
    if key in _TEED:
        yield
        return
    with open(log, "a", encoding="utf-8", buffering=1) as handle:  # line-buffered: tail -f sees it
        out, err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Tee(out, handle), _Tee(err, handle)
        _TEED.add(key)
        try:
            yield
        finally:
            _TEED.discard(key)
            sys.stdout, sys.stderr = out, err
