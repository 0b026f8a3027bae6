"""The statistics sections of the reports (markdown), from a runs table and its runs' predictions
(ftlib.core.runs_table): per group of seeds n, mean, sample std, t-interval (seeds only), two-level
bootstrap interval (seeds and test examples), min-max and the test set's own noise; per comparison
the Welch difference, the seeds needed, and per seed pair a paired bootstrap and McNemar's exact
test. statistics.md shows every comparison of `all`; each branch's
report shows its own."""
from __future__ import annotations

from ftlib.core.stats import (binomial_se, format_interval, group_summary, mcnemar_exact, paired_bootstrap,
                              seeds_needed, two_level_bootstrap, welch_difference)
from ftlib.core.tables import markdown_table

RESAMPLES, BOOTSTRAP_SEED = 1000, 0
TWO_LEVEL_RESAMPLES = 2000
T_HEADER = "95 % t-interval (seeds only)"
TWO_LEVEL_HEADER = "95 % two-level bootstrap (seeds and test examples)"
INTERVALS_TEXT = (f"{T_HEADER}: the mean's t-interval over seeds, as if each seed's accuracy were exact; "
                  "n/a with one seed or when the seeds agree (a width of 0 says nothing), clipped to "
                  "[0, 100] and marked † where it passes a bound (few seeds near 100 %). "
                  f"{TWO_LEVEL_HEADER}: percentile interval of {TWO_LEVEL_RESAMPLES} resamples (seed "
                  f"{BOOTSTRAP_SEED}), each drawing the seeds with replacement, then each drawn seed's test "
                  "examples with replacement; it is inside [0, 100] by construction. With one seed it holds "
                  "the test examples' noise only; with few seeds its seed level is too narrow (3 seeds: 10 "
                  "distinct draws), which is why the t-interval stays beside it: where the t-interval is "
                  "the wider, the spread over seeds matters more than the test set's noise.")

GROUPS_TEXT = ("Test accuracy in %, at each run's best-valid epoch. std: the **sample** standard deviation "
               "over seeds (ddof=1). Test-set noise: the binomial standard error of one accuracy on this "
               "test set; where it is near or above the seeds' std, more test examples would tell more "
               "than more seeds. " + INTERVALS_TEXT)
WELCH_TEXT = ("a − b in points. Welch: difference of the seed means, its 95 % interval and two-sided "
              "p-value (unequal variances). Seeds needed: per arm, for a two-sided test at 5 % to detect "
              "this difference with 80 % power (normal approximation, the observed sample stds).")
PAIRED_TEXT = (f"The two runs of one seed on the same test examples: the accuracy difference with a 95 % "
               f"paired-bootstrap interval ({RESAMPLES} resamples of the test examples, seed {BOOTSTRAP_SEED}) "
               "and McNemar's exact test (two-sided, on the examples one run gets right and the other wrong).")


def number(x, digits=1) -> str:
    return "n/a" if x != x else f"{x:.{digits}f}"  # nan


def p_value(p) -> str:
    return "n/a" if p != p else (f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}")


def mean_sd(summary: dict, digits: int = 1, std_digits: int = 2) -> str:
    """A group_summary as `mean ± sample std` (the mean alone with one seed)."""
    return f"{summary['mean']:.{digits}f}" + ("" if summary["std"] != summary["std"] else
                                             f" ± {summary['std']:.{std_digits}f}")


def t_interval_cell(summary: dict) -> str:
    """A group_summary's t-interval as printed (see INTERVALS_TEXT): never outside [0, 100]."""
    low, high = summary["low"], summary["high"]
    if low != low or summary["min"] == summary["max"]:  # not std == 0: the float mean leaves ~1e-15
        return "n/a"
    clipped = max(low, 0.0), min(high, 100.0)
    return format_interval(*clipped) + ("†" if clipped != (low, high) else "")


def two_level_cell(tables) -> str:
    """The two-level bootstrap interval of a group from its seeds' predictions tables."""
    correct = [(table.gold == table.predicted).to_numpy(dtype=int) for table in tables]
    return format_interval(*two_level_bootstrap(correct, TWO_LEVEL_RESAMPLES, BOOTSTRAP_SEED))


