"""Recover from a killed workflow without `snakemake --unlock` by hand, safely.

A Snakemake run that is killed (SIGKILL, OOM killer, lost SSH session, laptop lid) leaves its lock
files in .snakemake/locks/, and the next run stops with LockException although nothing runs. Each
run of this workflow records its owner (host and pid) once it holds the lock (`onstart`) and
removes the record when it ends; a later run removes the locks only when they are provably stale:

- every recorded owner ran on this host and its process is gone (or is no longer Snakemake: the
  pid was reused), and
- no lock file is newer than the newest of those records (a run that has just taken its lock and
  not yet written its record keeps it).

Anything else (a live run, a run on another host of a shared file system, locks of a run that did
not record itself) is left to Snakemake, whose error says to run `snakemake --unlock`.
"""
from __future__ import annotations

import json
import os
import socket
from pathlib import Path

OWNERS = "ftlib_owners"  # beside Snakemake's own folders in .snakemake/


def _record_path(state: Path, pid: int) -> Path:
    return state / OWNERS / f"{socket.gethostname()}_{pid}.json"


def record_owner(state: Path = Path(".snakemake")) -> None:
    """Called once the run holds its lock: this host and pid own the locks in ``state``."""
    path = _record_path(state, os.getpid())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}) + "\n")


def release_owner(state: Path = Path(".snakemake")) -> None:
    _record_path(state, os.getpid()).unlink(missing_ok=True)


def _alive_snakemake(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    try:
        return b"snakemake" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc (not Linux): the pid is alive, assume it is the run
        return True


def clear_stale_locks(state: Path = Path(".snakemake")) -> str | None:
    """Remove the lock files of killed runs of this workflow; the one-line note to print, or None
    when there was nothing to remove (or the locks may belong to a live run)."""
    locks = sorted((state / "locks").glob("*.lock"))
    records = sorted((state / OWNERS).glob("*.json"))
    if not locks or not records:
        return None
    owners = []
    for record in records:
        try:
            owners.append(json.loads(record.read_text()))
        except (OSError, ValueError):
            return None  # a record being written: a live run
    host = socket.gethostname()
    if any(o.get("host") != host or not isinstance(o.get("pid"), int) or o["pid"] <= 0
           or _alive_snakemake(o["pid"]) for o in owners):
        return None
    newest_record = max(r.stat().st_mtime for r in records)
    if any(lock.stat().st_mtime > newest_record for lock in locks):
        return None
    for path in locks + records:
        path.unlink(missing_ok=True)
    pids = ", ".join(str(o["pid"]) for o in owners)
    return (f"removed the lock left by a killed run (pid {pids} on {host}, no longer running); "
            "its unfinished outputs are redone")
