"""What this node's CPU is, from /proc/cpuinfo (read on the node that runs the job)."""
from __future__ import annotations

import platform


def cpuinfo(key: str) -> str:
    """The first value of ``key`` in /proc/cpuinfo, '' where there is none (not Linux)."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.split(":", 1)[0].strip() == key:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def cpu_name() -> str:
    """The CPU model, as run records and the runs table show it."""
    return cpuinfo("model name") or platform.processor() or platform.machine() or "cpu"


def cpu_vendor() -> str:
    """GenuineIntel, AuthenticAMD, ...; '' where unknown."""
    return cpuinfo("vendor_id")
