"""Snakemake script: the summary of the run (reports/summary.md and summary.png), one task or several:
per task, branch and run (init or PEFT method) the seeds' mean, sample std and 95 % t-interval of
test accuracy, beside each published reference with its verdict; from each task's runs.csv."""
from ftlib.core.errors import run_step
from ftlib.core.runs_table import read_runs
from ftlib.core.summary import plot, summary_rows
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_text_atomic
from ftlib.core.verdict import verdict_text


def main():
    tasks, settings = snakemake.params.tasks, snakemake.params.verdict
    tables = [read_runs(path) for path in snakemake.input.runs]
    peft = {"study": snakemake.params.study, "studies": snakemake.params.studies}
    rows, points = summary_rows(tasks, tables, settings, peft)
    plot(points, snakemake.output.plot)
    lines = ["# Summary of every task of the run", "",
             f"Tasks: {', '.join(t['name'] for t in tasks)}. Test accuracy at the best-valid epoch, over "
             "seeds: mean ± sample std (n seeds) and the 95 % t-interval of the mean (n/a with one seed; clipped to [0, 100], † where it passes a bound); "
             "beside it each published reference, one row each: the task sheet's (mean ± population std, "
             "as published; per-seed values, so Welch's tests) for fairseq and HF, the study's (one number, "
             "taken as exact: one-sample t tests) for a PEFT method of a study this run reproduces "
             "(config/presets/). Where the references are another task's (the sheet's references_for: "
             "scale, e.g. the demo's) or another study's, they are shown for scale, with no verdict. "
             "Each task's own reports (`reports/<task>/`) have the per-seed numbers and the tests.", "",
             verdict_text(settings), ""]
    lines += markdown_table(["task", "branch", "init or method", "this run (mean ± sample std, n)",
                             "95 % t-interval", "reference (source and value)", "verdict"], rows)
    lines += ["", "![every task](summary.png)"]
    write_text_atomic(snakemake.output.report, "\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
