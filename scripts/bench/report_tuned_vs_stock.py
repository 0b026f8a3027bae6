"""Snakemake script: the tuned recipe against the stock one, same seeds and inits ("same math").

The speed levers change which reviews share a batch (length grouping), the optimizer's
kernel (same update), when test is evaluated (same number) and, on a non-Intel CPU, which dropout
masks are drawn (same Bernoulli law; the stock runs keep torch's). So per-update losses differ
by batch content, while the per-epoch train loss and the final accuracies should agree
within seed noise: this report shows both, with the noise estimated from the seeds.
"""
import math
import statistics
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.metrics import read_scalars
from ftlib.core.plots import COLORS, plt, save_figure
from ftlib.core.runs_table import read_predictions, read_runs
from ftlib.core.stats import group_summary
from ftlib.core.stats_report import mean_sd, statistics_lines
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_text_atomic


def load(table) -> dict:
    """{(init, seed): the run's row + its per-update and per-epoch train losses (TensorBoard)}."""
    runs = {}
    for _, row in table.iterrows():
        run = dict(row)
        tensorboard = Path(row.run_dir) / "tensorboard"
        run["update_loss"] = read_scalars(tensorboard, "train_inner", "loss")
        run["epoch_loss"] = [loss for _, loss in read_scalars(tensorboard, "train", "loss")]
        if len(run["epoch_loss"]) != len(row.valid_accuracy_per_epoch):
            raise ValueError(f"{tensorboard}: {len(run['epoch_loss'])} train loss events for "
                             f"{len(row.valid_accuracy_per_epoch)} epochs")
        runs[row.run, row.seed] = run
    return runs


def noise_verdict(stock: list[float], tuned: list[float], digits: int = 2) -> str:
    """Difference of the means against two standard errors of that difference (seeds as samples)."""
    diff = statistics.mean(tuned) - statistics.mean(stock)
    if len(stock) < 2:
        return f"Δ {diff:+.{digits}f} (one seed: no estimate of the noise)"
    two_se = 2 * math.sqrt((statistics.variance(stock) + statistics.variance(tuned)) / len(stock))
    verdict = "within" if abs(diff) <= two_se else "**outside**"
    return f"Δ {diff:+.{digits}f}, {verdict} seed noise (2 SE = {two_se:.{digits}f})"


def main():
    table = read_runs(snakemake.input.tuned, snakemake.input.stock)
    tuned, stock = (load(table[table.branch == branch]) for branch in ("fairseq", "fairseq_stock"))
    if stock.keys() != tuned.keys():
        raise ValueError(f"runs differ: stock {sorted(stock)} vs tuned {sorted(tuned)}")
    changed = {k: (v, snakemake.params.tuned_hp.get(k)) for k, v in snakemake.params.stock_hp.items()
               if snakemake.params.tuned_hp.get(k) != v}
    inits = sorted({init for init, _ in tuned})
    md = ["# Tuned vs stock fairseq recipe", "",
          "Same data, inits, seeds and hyperparameters; the speed levers differ: " +
          ", ".join(f"`{k}` {old} → {new}" for k, (old, new) in changed.items()) + ".", ""]
    per_seed = []
    for key in sorted(tuned):
        s, t = stock[key], tuned[key]
        per_seed.append([key[0], key[1], f"{s['test_accuracy']:.1f}", f"{t['test_accuracy']:.1f}",
                         s["best_epoch"], t["best_epoch"], f"{s['wall_seconds']:.0f}", f"{t['wall_seconds']:.0f}"])
    md += markdown_table(["init", "seed", "stock test acc", "tuned test acc", "stock best epoch", "tuned best epoch",
                          "stock wall s", "tuned wall s"], per_seed)
    walls = []
    for init in inits:
        keys = sorted(k for k in tuned if k[0] == init)
        total = {name: sum(runs[k]["wall_seconds"] for k in keys) for name, runs in (("stock", stock), ("tuned", tuned))}
        walls.append([init, f"{total['stock']:.0f}", f"{total['tuned']:.0f}", f"{total['tuned'] / total['stock']:.2f}"])
    md += [""] + markdown_table(["init", "stock wall s (all seeds)", "tuned wall s", "tuned / stock"], walls)
    md += ["", "## Same accuracy? Tuned against stock, per init", ""]
    md += statistics_lines(table, read_predictions(table),
                           [(f"{init}: tuned vs stock", ("fairseq", init), ("fairseq_stock", init)) for init in inits],
                           heading="###")

    md += ["", "## Train loss", "", "Train loss per epoch (fairseq's epoch average of the per-update losses, base 2), "
           "mean ± sample std over seeds:", ""]
    epoch_rows = []
    first_epoch_gap = 0.0
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for init in inits:
        keys = sorted(k for k in tuned if k[0] == init)
        for name, runs, style in (("stock", stock, "--"), ("tuned", tuned, "-")):
            per_update = [statistics.mean(run["update_loss"][i][1] for run in (runs[k] for k in keys))
                          for i in range(min(len(runs[k]["update_loss"]) for k in keys))]
            steps = [step for step, _ in runs[keys[0]]["update_loss"]][: len(per_update)]
            ax.plot(steps, per_update, linestyle=style, color=COLORS.get(init, "gray"), alpha=0.8,
                    label=f"{init}, {name}")
        for epoch in range(len(tuned[keys[0]]["epoch_loss"])):
            losses = {name: [runs[k]["epoch_loss"][epoch] for k in keys] for name, runs in (("stock", stock), ("tuned", tuned))}
            cells = [mean_sd(group_summary(losses[name]), 4, 4) for name in ("stock", "tuned")]
            if epoch == 0:
                first_epoch_gap = max(first_epoch_gap, abs(statistics.mean(losses["tuned"]) / statistics.mean(losses["stock"]) - 1))
            epoch_rows.append([init, epoch + 1] + cells + [noise_verdict(losses["stock"], losses["tuned"], digits=4)])
    md += markdown_table(["init", "epoch", "stock", "tuned", "difference"], epoch_rows)
    ax.set_xlabel("update")
    ax.set_ylabel("train loss (mean over seeds)")
    save_figure(fig, ax, snakemake.output.plot, "Per-update train loss, stock (dashed) vs tuned (solid)",
                legend=dict(fontsize=8))
    md += ["", f"First epoch's mean train loss: tuned within {first_epoch_gap:.1%} of stock. Per-update "
           "losses differ by batch content (grouped batches hold other reviews), so the plot "
           f"(`{Path(snakemake.output.plot).name}`) shows the curves, not an update-by-update match; "
           "the update-by-update match of the optimizer alone and the padding invariance of each "
           "review's output are asserted in tests/test_tuned_path.py and tests/test_length_grouped.py.", ""]
    write_text_atomic(snakemake.output.report, "\n".join(md))
    print("\n".join(md), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
