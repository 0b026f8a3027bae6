"""Same science? Two workflow folders' results, group by group: each group's test accuracies over
its seeds (reports/<task>/runs.csv: a branch's init or PEFT method), the difference of the means
with its Welch interval and p-value, and the p-values adjusted for the number of groups
(Benjamini-Hochberg, scipy); then every run paired with its namesake (same group, same seed: the
same initial weights and data order where only the lever differs), the mean paired difference
with its t-interval, the test of a shift common to all groups. BLOOM's single run is shown beside,
untested.

    python tools/compare_groups.py FOLDER_A FOLDER_B [--task demo] [--alpha 0.05]

Where tools/compare_runs.py asks "identical?", this asks "the same within seed noise?": the check
a lever that changes which random numbers are drawn needs (e.g. `dropout_masks`). Exit status 1
when a group differs significantly after the adjustment.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ftlib.core.runs_table import read_runs
from ftlib.core.stats import format_interval, welch_difference
from ftlib.core.tables import markdown_table

BLOOM_KEYS = ("heldout_loss_after", "token_f1_after", "eos_rate_after")


def accuracies(folder: Path, task: str) -> dict:
    """{(branch, group): {seed: test accuracy}} of the folder's classifier runs."""
    runs = read_runs(folder / "reports" / task / "runs.csv")
    runs = runs[runs.branch != "bloom"]
    return {key: dict(zip(group.seed, group.test_accuracy)) for key, group in runs.groupby(["branch", "run"])}


def group_rows(a: dict, b: dict) -> tuple[list[list[str]], list[float]]:
    """One row per group in both folders (every seed each has), and each group's p-value (nan where undefined)."""
    rows, pvalues = [], []
    for key in sorted(set(a) & set(b)):
        x, y = list(a[key].values()), list(b[key].values())
        test = welch_difference(y, x)
        rows.append([" ".join(key), f"{len(x)} / {len(y)}", f"{sum(x) / len(x):.1f}",
                     f"{sum(y) / len(y):.1f}", f"{test['difference']:+.1f}",
                     format_interval(test["low"], test["high"]), f"{test['p']:.3f}"])
        pvalues.append(test["p"])
    return rows, pvalues


def adjusted(pvalues: list[float]) -> list[float]:
    """Benjamini-Hochberg over the defined p-values (nan stays nan)."""
    import math

    from scipy.stats import false_discovery_control

    defined = [p for p in pvalues if not math.isnan(p)]
    fdr = iter(false_discovery_control(defined) if defined else [])
    return [p if math.isnan(p) else float(next(fdr)) for p in pvalues]


def paired_line(a: dict, b: dict) -> str:
    """The mean of B − A over every (group, seed) in both (paired by seed), with its paired t-interval (scipy)."""
    from scipy.stats import ttest_rel

    pairs = [(a[key][seed], b[key][seed]) for key in sorted(set(a) & set(b)) for seed in sorted(set(a[key]) & set(b[key]))]
    test = ttest_rel([y for _, y in pairs], [x for x, _ in pairs])
    ci = test.confidence_interval(0.95)
    mean = sum(y - x for x, y in pairs) / len(pairs)
    return (f"- every run paired with its namesake ({len(pairs)} pairs): B − A = {mean:+.2f} points, 95 % interval "
            f"{format_interval(ci.low, ci.high)}, p = {test.pvalue:.3f}")


def bloom_lines(folder_a: Path, folder_b: Path, task: str) -> list[str]:
    import pandas as pd

    lines = []
    for name, folder in (("A", folder_a), ("B", folder_b)):
        runs = pd.read_csv(folder / "reports" / task / "runs.csv")
        bloom = runs[runs.branch == "bloom"]
        if len(bloom):
            lines.append(f"- BLOOM ({name}): " + ", ".join(f"{k} {bloom.iloc[0][k]:.3f}" for k in BLOOM_KEYS))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder_a", type=Path)
    parser.add_argument("folder_b", type=Path)
    parser.add_argument("--task", default="demo", help="the task whose runs.csv is compared")
    parser.add_argument("--alpha", type=float, default=0.05, help="the level of the adjusted test")
    args = parser.parse_args()
    a, b = (accuracies(folder, args.task) for folder in (args.folder_a, args.folder_b))
    rows, pvalues = group_rows(a, b)
    fdr = adjusted(pvalues)
    for row, q in zip(rows, fdr):
        row.append(f"{q:.3f}")
    print("\n".join(markdown_table(["group", "seeds", "A mean", "B mean", "B − A", "95 % interval", "p",
                                    "p (BH)"], rows)))
    print(paired_line(a, b))
    print("\n".join(bloom_lines(args.folder_a, args.folder_b, args.task)))
    significant = [row[0] for row, q in zip(rows, fdr) if q < args.alpha]
    print(f"{len(rows)} groups; significant after adjustment at {args.alpha}: {', '.join(significant) or 'none'}")
    return 1 if significant else 0


if __name__ == "__main__":
    sys.exit(main())
