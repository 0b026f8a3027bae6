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


def plot_pretraining_curve(points: list[dict], random_accuracy: float, path, title: str) -> None:
    """Probe accuracy and fill-mask agreement of the masked LM against its updates: where the
    checkpoint starts to carry the label's signal."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    updates = [p["updates"] for p in points]
    ax.plot(updates, [p["probe_mean"] for p in points], marker="o", color="tab:blue",
            label="probe, pretrained (mean-pooled)")
    ax.axhline(random_accuracy, color="tab:orange", linestyle="--", label="probe, random-init encoder")
    ax.set_xlabel("masked-LM updates")
    ax.set_ylabel("probe test accuracy (%)")
    right = ax.twinx()
    right.plot(updates, [100 * p["fill_mask_agreement"] for p in points], marker="s", color="tab:green",
               linestyle=":", label="fill-mask agreement (right)")
    right.set_ylabel("fill-mask agreement (%; 50 = none)")
    right.set_ylim(40, 100)
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="lower right")
    save_figure(fig, ax, path, title)
