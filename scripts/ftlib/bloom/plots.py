"""The BLOOM report's loss curves (matplotlib, headless)."""
from __future__ import annotations

from ftlib.core.plots import plt, save_figure  # matplotlib, headless (Agg)


def plot_bloom_losses(train_curve: list[dict], heldout_curve: list[dict], heldout_before: float,
                      path, title: str) -> None:
    """Training loss per optimizer step and held-out loss (step 0: before fine-tuning)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot([e["step"] for e in train_curve], [e["loss"] for e in train_curve],
            color="tab:blue", alpha=0.7, label="training loss")
    ax.plot([0] + [e["step"] for e in heldout_curve], [heldout_before] + [e["heldout_loss"] for e in heldout_curve],
            color="tab:orange", marker="o", markersize=3, label="held-out loss")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss (nats per token)")
    save_figure(fig, ax, path, title, legend={})
