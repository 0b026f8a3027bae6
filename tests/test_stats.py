"""The reports' statistics (ftlib.core.stats, on scipy) against values worked out by hand."""
import math

import pytest

from ftlib.core.stats import binomial_interval, compare_seeds, format_interval, mcnemar_exact, welch_difference


def test_welch_difference_reproduces_the_reference_rows_by_hand():
    # report B (README, "Expected numbers"): pretrained 81.5/78.0/82.5, scratch 62.5/64.5/63.5.
    # By hand: sample variances 5.5833 and 1.0; se = sqrt(5.5833/3 + 1/3) = 1.4814;
    # t = 17.1667 / 1.4814 = 11.59 (the README's "Welch's t = 11.6");
    # Welch-Satterthwaite df = 2.1944² / ((1.8611² + 0.3333²) / 2) = 2.694, t_0.975(2.694) = 3.397,
    # interval 17.1667 ± 3.397 · 1.4814 = [12.13, 22.20].
    d = welch_difference([81.5, 78.0, 82.5], [62.5, 64.5, 63.5])
    assert d["difference"] == pytest.approx(17.1667, abs=1e-4)
    assert d["t"] == pytest.approx(11.588, abs=1e-3)
    assert (d["low"], d["high"]) == (pytest.approx(12.135, abs=1e-2), pytest.approx(22.199, abs=1e-2))
    assert 0 < d["p"] < 0.01
    assert format_interval(d["low"], d["high"]) == "[12.1, 22.2]"


def test_welch_difference_without_spread_gives_only_the_difference():
    d = welch_difference([80.0, 80.0], [70.0, 70.0])
    assert d["difference"] == 10.0 and math.isnan(d["low"]) and math.isnan(d["p"])
    assert format_interval(d["low"], d["high"]) == "n/a"
    assert math.isnan(welch_difference([80.0], [70.0, 71.0])["low"])


def test_binomial_interval_is_clopper_pearson():
    # 8 of 10: Beta(0.025; 8, 3) = 0.4439 and Beta(0.975; 9, 2) = 0.9748 (exact interval tables)
    low, high = binomial_interval(8, 10)
    assert low == pytest.approx(44.39, abs=0.01) and high == pytest.approx(97.48, abs=0.01)
    # 0 of n: the lower end is 0 and the upper 1 - 0.025^(1/n)
    low, high = binomial_interval(0, 20)
    assert low == 0.0 and high == pytest.approx(100 * (1 - 0.025 ** (1 / 20)), abs=1e-6)


def test_mcnemar_counts_only_the_discordant_examples():
    gold = [1] * 10
    a = [1, 1, 1, 1, 1, 0, 0, 1, 1, 0]  # right on 7
    b = [0, 0, 0, 0, 0, 0, 0, 1, 1, 0]  # right on 2: a alone right on 5, b alone on 0
    assert mcnemar_exact(a, b, gold) == pytest.approx(2 * 0.5 ** 5)  # two-sided: 0.0625
    assert mcnemar_exact(a, a, gold) == 1.0
    # 1 vs 1 discordant: no evidence either way
    assert mcnemar_exact([1, 0], [0, 1], [1, 1]) == pytest.approx(1.0)


def test_compare_seeds_counts_the_seed_pairs_a_wins():
    c = compare_seeds([81.5, 78.0, 82.5], [62.5, 79.0, 63.5])  # seed 1: 78.0 < 79.0
    assert (c["wins"], c["pairs"]) == (2, 3)
    assert c["difference"] == pytest.approx(welch_difference([81.5, 78.0, 82.5], [62.5, 79.0, 63.5])["difference"])
