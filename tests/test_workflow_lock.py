"""The stale-lock rule: a killed run's locks are removed, a live run's never
(ftlib.core.workflow_lock; the end-to-end kill-and-rerun is tests/test_recovery.py)."""
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from ftlib.core.workflow_lock import OWNERS, clear_stale_locks, record_owner, release_owner


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def state_with(tmp_path, owners: list[dict], lock_after_records: bool = False):
    state = tmp_path / ".snakemake"
    (state / "locks").mkdir(parents=True)
    (state / OWNERS).mkdir()
    lock = state / "locks" / "0.output.lock"
    if not lock_after_records:
        lock.write_text("runs/x\n")
    for owner in owners:
        (state / OWNERS / f"{owner['host']}_{owner['pid']}.json").write_text(json.dumps(owner))
    if lock_after_records:
        time.sleep(0.02)
        lock.write_text("runs/x\n")
        os.utime(lock, (time.time() + 5, time.time() + 5))  # plainly newer, whatever the clock's grain
    return state


def test_the_lock_of_a_dead_run_on_this_host_is_removed(tmp_path):
    state = state_with(tmp_path, [{"host": socket.gethostname(), "pid": dead_pid()}])
    note = clear_stale_locks(state)
    assert note and "removed the lock left by a killed run" in note
    assert not list((state / "locks").iterdir()) and not list((state / OWNERS).iterdir())


@pytest.fixture
def live_snakemake():
    # a live process whose command line names snakemake, as a running workflow's does
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "snakemake"])
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("case", ["live run", "other host", "lock newer than the records", "no record"])
def test_locks_that_may_belong_to_a_live_run_are_kept(tmp_path, live_snakemake, case):
    here = socket.gethostname()
    owners = {"live run": [{"host": here, "pid": dead_pid()}, {"host": here, "pid": live_snakemake}],
              "other host": [{"host": here + "-login2", "pid": dead_pid()}],
              "lock newer than the records": [{"host": here, "pid": dead_pid()}],
              "no record": []}[case]
    state = state_with(tmp_path, owners, lock_after_records=case == "lock newer than the records")
    assert clear_stale_locks(state) is None
    assert list((state / "locks").iterdir())


def test_a_pid_reused_by_another_program_counts_as_dead(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        state = state_with(tmp_path, [{"host": socket.gethostname(), "pid": other.pid}])
        assert clear_stale_locks(state) is not None
    finally:
        other.kill()
        other.wait()


def test_a_run_records_itself_and_its_record_goes_when_it_ends(tmp_path):
    state = tmp_path / ".snakemake"
    record_owner(state)
    (record,) = (state / OWNERS).iterdir()
    assert json.loads(record.read_text()) == {"host": socket.gethostname(), "pid": os.getpid()}
    release_owner(state)
    assert not list((state / OWNERS).iterdir())
