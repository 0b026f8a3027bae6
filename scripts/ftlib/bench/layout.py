"""The thread layout of a CPU machine: one training job with every core, or one job per core.

Small matrix products scale poorly across threads, so two 1-thread jobs side by side may finish
more seeds per hour than one 2-thread job at a time; but two jobs share the memory bandwidth and
caches, so a 1-thread job runs slower beside another than alone. All three runs train the same
first updates (same seed, same batch order), so their per-update times compare like for like.
"""
from __future__ import annotations

import statistics


def layout_summary(two_threads: list[float], one_alone: list[float], one_beside: list[list[float]],
                   seed_seconds_two_threads: float, cores: int = 2) -> dict:
    """Seeds per hour of both layouts on ``cores`` cores, from the per-update times of the same
    first updates: ``two_threads`` (one job with every core), ``one_alone`` (1 thread, nothing
    beside it) and ``one_beside`` (each of ``cores`` 1-thread jobs run together).

    A seed's time scales with its update time (evaluation is assumed to scale the same way):
    layout A finishes 3600 / seed seconds; layout B finishes ``cores`` seeds in seed seconds ×
    (1-thread-beside / all-threads)."""
    n = min(len(two_threads), len(one_alone), *(len(run) for run in one_beside))
    if n < 1:
        raise ValueError("thread layout: no timed update to compare")
    s_all = statistics.mean(two_threads[:n])
    s_alone = statistics.mean(one_alone[:n])
    s_beside = statistics.mean(statistics.mean(run[:n]) for run in one_beside)
    one_job = 3600 / seed_seconds_two_threads
    per_core = cores * 3600 / (seed_seconds_two_threads * s_beside / s_all)
    return {
        "updates_compared": n, "cores": cores,
        "seconds_per_update": {"all_threads": s_all, "one_thread_alone": s_alone, "one_thread_beside": s_beside},
        "thread_scaling": s_alone / s_all,          # speed-up of one job from 1 to `cores` threads
        "contention": s_beside / s_alone,          # slow-down of a 1-thread job beside the others
        "one_thread_over_all_threads": s_beside / s_all,
        "seeds_per_hour": {"one_job_all_threads": one_job, "one_job_per_core": per_core},
        "better": "one_job_per_core" if per_core > one_job else "one_job_all_threads",
    }
