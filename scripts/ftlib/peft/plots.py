"""The PEFT report's plot: test accuracy against trainable parameters (log scale)."""
from __future__ import annotations

from matplotlib.ticker import FuncFormatter, NullFormatter

from ftlib.core.plots import plt, save_figure  # matplotlib, headless (Agg)

KIND_COLORS = {"full": "black", "bitfit": "tab:green", "lora": "tab:blue", "adapter": "tab:purple",
               "prompt": "tab:orange", "ia3": "tab:red"}

# One marker per method (in the report's order), so methods of one kind (one colour) still differ.
MARKERS = ["o", "s", "^", "v", "D", "P", "X", "<", ">", "p", "h", "*"]


def plot_accuracy_vs_params(rows: list[dict], path, title: str) -> None:
    """One point per method: mean test accuracy over seeds, error bar = sample std (ddof=1).
    Methods are named in a legend beside the axes, not by text at the points: near-equal points
    (the LoRA variants, BitFit, (IA)^3) made those labels overlap. Each entry carries the point's
    values too, so a method stays readable where its marker sits under another's."""
    fig, ax = plt.subplots(figsize=(9.5, 4.8))
    for i, row in enumerate(rows):
        color = KIND_COLORS.get(row["kind"], "gray")
        spread = None if row["std"] != row["std"] else [row["std"]]  # nan: one seed, no spread
        ax.errorbar([row["trainable"]], [row["mean"]], yerr=spread, fmt=MARKERS[i % len(MARKERS)], color=color,
                    ecolor=color, elinewidth=1, capsize=3, alpha=0.8, markersize=8, markerfacecolor="none",
                    markeredgewidth=1.5, label=f"{row['method']} ({row['trainable']:,}; {row['mean']:.1f} %)")
    ax.set_xscale("log")
    low, high = min(r["trainable"] for r in rows), max(r["trainable"] for r in rows)
    if high / low < 10:  # within one decade the log axis labels its minor ticks, which overlap
        ax.set_xlim(low / 3.2, high * 3.2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("trainable parameters (log scale)")
    ax.set_ylabel("test accuracy at the best-valid epoch (%)")
    save_figure(fig, ax, path, title, grid_which="both",
                legend=dict(title="method (trainable; test acc.)", fontsize=8, loc="upper left",
                            bbox_to_anchor=(1.01, 1.0)))  # beside the axes, over no point
