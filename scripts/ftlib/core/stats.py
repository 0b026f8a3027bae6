"""The statistics the reports quote, all from scipy's tested implementations (accuracies in %)."""
from __future__ import annotations

import math


def binomial_interval(correct: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of one accuracy on n test examples, in %: the test set's
    own noise, whatever the seed."""
    from scipy.stats import binomtest

    ci = binomtest(correct, n).proportion_ci(confidence_level=confidence, method="exact")
    return 100.0 * ci.low, 100.0 * ci.high


def mcnemar_exact(predicted_a, predicted_b, gold) -> float:
    """Exact McNemar test of two classifiers on the same test examples: two-sided binomial test of
    the examples only one of them gets right (1.0 when they never disagree on correctness)."""
    from scipy.stats import binomtest

    only_a = sum(a == g and b != g for a, b, g in zip(predicted_a, predicted_b, gold))
    only_b = sum(b == g and a != g for a, b, g in zip(predicted_a, predicted_b, gold))
    return 1.0 if only_a + only_b == 0 else float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def welch_difference(a: list[float], b: list[float], confidence: float = 0.95) -> dict:
    """mean(a) - mean(b) with its Welch t-interval and two-sided p-value (unequal variances).
    With fewer than two values on a side, or no spread on either, only the difference is defined."""
    from scipy.stats import ttest_ind

    difference = sum(a) / len(a) - sum(b) / len(b)
    nan = float("nan")
    if min(len(a), len(b)) < 2 or (max(a) == min(a) and max(b) == min(b)):
        return {"difference": difference, "low": nan, "high": nan, "p": nan, "t": nan}
    result = ttest_ind(a, b, equal_var=False)
    ci = result.confidence_interval(confidence_level=confidence)
    return {"difference": difference, "low": float(ci.low), "high": float(ci.high),
            "p": float(result.pvalue), "t": float(result.statistic)}


def compare_seeds(a: list[float], b: list[float]) -> dict:
    """a − b over seeds (both lists in seed order): welch_difference, plus in how many of the
    seed pairs a is ahead ("wins" of "pairs")."""
    return {**welch_difference(a, b), "wins": sum(x > y for x, y in zip(a, b)), "pairs": min(len(a), len(b))}


def format_interval(low: float, high: float) -> str:
    return "n/a" if math.isnan(low) else f"[{low:.1f}, {high:.1f}]"
