"""Plots of the fairseq-vs-HF comparison report (matplotlib, headless)."""
from __future__ import annotations

from ftlib.core.plots import plt, save_figure  # matplotlib, headless (Agg)

COLORS = {("fairseq", "pretrained"): "tab:blue", ("fairseq", "scratch"): "tab:orange",
          ("hf", "pretrained"): "tab:green", ("hf", "scratch"): "tab:red"}
STYLES = ["-", "--", ":", "-."]


def plot_valid_accuracy_both(runs: list[dict], path, title: str) -> None:
    """Valid accuracy per epoch of every run: colour = (toolkit, init), line style = seed."""
    fig, ax = plt.subplots(figsize=(8, 5))
    seeds = sorted({run["seed"] for run in runs})
    for run in runs:
        key = (run["toolkit"], run["init"])
        ax.plot([e["epoch"] for e in run["epochs"]], [e["valid_accuracy"] for e in run["epochs"]],
                color=COLORS.get(key, "gray"), linestyle=STYLES[seeds.index(run["seed"]) % len(STYLES)],
                marker="o", markersize=3, label=f"{run['toolkit']} {run['init']} seed {run['seed']}")
        ax.plot([run["best_epoch"]], [run["best_valid_accuracy"]], marker="*", markersize=11,
                color=COLORS.get(key, "gray"))
    ax.set_xlabel("epoch")
    ax.set_ylabel("valid accuracy (%)")
    save_figure(fig, ax, path, title + "  (★ = best-valid epoch)", legend=dict(fontsize=7, ncol=2))


def plot_lr_curves(curves: dict, path, title: str) -> None:
    """Learning rate per update, one line per run ({label: [(step, lr), ...]})."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for (label, points), style in zip(curves.items(), [dict(linestyle="-", linewidth=3, alpha=0.5),
                                                       dict(linestyle="--", marker="x", markersize=4)]):
        ax.plot([s for s, _ in points], [v for _, v in points], label=label, **style)
    ax.set_xlabel("update")
    ax.set_ylabel("learning rate")
    save_figure(fig, ax, path, title, legend={})
