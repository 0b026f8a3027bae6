"""The two-level (seeds, then test examples) bootstrap interval of a group's mean accuracy
(ftlib.core.stats.two_level_bootstrap) against the same resampling written out by hand."""
import numpy as np
import pytest

from ftlib.core.stats import two_level_bootstrap


def by_hand(correct_per_seed, resamples, seed, confidence=0.95):
    """The same draws with explicit loops: per resample the seed indices, then each drawn seed's
    example indices; the mean of the drawn seeds' accuracies; then the linearly interpolated
    percentiles (numpy's default quantile) of the sorted means."""
    rng = np.random.default_rng(seed)
    k = len(correct_per_seed)
    means = []
    for _ in range(resamples):
        chosen = rng.integers(0, k, size=k)
        accuracies = []
        for i in chosen:
            examples = correct_per_seed[i]
            picks = rng.integers(0, len(examples), size=len(examples))
            right = 0
            for j in picks:
                right += examples[j]
            accuracies.append(100.0 * right / len(examples))
        means.append(sum(accuracies) / len(accuracies))
    means.sort()

    def percentile(q):
        position = q * (len(means) - 1)
        below = int(position)
        above = min(below + 1, len(means) - 1)
        return means[below] + (position - below) * (means[above] - means[below])

    tail = (1 - confidence) / 2
    return percentile(tail), percentile(1 - tail)


def test_two_level_bootstrap_matches_the_resampling_written_out():
    correct = [[1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1],
               [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1],
               [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]]
    low, high = two_level_bootstrap(correct, resamples=300, seed=7)
    expected = by_hand(correct, resamples=300, seed=7)
    assert (low, high) == (pytest.approx(expected[0], abs=1e-9), pytest.approx(expected[1], abs=1e-9))
    assert two_level_bootstrap(correct, resamples=300, seed=7) == (low, high)  # seeded
    mean = 100 * np.mean([np.mean(c) for c in correct])
    assert low < mean < high


def test_identical_seeds_still_get_the_test_examples_noise():
    # three seeds with the same 23 of 24 right: the seeds' t-interval has width 0, the test set's
    # noise does not (binomial SE of 95.8 % on 24 examples: 4.1 points)
    seed_run = [1] * 23 + [0]
    low, high = two_level_bootstrap([seed_run] * 3)
    assert high - low > 5
    assert 0 <= low < 100 * 23 / 24 <= high <= 100


def test_all_right_and_all_wrong_stay_at_the_bounds():
    assert two_level_bootstrap([[1] * 50] * 3) == (100.0, 100.0)
    assert two_level_bootstrap([[0] * 50] * 2) == (0.0, 0.0)


def test_bounds_never_leave_0_to_100():
    # two seeds far apart (a t-interval over seeds would pass 100: 95 and 100 give [65.7, 129.3])
    rng = np.random.default_rng(3)
    for _ in range(20):
        k, n = rng.integers(1, 5), rng.integers(1, 40)
        correct = [(rng.random(n) < rng.random()).astype(int) for _ in range(k)]
        low, high = two_level_bootstrap(correct, resamples=200)
        assert 0.0 <= low <= high <= 100.0
    low, high = two_level_bootstrap([[1] * 19 + [0], [1] * 20], resamples=500)
    assert 0.0 <= low <= high == 100.0
