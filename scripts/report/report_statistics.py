"""Snakemake script: the statistics of every group of runs and of every comparison the reports make,
from reports/<task>/runs.csv and the runs' predictions.tsv -> reports/<task>/statistics.md.

Comparisons: pretrained vs scratch per toolkit, fairseq vs HF per init, each PEFT method vs full
fine-tuning (tuned vs stock is in reports/<task>/tuned_vs_stock.md: its stock runs are not part of
`all`). The sections themselves: ftlib.core.stats_report.
"""
from ftlib.core.errors import run_step
from ftlib.core.runs_table import read_predictions, read_runs
from ftlib.core.stats_report import statistics_lines
from ftlib.core.textio import write_text_atomic


def comparisons(runs) -> list[tuple[str, tuple, tuple]]:
    """(title, group a, group b) of every comparison the reports make (skipped where a group did not run)."""
    wanted = [(f"{b}: pretrained vs scratch", (b, "pretrained"), (b, "scratch")) for b in ("fairseq", "hf")]
    wanted += [(f"{init}: fairseq vs HF", ("fairseq", init), ("hf", init)) for init in ("pretrained", "scratch")]
    wanted += [(f"PEFT: {m} vs full", ("peft", m), ("peft", "full"))
               for m in sorted(runs[runs.branch == "peft"].run.unique()) if m != "full"]
    return wanted


def main():
    runs = read_runs(snakemake.input.runs)
    runs = runs[runs.test_accuracy.notna()]  # the classification runs (BLOOM has no test accuracy)
    predictions = read_predictions(runs)
    pairs = comparisons(runs)
    lines = [f"# Statistics of every run ({snakemake.wildcards.task})", "",
             "From `runs.csv` and each run's `predictions.tsv` (scipy's implementations). Each branch's "
             "report shows the same statistics for its own comparisons; tuned vs stock is in "
             "`tuned_vs_stock.md` (`snakemake tuned_vs_stock`).", ""]
    lines += statistics_lines(runs, predictions, pairs)
    write_text_atomic(snakemake.output[0], "\n".join(lines) + "\n")
    print(f"{runs.groupby(['branch', 'run']).ngroups} groups, {len(pairs)} comparisons -> {snakemake.output[0]}",
          flush=True)


run_step(main, snakemake.output, snakemake.log[0])
