"""Copy a step's stdout and stderr into its Snakemake log while still printing them."""
from __future__ import annotations

import contextlib
import sys


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


@contextlib.contextmanager
def tee_to_log(log):
    """transformers and torch print warnings and progress; keep them in the job's log."""
    with open(log, "a", encoding="utf-8") as handle:
        out, err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Tee(out, handle), _Tee(err, handle)
        try:
            yield
        finally:
            sys.stdout, sys.stderr = out, err
