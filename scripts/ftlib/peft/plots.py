"""The PEFT report's plot: test accuracy against trainable parameters (log scale)."""
from __future__ import annotations

from ftlib.core.plots import plt, save_figure  # matplotlib, headless (Agg)

KIND_COLORS = {"full": "black", "bitfit": "tab:green", "lora": "tab:blue", "adapter": "tab:purple",
               "prompt": "tab:orange", "ia3": "tab:red"}


def plot_accuracy_vs_params(rows: list[dict], path, title: str) -> None:
    """One point per method: mean test accuracy over seeds, error bar = sample std (ddof=1)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for row in rows:
        color = KIND_COLORS.get(row["kind"], "gray")
        spread = None if row["std"] != row["std"] else [row["std"]]  # nan: one seed, no spread
        ax.errorbar([row["trainable"]], [row["mean"]], yerr=spread, fmt="o", color=color,
                    ecolor=color, capsize=4, markersize=6)
        ax.annotate(row["method"], (row["trainable"], row["mean"]), textcoords="offset points",
                    xytext=(5, 5), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("trainable parameters (log scale)")
    ax.set_ylabel("test accuracy at the best-valid epoch (%)")
    save_figure(fig, ax, path, title, grid_which="both")