def code_mix_mark(group) -> str:
    """⚠ before a group whose runs ran different code (their code_digest differ: a library change
    between seeds, e.g. an interrupted rerun), so that no mixed group passes for one experiment."""
    digests = set(group.code_digest.dropna()) if "code_digest" in group else set()
    return f"⚠ {len(digests)} code versions: " if len(digests) > 1 else ""


def seeds_cell(need) -> str:
    return "n/a" if need != need else ("∞" if need == float("inf") else f"{need:.0f}")


def group_of(runs, group):
    """The rows of one (branch, run) group, in seed order."""
    return runs[(runs.branch == group[0]) & (runs.run == group[1])].sort_values("seed")


def group_lines(runs, predictions) -> tuple[list[str], dict]:
    """The groups' table (one row per (branch, run)) and their summaries (for seeds_needed)."""
    rows, summaries = [], {}
    for (branch, run), group in runs.groupby(["branch", "run"], sort=True):
        group = group.sort_values("seed")
        s = summaries[branch, run] = group_summary(group.test_accuracy.tolist())
        tables = [predictions[branch, run, seed] for seed in group.seed]
        n_test = len(tables[0])
        rows.append([branch, code_mix_mark(group) + run, s["n"], number(s["mean"]), number(s["std"], 2), t_interval_cell(s),
                     two_level_cell(tables), f"{s['min']:.1f}–{s['max']:.1f}",
                     f"{binomial_se(s['mean'], n_test):.2f} (n={n_test})"])
    table = markdown_table(["branch", "run", "seeds", "mean", "std (ddof=1)", T_HEADER, TWO_LEVEL_HEADER,
                            "min–max", "test-set noise (binomial SE)"], rows)
    return table, summaries


def comparison_tables(runs, predictions, comparisons, summaries) -> tuple[list[str], list[str]]:
    """The Welch table (one row per comparison) and the paired table (one row per seed pair).
    ``comparisons``: (title, (branch, run) a, (branch, run) b); a pair missing a group is skipped."""
    groups = set(zip(runs.branch, runs.run))
    welch, paired = [], []
    for title, a, b in comparisons:
        if a not in groups or b not in groups:
            continue
        va, vb = group_of(runs, a), group_of(runs, b)
        d = welch_difference(va.test_accuracy.tolist(), vb.test_accuracy.tolist())
        need = seeds_needed(d["difference"], summaries[a]["std"], summaries[b]["std"])
        welch.append([title, f"{d['difference']:+.1f}", format_interval(d["low"], d["high"]), p_value(d["p"]),
                      seeds_cell(need)])
        for seed in sorted(set(va.seed) & set(vb.seed)):
            pa, pb = predictions[(*a, seed)], predictions[(*b, seed)]
            boot = paired_bootstrap(pa.gold.tolist(), pa.predicted.tolist(), pb.predicted.tolist(),
                                    RESAMPLES, BOOTSTRAP_SEED)
            paired.append([title, seed, f"{boot['difference']:+.1f}", format_interval(boot["low"], boot["high"]),
                           p_value(mcnemar_exact(pa.predicted.tolist(), pb.predicted.tolist(), pa.gold.tolist()))])
    return (markdown_table(["comparison", "difference", "Welch 95 % interval", "Welch p", "seeds needed"], welch),
            markdown_table(["comparison", "seed", "difference", "bootstrap 95 % interval", "McNemar p"], paired))


def statistics_lines(runs, predictions, comparisons, heading: str = "##") -> list[str]:
    """The groups, the comparisons and the paired tests, under ``heading``-level titles."""
    groups, summaries = group_lines(runs, predictions)
    lines = [f"{heading} Groups of seeds", "", GROUPS_TEXT, ""] + groups
    if not comparisons:  # the groups alone were asked for
        return lines
    welch, paired = comparison_tables(runs, predictions, comparisons, summaries)
    if len(welch) == 2:  # header only: no comparison had both its groups
        wanted = "; ".join(title for title, _, _ in comparisons) or "none"
        return lines + ["", f"No comparison: one group of each did not run (wanted: {wanted})."]
    return (lines + ["", f"{heading} Comparisons", "", WELCH_TEXT, ""] + welch
            + ["", f"{heading} Paired, per seed pair", "", PAIRED_TEXT, ""] + paired)
