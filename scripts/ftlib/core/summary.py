"""The cross-task summary's table and plot (scripts/report/report_summary.py): per task, branch and
run, the seeds' mean, sample std and 95 % t-interval of test accuracy, beside the task's reference."""
from __future__ import annotations

from ftlib.core.metrics import format_mean_std
from ftlib.core.plots import plt, save_figure
from ftlib.core.stats import format_interval, group_summary
from ftlib.core.stats_report import mean_sd


def reference_cell(task: dict, branch: str, run: str) -> str:
    """The task's published results for this branch and init, one `source: mean` each."""
    found = [(r["source"], r["seeds"]) for r in task["references"] if r["branch"] == branch and r["init"] == run]
    return "; ".join(f"{source}: {format_mean_std(seeds)}" for source, seeds in found) or "—"


def summary_rows(tasks: list[dict], tables: list) -> tuple[list[list], list[dict]]:
    rows, points = [], []
    for task, runs in zip(tasks, tables):
        runs = runs[runs.test_accuracy.notna()]  # classification runs (BLOOM has no test accuracy)
        for (branch, run), group in runs.groupby(["branch", "run"], sort=False):
            s = group_summary(group.test_accuracy.tolist())
            rows.append([task["name"], branch, run, s["n"], mean_sd(s), format_interval(s["low"], s["high"]),
                         reference_cell(task, branch, run)])
            points.append({"task": task["name"], "label": f"{branch} {run}", **s})
    return rows, points


def plot(points: list[dict], path) -> None:
    """Mean test accuracy with its 95 % t-interval, one row per branch and run, a colour per task."""
    labels = list(dict.fromkeys(p["label"] for p in points))
    tasks = list(dict.fromkeys(p["task"] for p in points))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(labels) + 1.5))
    for k, task in enumerate(tasks):
        offset = (k - (len(tasks) - 1) / 2) * 0.8 / len(tasks)
        mine = [p for p in points if p["task"] == task]
        ys = [labels.index(p["label"]) + offset for p in mine]
        errors = [[p["mean"] - p["low"] if p["low"] == p["low"] else 0 for p in mine],
                  [p["high"] - p["mean"] if p["high"] == p["high"] else 0 for p in mine]]
        ax.errorbar([p["mean"] for p in mine], ys, xerr=errors, fmt="o", capsize=3, label=task)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("test accuracy (%), mean over seeds with its 95 % t-interval")
    save_figure(fig, ax, path, "Every task of the run", legend=dict(fontsize=8))
