"""A run killed with SIGKILL (a laptop lid, the OOM killer, a lost SSH session, a cluster's time
limit) recovers with the README's command: the stale lock is removed, the unfinished jobs are
redone, and a killed fine-tuning seed continues from its last finished epoch, with the same
numbers as a run never interrupted (equal, not close: CPU runs are deterministic)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONFIGS, REPO, job_counts, run_snakemake, seed_workdir, snakemake_command, snakemake_env
from ftlib.core.cpu import cpu_vendor

sys.path.insert(0, str(REPO / "tools"))
from compare_runs import without_measurements  # noqa: E402

STALE = "removed the lock left by a killed run"


def kill_group_when(proc: subprocess.Popen, ready, timeout: float = 900) -> None:
    """SIGKILL the run's whole process group (Snakemake and its jobs) as soon as ``ready()``."""
    deadline = time.time() + timeout
    while not ready():
        if proc.poll() is not None:
            pytest.fail("the run ended before the point where it was to be killed")
        if time.time() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"not ready to be killed after {timeout} s")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def start(workdir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(snakemake_command(workdir, *args, configfile=None), cwd=workdir, env=snakemake_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def text(path: Path) -> str:
    return path.read_text(errors="replace") if path.is_file() else ""


def same_numbers(a: Path, b: Path) -> None:
    left, right = (without_measurements(json.loads(p.read_text())) for p in (a, b))
    assert left == right, f"{a} and {b} differ"


FAIRSEQ_SAVED = re.compile(r"Saved checkpoint \S+ \(epoch 2 @")
TRAINER_SAVED = re.compile(r"^epoch 2: checkpoint saved$", re.M)
LONGER = "finetune:\n  demo: {max_epoch: 20}\n"  # epochs 3-20: seconds to be killed in
TUNED = "finetune:\n  demo: {max_epoch: 20, optimizer: adamw_fused, test_eval: best_checkpoint}\n"
PEFT_LONGER = "peft:\n  demo:\n    hp:\n      all: {max_epoch: 20}\n"
CASES = {  # run: (rule, log name, when to kill, config)
    "fairseq/pretrained": ("finetune_fairseq", "pretrained_seed0", FAIRSEQ_SAVED, LONGER),
    "fairseq/scratch": ("finetune_fairseq", "scratch_seed0", FAIRSEQ_SAVED, TUNED),  # the shipped levers
    "hf/pretrained": ("finetune_hf", "pretrained_seed0", TRAINER_SAVED, TUNED),  # test once: best weights kept
    "peft/demo-roberta/lora_q_r4": ("finetune_peft", "demo-roberta/lora_q_r4_seed0", TRAINER_SAVED, PEFT_LONGER),
}


@pytest.mark.parametrize("run", CASES)
def test_a_killed_seed_resumes_from_its_last_epoch_with_the_same_numbers(demo_run, tmp_path, run):
    rule, log_name, saved, extra = CASES[run]
    longer = tmp_path / "longer.yaml"
    longer.write_text(extra)
    target = f"runs/demo/{run}/seed0/metrics.json"
    args = (target, "--allowed-rules", rule, "--configfile", str(CONFIGS / "demo_small.yaml"), str(longer))

    whole = seed_workdir(demo_run, tmp_path / "whole")
    run_snakemake(whole, *args, configfile=None)

    killed = seed_workdir(demo_run, tmp_path / "killed")
    log = killed / f"logs/demo/{rule}/{log_name}.log"
    kill_group_when(start(killed, *args), lambda: saved.search(text(log)))
    assert not (killed / target).exists()
    assert list((killed / ".snakemake/locks").glob("*.lock")), "the kill left no lock: nothing tested"

    rerun = run_snakemake(killed, *args, configfile=None)  # as the README runs it: no --unlock
    assert STALE in rerun.stdout + rerun.stderr
    assert "resuming the killed attempt" in text(log)
    same_numbers(whole / target, killed / target)
    assert json.loads((killed / target).read_text())["epochs"][-1]["epoch"] == 20
    assert not (killed / Path(target).parent / "in_progress").exists()


def test_the_same_seed_in_another_folder_gives_the_same_numbers(demo_run, tmp_path):
    # the session's reduced demo ran these seeds once; here again, from the same inputs
    runs = ["runs/demo/fairseq/pretrained/seed0/metrics.json", "runs/demo/hf/pretrained/seed0/metrics.json"]
    again = seed_workdir(demo_run, tmp_path / "again")
    run_snakemake(again, *runs, "--allowed-rules", "finetune_fairseq", "finetune_hf")
    for run in runs:
        same_numbers(demo_run / run, again / run)
    assert json.loads((again / runs[1]).read_text())["test_predictions"]  # the HF run's, example by example


SEED = "runs/demo/fairseq/pretrained/seed0"
TRAINING = re.compile(r"begin training epoch 1")


def finished_copy(demo_run: Path, path: Path) -> Path:
    """A copy of the finished reduced demo (results and Snakemake's records)."""
    import shutil

    return Path(shutil.copytree(demo_run, path, symlinks=True))


def test_a_killed_forced_rerun_is_redone_by_the_plain_command(demo_run, tmp_path):
    """The README's way to redo a seed deletes its outputs first: killed in training, the seed's
    files are gone while the reports above them remain; the plain command must bring them back."""
    work = finished_copy(demo_run, tmp_path / "work")
    log = work / "logs/demo/finetune_fairseq/pretrained_seed0.log"
    log.unlink()
    config = ("--configfile", str(CONFIGS / "demo_small.yaml"))
    kill_group_when(start(work, "all", "--forcerun", f"{SEED}/metrics.json", *config),
                    lambda: TRAINING.search(text(log)))
    assert not (work / SEED / "metrics.json").exists()  # Snakemake removed the outputs before the job
    run_snakemake(work, "all")
    for name in ("metrics.json", "run.json"):
        same_numbers(demo_run / SEED / name, work / SEED / name)
    assert (work / SEED / "predictions.tsv").read_text() == (demo_run / SEED / "predictions.tsv").read_text()


def test_a_deleted_run_file_is_remade_by_the_plain_command(demo_run, tmp_path):
    """The plain command schedules the seed whose metrics.json was deleted (the run itself is the
    killed-rerun test's), and the reports above it."""
    work = finished_copy(demo_run, tmp_path / "work")
    (work / SEED / "metrics.json").unlink()
    counts = job_counts(run_snakemake(work, "-n", "all").stdout)
    assert counts["finetune_fairseq"] == 1 and counts["report_fairseq"] == 1


def test_dropout_masks_are_the_generators_words_in_pairs_except_on_intel():
    """docs/usage.md: the same seed trains with other dropout masks on an Intel CPU (torch's MKL
    path) than elsewhere (its Mersenne Twister: each mask element one 53-bit uniform from two
    32-bit words). numpy's MT19937, seeded as torch seeds it, gives the words."""
    import numpy as np
    import torch

    if not Path("/proc/cpuinfo").is_file():
        pytest.skip("no /proc/cpuinfo: the CPU's vendor is unknown")
    torch.manual_seed(0)
    masks = torch.empty(2000).bernoulli_(0.9).numpy().astype(bool)
    words = np.random.MT19937()
    words._legacy_seeding(0)  # MT19937's init_genrand(seed), as torch.manual_seed
    raw = words.random_raw(2 * masks.size).astype(np.uint64)
    uniform = (((raw[0::2] << np.uint64(32)) | raw[1::2]) & np.uint64(2**53 - 1)) * 2.0**-53
    assert np.array_equal(masks, uniform < 0.9) == (cpu_vendor() != "GenuineIntel"), cpu_vendor()
