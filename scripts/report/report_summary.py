"""Snakemake script: the cross-task summary (reports/summary.md and summary.png) when a run takes
several tasks: per task, branch and run (init or PEFT method) the seeds' mean, sample std and 95 %
t-interval of test accuracy, beside the task's published reference; from each task's runs.csv."""
from ftlib.core.errors import run_step
from ftlib.core.runs_table import read_runs
from ftlib.core.summary import plot, summary_rows
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_text_atomic


def main():
    tasks = snakemake.params.tasks
    tables = [read_runs(path) for path in snakemake.input.runs]
    rows, points = summary_rows(tasks, tables)
    plot(points, snakemake.output.plot)
    lines = ["# Summary of every task of the run", "",
             f"Tasks: {', '.join(t['name'] for t in tasks)}. Test accuracy at the best-valid epoch, over "
             "seeds: mean ± sample std and the 95 % t-interval of the mean (n/a with one seed); each task's "
             "published reference (mean ± population std, as published) where its sheet entry has one. "
             "Each task's own reports (`reports/<task>/`) have the per-seed numbers and the tests.", ""]
    lines += markdown_table(["task", "branch", "run", "seeds", "mean ± sample std", "95 % t-interval",
                             "reference"], rows)
    lines += ["", "![every task](summary.png)"]
    write_text_atomic(snakemake.output.report, "\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
