"""Snakemake script: the variance-by-source report (reports/<task>/variance.md and variance.png)
from the study's runs (rules/variance.smk): per init, each source's test accuracies over its
seeds, their spread with a 95 % interval of the standard deviation, each source's share of the
summed variances, and Levene's test of equal variances across the sources (scipy)."""
import json
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.plots import plt, save_figure
from ftlib.core.runs_table import read_run_predictions
from ftlib.core.stats import group_summary
from ftlib.core.stats_report import TWO_LEVEL_HEADER, mean_sd, p_value, two_level_cell
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_text_atomic

WHAT = {"init": "initial weights (the new head; every weight from scratch)",
        "data_order": "order of the training examples (data_seed)",
        "dropout": "dropout masks (Trainer's seed)"}
# How data_seed sets the order, by the recipe's batching: said under the table's intro.
ORDER_NOTE = {
    "length_grouped": "**Data order.** With this recipe's `batching: length_grouped`, each epoch's batches "
                      "are the fairseq branch's (ftlib/data/length_groups.py: random groups sorted by "
                      "length, the batches shuffled), drawn from `data_seed` and the epoch alone; the "
                      "dropout masks come from torch's generator, seeded by the Trainer's `seed`, which "
                      "the order never draws from. So the three sources are separate.",
    "shuffled": "**Data order.** With this recipe's `batching: shuffled`, the order is transformers' "
                "random sampler, seeded by `data_seed` (accelerate's seedable sampler); the dropout "
                "masks come from the Trainer's `seed`.",
}


def std_interval(std: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The chi-square interval of a standard deviation from n normal draws (scipy)."""
    from scipy.stats import chi2

    low, high = chi2.ppf([(1 + confidence) / 2, (1 - confidence) / 2], n - 1)
    return ((n - 1) * std**2 / low) ** 0.5, ((n - 1) * std**2 / high) ** 0.5


def read_groups(paths: list[str]) -> dict:
    """{(init, source): [(seed, test accuracy, run folder)]} from the runs' metrics.json."""
    groups = {}
    for path in map(Path, paths):
        metrics = json.loads(path.read_text())
        init, source, seed = path.parts[-4], path.parts[-3], int(path.parts[-2].removeprefix("seed"))
        groups.setdefault((init, source), []).append((seed, metrics["test_accuracy"], path.parent))
    return {key: sorted(runs) for key, runs in groups.items()}


def init_lines(init: str, sources: list[str], groups: dict) -> tuple[list[str], dict]:
    from scipy.stats import levene

    accs = {s: [acc for _, acc, _ in groups[init, s]] for s in sources}
    summaries = {s: group_summary(accs[s]) for s in sources}
    total = sum(summaries[s]["std"] ** 2 for s in sources)
    rows = []
    for s in sources:
        summary, n = summaries[s], len(accs[s])
        low, high = std_interval(summary["std"], n)
        tables = [read_run_predictions(folder) for _, _, folder in groups[init, s]]
        share = f"{100 * summary['std'] ** 2 / total:.0f} %" if total > 0 else "n/a"
        rows.append([s, WHAT[s], " / ".join(f"{a:.1f}" for a in accs[s]), mean_sd(summary),
                     f"[{low:.2f}, {high:.2f}]", share, two_level_cell(tables)])
    lines = [f"### {init}", ""]
    lines += markdown_table(["source varied", "what it sets", "test acc. per seed", "mean ± std (ddof=1)",
                             "95 % interval of the std", "share of the summed variances", TWO_LEVEL_HEADER], rows)
    if total > 0 and all(len(a) >= 2 for a in accs.values()) and len(sources) > 1:
        test = levene(*accs.values(), center="median")
        lines += ["", f"Levene's test (median-centred) of equal variances across the sources: "
                  f"W = {test.statistic:.2f}, p = {p_value(test.pvalue)}."]
    return lines + [""], accs


def plot(accs_by_init: dict, sources: list[str], path, title: str) -> None:
    fig, axes = plt.subplots(1, len(accs_by_init), figsize=(4.5 * len(accs_by_init), 4), squeeze=False)
    for ax, (init, accs) in zip(axes[0], accs_by_init.items()):
        for x, source in enumerate(sources):
            values = accs[source]
            ax.scatter([x] * len(values), values, alpha=0.7)
            ax.hlines(sum(values) / len(values), x - 0.25, x + 0.25, color="black")
        ax.set_xticks(range(len(sources)), sources)
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(init)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    save_figure(fig, axes[0][-1], path, axes[0][-1].get_title())


def main():
    study, task = snakemake.params.variance, snakemake.params.task
    sources = list(study["sources"])
    groups = read_groups(snakemake.input.runs)
    lines = [f"# Variance by source ({task['name']})", "",
             f"The HF branch's runs of `finetune.{task['mode']}`, each source of randomness varied alone over "
             f"seeds {study['seeds']}, the others held at seed {study['fixed_seed']} (config `variance`). "
             "fairseq's `--seed` sets all of them at once, so a seed spread cannot say which one matters; "
             "here each source's spread is measured on its own. Test accuracy at the best-valid epoch. "
             "The interval of a std assumes normal draws (chi-square, scipy); with "
             f"{len(study['seeds'])} seeds it is wide: read the shares as rough. A source whose share is "
             "small can be fixed without narrowing what a comparison can detect; the others cannot.", ""]
    lines += [ORDER_NOTE[snakemake.params.batching], ""]
    accs_by_init = {}
    for init in study["inits"]:
        init_text, accs_by_init[init] = init_lines(init, sources, groups)
        lines += init_text
    lines += [f"![test accuracy by source]({Path(snakemake.output.plot).name})"]
    plot(accs_by_init, sources, snakemake.output.plot, f"variance by source ({task['name']})")
    write_text_atomic(snakemake.output.report, "\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
