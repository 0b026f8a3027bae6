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


def group_summary(values: list[float], confidence: float = 0.95) -> dict:
    """n, mean, sample std (ddof=1), the t-interval of the mean, min and max of one group's
    accuracies (one per seed). With one value only the mean, min and max are defined."""
    from scipy.stats import t

    n, nan = len(values), float("nan")
    mean = sum(values) / n
    if n < 2:
        return {"n": n, "mean": mean, "std": nan, "low": nan, "high": nan, "min": min(values), "max": max(values)}
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return {"n": n, "mean": mean, "std": std, "low": mean - half, "high": mean + half,
            "min": min(values), "max": max(values)}


def two_level_bootstrap(correct_per_seed, resamples: int = 2000, seed: int = 0,
                        confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval (in %) of a group's mean test accuracy with both sources of variance:
    each resample draws the seeds with replacement, then each drawn seed's test examples with
    replacement, and takes the mean of those seeds' accuracies. ``correct_per_seed``: one 0/1
    array per seed (1 = example right). Seeded, and inside [0, 100] by construction.

    Draw order (what the unit test repeats): per resample, the seed indices (one call), then per
    drawn seed in that order, its example indices (one call each)."""
    import numpy as np

    seeds = [np.asarray(c, dtype=float) for c in correct_per_seed]
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for r in range(resamples):
        chosen = rng.integers(0, len(seeds), size=len(seeds))
        means[r] = np.mean([seeds[i][rng.integers(0, len(seeds[i]), size=len(seeds[i]))].mean() for i in chosen])
    tail = (1 - confidence) / 2
    low, high = np.quantile(100.0 * means, [tail, 1 - tail])
    return float(low), float(high)


def binomial_se(accuracy: float, n: int) -> float:
    """Standard error (in points) of one accuracy measured on n test examples: the test set's own
    noise, to set beside the seeds' std."""
    p = accuracy / 100.0
    return 100.0 * math.sqrt(p * (1 - p) / n)


def paired_bootstrap(gold, predicted_a, predicted_b, resamples: int = 1000, seed: int = 0,
                     confidence: float = 0.95) -> dict:
    """Accuracy of a minus that of b on the same test examples, with a percentile interval from
    ``resamples`` resamplings of the examples (seeded), and the share of resamples where a is not
    ahead (a one-sided p-value for "a is better")."""
    import numpy as np

    gold = np.asarray(gold)
    right_a = (np.asarray(predicted_a) == gold).astype(float)
    right_b = (np.asarray(predicted_b) == gold).astype(float)
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, len(gold), size=(resamples, len(gold)))
    differences = 100.0 * (right_a[samples].mean(axis=1) - right_b[samples].mean(axis=1))
    tail = (1 - confidence) / 2
    return {"difference": 100.0 * float(right_a.mean() - right_b.mean()),
            "low": float(np.quantile(differences, tail)), "high": float(np.quantile(differences, 1 - tail)),
            "p_not_better": float((differences <= 0).mean()), "resamples": resamples}


def _normal_seeds(z: float, std_a: float, std_b: float, effect: float, difference: float) -> float:
    """The normal approximation both seed counts share: n = z^2 (sd_a^2 + sd_b^2) / effect^2, at
    least 2; nan when a spread or the difference is unknown, inf when the effect is 0."""
    if any(math.isnan(x) for x in (difference, std_a, std_b)):
        return float("nan")
    if effect == 0:
        return float("inf")
    z = float(z)
    return max(2.0, math.ceil(z * z * (std_a ** 2 + std_b ** 2) / effect ** 2))


def seeds_needed(difference: float, std_a: float, std_b: float, power: float = 0.8, alpha: float = 0.05) -> float:
    """Seeds per arm for a two-sided test at ``alpha`` to detect ``difference`` with ``power``
    (normal approximation): n = (z_{1-alpha/2} + z_power)^2 (sd_a^2 + sd_b^2) / difference^2.
    inf when there is no difference; nan when the spread is unknown."""
    from scipy.stats import norm

    return _normal_seeds(norm.ppf(1 - alpha / 2) + norm.ppf(power), std_a, std_b, abs(difference), difference)


def expected_max(values: list[float]) -> list[float]:
    """Expected best of n runs drawn from ``values`` (with replacement), for n = 1 .. len(values):
    Dodge et al. 2019's expected validation performance, from the empirical distribution of the
    runs: with v sorted, E[max of n] = sum_i v_(i) ((i/N)^n - ((i-1)/N)^n)."""
    ordered, total = sorted(values), len(values)
    return [sum(v * ((i / total) ** n - ((i - 1) / total) ** n) for i, v in enumerate(ordered, start=1))
            for n in range(1, total + 1)]


def seeds_for_equivalence(difference: float, std_a: float, std_b: float, margin: float,
                          alpha: float = 0.05, power: float = 0.8) -> float:
    """Seeds per side for two one-sided tests (TOST) at ``alpha`` to show |difference| < margin
    with ``power`` (normal approximation, the observed stds):
    n = (z_{1-alpha} + z_{1-beta/2})^2 (sd_a^2 + sd_b^2) / (margin - |difference|)^2, beta = 1 - power;
    sd_b = 0 for a published value taken as exact. At least 2; inf when |difference| >= margin
    (no number of seeds shows it); nan when a spread is unknown."""
    from scipy.stats import norm

    return _normal_seeds(norm.ppf(1 - alpha) + norm.ppf(1 - (1 - power) / 2), std_a, std_b,
                         max(margin - abs(difference), 0.0), difference)
