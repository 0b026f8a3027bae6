"""Plots of the reports (matplotlib, headless)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display on build machines and cluster nodes
import matplotlib.pyplot as plt  # noqa: E402

def save_figure(fig, ax, path, title: str, legend: dict | None = None, grid_which: str = "major") -> None:
    """The finish every report plot shares: title, grid, legend, tight layout, PNG, close."""
    ax.set_title(title)
    ax.grid(alpha=0.3, which=grid_which)
    if legend is not None:
        ax.legend(**legend)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


COLORS = {"pretrained": "tab:blue", "scratch": "tab:orange"}
STYLES = ["-", "--", ":", "-."]


def plot_valid_accuracy(runs: list[dict], path, title: str) -> None:
    """Valid accuracy per epoch, one line per run: colour = init, line style = seed."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    seeds = sorted({run["seed"] for run in runs})
    for run in runs:
        epochs = [e["epoch"] for e in run["epochs"]]
        ax.plot(epochs, [e["valid_accuracy"] for e in run["epochs"]],
                color=COLORS.get(run["init"], "gray"), linestyle=STYLES[seeds.index(run["seed"]) % len(STYLES)],
                marker="o", markersize=3, label=f"{run['init']} seed {run['seed']}")
        best = run["best_epoch"]
        ax.plot([best], [run["best_valid_accuracy"]], marker="*", markersize=11,
                color=COLORS.get(run["init"], "gray"))
    ax.set_xlabel("epoch")
    ax.set_ylabel("valid accuracy (%)")
    save_figure(fig, ax, path, title + "  (★ = best-valid epoch)", legend=dict(fontsize=8, ncol=2))
