"""Snakemake script: the statistics of every group of runs and of every comparison the reports make,
from reports/<mode>/runs.csv and the runs' predictions.tsv -> reports/<mode>/statistics.md.

Groups (branch, run): n seeds, mean, sample std (ddof=1), 95 % t-interval, min-max, and the test
set's own noise (the binomial standard error of one accuracy on it). Comparisons (pretrained vs
scratch per toolkit, fairseq vs HF per init, each PEFT method vs full fine-tuning): the difference
of means with Welch's 95 % interval and p-value, the seeds per arm that would detect it at 80 %
power, and per seed pair a paired bootstrap over the test examples and McNemar's exact test.
"""
from pathlib import Path

from ftlib.core.errors import run_step
from ftlib.core.stats import (binomial_se, group_summary, mcnemar_exact, paired_bootstrap, seeds_needed,
                              welch_difference)
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_text_atomic

RESAMPLES, BOOTSTRAP_SEED = 1000, 0


def number(x, digits=1) -> str:
    return "n/a" if x != x else f"{x:.{digits}f}"  # nan


def interval(low, high) -> str:
    return "n/a" if low != low else f"[{low:.1f}, {high:.1f}]"


def p_value(p) -> str:
    return "n/a" if p != p else (f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}")


def comparisons(runs) -> list[tuple[str, tuple, tuple]]:
    """(title, group a, group b) of every comparison the reports make, where both groups ran."""
    groups = set(zip(runs.branch, runs.run))
    wanted = [(f"{b}: pretrained vs scratch", (b, "pretrained"), (b, "scratch")) for b in ("fairseq", "hf")]
    wanted += [(f"{init}: fairseq vs HF", ("fairseq", init), ("hf", init)) for init in ("pretrained", "scratch")]
    wanted += [(f"PEFT: {m} vs full", ("peft", m), ("peft", "full"))
               for m in sorted(runs[runs.branch == "peft"].run.unique()) if m != "full"]
    return [(title, a, b) for title, a, b in wanted if a in groups and b in groups]


def main():
    import pandas as pd

    runs = pd.read_csv(snakemake.input.runs)
    runs = runs[runs.test_accuracy.notna()]  # the classification runs (BLOOM has no test accuracy)
    predictions = {}
    for row in runs.itertuples():
        path = Path(f"runs/{snakemake.wildcards.mode}/{row.branch}/{row.run}/seed{row.seed}/predictions.tsv")
        predictions[row.branch, row.run, row.seed] = pd.read_csv(path, sep="\t", dtype={"gold": str, "predicted": str})

    lines = [f"# Statistics of every run ({snakemake.wildcards.mode})", "",
             "From `runs.csv` and each run's `predictions.tsv` (scipy's implementations). Test accuracy "
             "in %, at each run's best-valid epoch. std: the **sample** standard deviation over seeds "
             "(ddof=1; the branch reports' mean ± std beside the published references is the population "
             "std those references use). Test-set noise: the binomial standard error of one accuracy on "
             "this test set; where it is near or above the seeds' std, more test examples would tell "
             "more than more seeds.", "", "## Groups", ""]
    rows, summaries = [], {}
    for (branch, run), group in runs.groupby(["branch", "run"], sort=True):
        values = group.sort_values("seed").test_accuracy.tolist()
        s = summaries[branch, run] = group_summary(values)
        n_test = len(predictions[branch, run, group.seed.iloc[0]])
        rows.append([branch, run, s["n"], number(s["mean"]), number(s["std"], 2), interval(s["low"], s["high"]),
                     f"{s['min']:.1f}–{s['max']:.1f}", f"{binomial_se(s['mean'], n_test):.2f} (n={n_test})"])
    lines += markdown_table(["branch", "run", "seeds", "mean", "std (ddof=1)", "95 % t-interval", "min–max",
                             "test-set noise (binomial SE)"], rows)

    table, paired = [], []
    for title, a, b in comparisons(runs):
        va = runs[(runs.branch == a[0]) & (runs.run == a[1])].sort_values("seed")
        vb = runs[(runs.branch == b[0]) & (runs.run == b[1])].sort_values("seed")
        d = welch_difference(va.test_accuracy.tolist(), vb.test_accuracy.tolist())
        need = seeds_needed(d["difference"], summaries[a]["std"], summaries[b]["std"])
        table.append([title, f"{d['difference']:+.1f}", interval(d["low"], d["high"]), p_value(d["p"]),
                      "n/a" if need != need else ("∞" if need == float("inf") else f"{need:.0f}")])
        for seed in sorted(set(va.seed) & set(vb.seed)):
            pa, pb = predictions[(*a, seed)], predictions[(*b, seed)]
            boot = paired_bootstrap(pa.gold.tolist(), pa.predicted.tolist(), pb.predicted.tolist(),
                                    RESAMPLES, BOOTSTRAP_SEED)
            paired.append([title, seed, f"{boot['difference']:+.1f}", interval(boot["low"], boot["high"]),
                           p_value(mcnemar_exact(pa.predicted.tolist(), pb.predicted.tolist(), pa.gold.tolist()))])
    lines += ["", "## Comparisons", "",
              "a − b in points. Welch: difference of the seed means, its 95 % interval and two-sided "
              "p-value (unequal variances). Seeds needed: per arm, for a two-sided test at 5 % to "
              "detect this difference with 80 % power (normal approximation, the observed sample "
              "stds).", ""]
    lines += markdown_table(["comparison", "difference", "Welch 95 % interval", "Welch p", "seeds needed"], table)
    lines += ["", "## Paired, per seed pair", "",
              f"The two runs of one seed on the same test examples: the accuracy difference with a "
              f"95 % paired-bootstrap interval ({RESAMPLES} resamples of the test examples, seed "
              f"{BOOTSTRAP_SEED}) and McNemar's exact test (two-sided, on the examples one run gets "
              "right and the other wrong).", ""]
    lines += markdown_table(["comparison", "seed", "difference", "bootstrap 95 % interval", "McNemar p"], paired)
    write_text_atomic(snakemake.output[0], "\n".join(lines) + "\n")
    print(f"{len(rows)} groups, {len(table)} comparisons, {len(paired)} seed pairs -> {snakemake.output[0]}",
          flush=True)


run_step(main, snakemake.output, snakemake.log[0])
