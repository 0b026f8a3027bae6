"""Failed runs: a run whose best valid accuracy stays within ``margin`` points of chance learned
nothing its seed let it learn. Dodge et al. (2020, "Fine-Tuning Pretrained Language Models:
Weight Initializations, Data Orders, and Early Stopping") report such failed restarts as a finding
of their own; averaging them into a method's mean would hide them, so the reports count and list
them beside the means."""
from __future__ import annotations

from ftlib.core.tables import markdown_table

MARGIN = 5.0  # points of accuracy around chance


def chance_accuracy(n_labels: int) -> float:
    """Accuracy (%) of guessing among ``n_labels`` balanced labels."""
    return 100.0 / n_labels


def is_failed(best_valid: float, n_labels: int, margin: float = MARGIN) -> bool:
    return abs(best_valid - chance_accuracy(n_labels)) <= margin


def failed_run_lines(runs: list[dict], methods: list[str], n_labels: int, margin: float = MARGIN) -> list[str]:
    """A section: per method, its runs, how many failed, and which (seed, best valid, test)."""
    chance = chance_accuracy(n_labels)
    rows, total = [], 0
    for method in methods:
        mine = [r for r in runs if r["method"] == method]
        failed = [r for r in mine if is_failed(r["best_valid_accuracy"], n_labels, margin)]
        total += len(failed)
        listed = "; ".join(f"seed {r['seed']}: valid {r['best_valid_accuracy']:.1f}, test {r['test_accuracy']:.1f}"
                           for r in failed) or "—"
        rows.append([method, len(mine), len(failed), listed])
    lines = ["", "## Failed runs", "",
             f"A run fails when its best valid accuracy stays within {margin:g} points of chance "
             f"({chance:.0f} % with {n_labels} labels): its seed left it nothing learned. Failed runs are "
             "counted here, not dropped: the means above include them. "
             f"{total} of {len(runs)} runs failed.", ""]
    return lines + markdown_table(["method", "runs", "failed", "failed runs"], rows)
