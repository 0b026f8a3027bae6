"""The whole experiment's predicted wall time: every training job of `all` in real mode with its
predicted duration, scheduled onto the slots `snakemake --cores N` opens (N / threads.train jobs
at once), longest job first."""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    branch: str
    name: str
    seconds: float


def makespan(seconds: list[float], slots: int) -> float:
    """Wall time of running jobs of these durations on ``slots`` parallel slots, longest first,
    each to the slot that frees first (LPT list scheduling: at most 4/3 of the optimum)."""
    if slots < 1:
        raise ValueError(f"makespan needs at least one slot, got {slots}")
    loads = [0.0] * min(slots, max(1, len(seconds)))
    for duration in sorted(seconds, reverse=True):
        heapq.heapreplace(loads, loads[0] + duration)
    return max(loads)


def lower_bound(seconds: list[float], slots: int) -> float:
    """No schedule beats the longest job or the total work spread evenly over the slots."""
    return max(max(seconds, default=0.0), sum(seconds) / slots)


def classifier_job_seconds(epochs: int, n_train: int, batch_size: int, step_seconds: float, valid_seconds: float,
                           test_seconds: float, test_passes: int) -> float:
    """One fine-tuning job: epochs × (updates × mean step + valid) + test_passes × test (once, the
    recipe's test_eval best_checkpoint, or after every epoch: Recipe.test_passes)."""
    return (epochs * (math.ceil(n_train / batch_size) * step_seconds + valid_seconds)
            + test_passes * test_seconds)


def bloom_job_seconds(train: dict, heldout: int, max_new_tokens: int, timing: dict) -> float:
    """The BLOOM job: held-out loss and generation before and after tuning, max_steps × grad_accum
    micro-steps, and the held-out loss every eval_every steps (generations assumed to run to
    max_new_tokens: an upper bound once the tuned model stops at EOS)."""
    before_after = 2 * heldout * (timing["forward_seconds"] + max_new_tokens * timing["seconds_per_new_token"])
    steps = train["max_steps"] * train["grad_accum"] * timing["micro_step_seconds"]
    curve = math.ceil(train["max_steps"] / train["eval_every"]) * heldout * timing["forward_seconds"]
    return before_after + steps + curve


def schedule_table(jobs: list[Job], slot_counts: list[int]) -> list[dict]:
    """Per branch and for everything: job count, total job time, and the predicted wall time
    with its lower bound on each slot count."""
    groups = {"all": jobs}
    for job in jobs:
        groups.setdefault(job.branch, []).append(job)
    rows = []
    for name, members in groups.items():
        durations = [job.seconds for job in members]
        rows.append({"group": name, "jobs": len(members), "job_seconds": sum(durations),
                     "longest_seconds": max(durations),
                     **{f"wall_{slots}": makespan(durations, slots) for slots in slot_counts},
                     **{f"bound_{slots}": lower_bound(durations, slots) for slots in slot_counts}})
    return rows
