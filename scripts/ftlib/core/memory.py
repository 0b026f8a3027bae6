"""Every memory measurement of the project, in one place: a process's resident-memory high-water
mark (the kernel's), and a sampler of resident memory in a background thread, either of this
process (what training adds above what the libraries hold) or of a process tree (the benchmark's
commands run side by side)."""
from __future__ import annotations

import os
import resource
import threading


def peak_rss_mb(children: bool = False) -> float:
    """This process's resident-memory high-water mark in MB (Linux reports ru_maxrss in KiB);
    ``children``: that of its largest finished child process (fairseq-train)."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def own_rss_mb() -> float:
    """This process's resident memory now, in MB (/proc/self/statm)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def tree_rss_mb(processes) -> float:
    """Resident memory now of psutil processes and all their children, in MB (gone ones count 0)."""
    import psutil

    total = 0
    for proc in processes:
        try:
            total += sum(p.memory_info().rss for p in [proc] + proc.children(recursive=True))
        except psutil.Error:
            pass
    return total / 2**20


class PeakSampler:
    """The peak of ``read()`` (MB) sampled every ``interval`` seconds while the block runs, and
    its value at the start: ``with PeakSampler() as memory: ...; memory.peak_mb - memory.start_mb``.

    The process's own high-water mark (peak_rss_mb) is mostly torch and transformers themselves;
    sampling from the start isolates what the block adds (activations, gradients, optimizer state).
    """

    def __init__(self, read=own_rss_mb, interval: float = 0.02):
        self.read, self.interval, self.stop = read, interval, threading.Event()
        self.start_mb = self.peak_mb = read()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, self.read())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.peak_mb = max(self.peak_mb, self.read())
