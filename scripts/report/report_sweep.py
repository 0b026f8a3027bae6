"""Snakemake script: the sweep's report (reports/<task>/sweep.md) from its runs table
(reports/<task>/runs/fairseq_sweep.csv, every setting and seed): one row per setting with its statistics, the best setting chosen by mean valid accuracy
(never by test), and the expected best valid accuracy against the number of runs tried (Dodge et
al. 2019), plotted. Each run's predictions.tsv (in its run_dir; written by the job that writes its
run.json) gives the test interval over seeds and test examples."""
from ftlib.core.errors import run_step
from ftlib.core.plots import plt, save_figure
from ftlib.core.runs_table import read_run_predictions, read_runs
from ftlib.core.stats import expected_max, group_summary
from ftlib.core.stats_report import (INTERVALS_TEXT, T_HEADER, TWO_LEVEL_HEADER, mean_sd, t_interval_cell,
                                      two_level_cell)
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_text_atomic


def main():
    runs = read_runs(snakemake.input[0])
    keys, settings = list(snakemake.params.grid), list(snakemake.params.settings)
    runs = runs.sort_values("setting", key=lambda column: column.map(settings.index), kind="stable")
    rows, summaries = [], {}
    for setting, group in runs.groupby("setting", sort=False):  # in grid order
        valid, test = group.best_valid_accuracy.tolist(), group.test_accuracy.tolist()
        summaries[setting] = sv, st = group_summary(valid), group_summary(test)
        values = [group[f"hp.{key}"].iloc[0] for key in keys]
        # by run_dir: the settings share (branch, run, seed), so read_predictions' keys would collide
        tables = [read_run_predictions(run_dir) for run_dir in group.sort_values("seed").run_dir]
        rows.append([setting, *values, sv["n"], mean_sd(sv), mean_sd(st), t_interval_cell(st),
                     two_level_cell(tables), f"{st['min']:.1f}–{st['max']:.1f}"])
    top = max(summary[0]["mean"] for summary in summaries.values())
    tied = [setting for setting in summaries if summaries[setting][0]["mean"] == top]  # grid order
    best = tied[0]  # of settings tied on mean valid accuracy, the first of the grid
    rows = [[f"**{row[0]}**" if row[0] == best else row[0], *row[1:]] for row in rows]
    curve = expected_max(runs.best_valid_accuracy.tolist())

    task = snakemake.params.task
    mode = task["mode"]
    lines = [f"# Sweep ({task['name']})", "",
             f"Every setting of `sweep.{mode}.grid` (the rest of the recipe: `finetune.{mode}`), each over "
             f"the seeds, in its own folder (`runs/{task['name']}/fairseq/<init>/<setting>/seed<seed>/`). Accuracies "
             "in %: valid at each run's best epoch, test at that epoch; mean ± sample std (ddof=1) over "
             "seeds, and two 95 % intervals of the test mean. " + INTERVALS_TEXT, "",
             f"**Best setting: {best}**, chosen by mean valid accuracy ({top:.1f}), never by test"
             + (f" (tied with {', '.join(tied[1:])}: the first of the grid)" if len(tied) > 1 else "")
             + f"; its test accuracy: {mean_sd(summaries[best][1])}.", ""]
    lines += markdown_table(["setting", *keys, "seeds", "valid", "test", f"test {T_HEADER}", f"test {TWO_LEVEL_HEADER}",
                             "test min–max"], rows)
    lines += ["", "## Expected best valid accuracy against runs tried", "",
              f"Dodge et al. (2019): the expected best valid accuracy of n runs drawn from these {len(curve)} "
              "(settings × seeds), for n = 1 … all; where the curve is still rising, a larger search "
              "would likely still find a better setting. `sweep_expected_max.png`.", ""]
    lines += markdown_table(["runs tried", "expected best valid accuracy"],
                            [[n, f"{value:.2f}"] for n, value in enumerate(curve, start=1)])
    write_text_atomic(snakemake.output.report, "\n".join(lines) + "\n")

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(range(1, len(curve) + 1), curve, marker="o")
    ax.set_xlabel("runs tried (settings × seeds)")
    ax.set_ylabel("expected best valid accuracy (%)")
    save_figure(fig, ax, snakemake.output.plot, f"Sweep ({task['name']}): expected max valid accuracy")
    print(f"{len(summaries)} settings, {len(runs)} runs; best by valid: {best}", flush=True)


run_step(main, snakemake.output, snakemake.log[0])
