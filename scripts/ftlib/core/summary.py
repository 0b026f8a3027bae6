"""The summary's table and plot (scripts/report/report_summary.py): per task, branch and run, the
seeds' mean, sample std and 95 % t-interval of test accuracy, beside each published reference with
its verdict (ftlib.core.verdict)."""
from __future__ import annotations

from ftlib.core.metrics import format_mean_std
from ftlib.core.plots import plt, save_figure
from ftlib.core.reference import judged, published_seeds
from ftlib.core.stats import group_summary
from ftlib.core.stats_report import mean_sd, t_interval_cell
from ftlib.core.verdict import judge
from ftlib.core.studies import for_scale_cell


def references(task: dict, branch: str, run: str, kind, peft: dict) -> list[tuple[str, object, bool]]:
    """(reference cell, published seeds or value, whether it gets a verdict) of one group: the task
    sheet's references for fairseq and HF (a verdict unless the sheet marks them for scale); for a
    PEFT method, the run's own study's row on this task (config peft.study, its value taken as
    exact), else the other preset studies' methods of its kind, for scale. ``peft``: {study, studies}."""
    if branch != "peft":
        return [(f"{source}: {format_mean_std(seeds)}", seeds, judged(task))
                for source, seeds in published_seeds(task, branch, run).items()]
    study = peft["study"]
    own = [(f"{study['name']}: {row['value']:.1f}", row["value"], True) for row in study.get("accuracy", [])
           if row["task"] == task["name"] and row["method"] == run]
    scale = for_scale_cell(peft["studies"], kind, exclude=study.get("name", ""))
    return own or ([(f"other studies: {scale}", None, False)] if scale != "—" else [])


def summary_rows(tasks: list[dict], tables: list, settings: dict, peft: dict) -> tuple[list[list], list[dict]]:
    """One row per (task, branch, run, reference): this run's seeds (mean ± sample std, n, the
    t-interval) beside the reference and its verdict (``settings``: config `verdict`); a group
    without a reference has one row, — in both."""
    rows, points = [], []
    for task, runs in zip(tasks, tables):
        runs = runs[runs.test_accuracy.notna()]  # classification runs (BLOOM has no test accuracy)
        for (branch, run), group in runs.groupby(["branch", "run"], sort=False):
            accs = group.sort_values("seed").test_accuracy.tolist()
            s = group_summary(accs)
            kind = group["kind"].iloc[0] if "kind" in group else None
            mine = [task["name"], branch, run, f"{mean_sd(s)} (n={s['n']})", t_interval_cell(s)]
            found = references(task, branch, run, kind, peft)
            rows += [mine + [cell, judge(accs, published, settings, verdict)] for cell, published, verdict in found]
            if not found:
                rows.append(mine + ["—", "—"])
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
