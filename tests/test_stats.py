"""The reports' statistics (ftlib.core.stats, on scipy) against values worked out by hand."""
import math

import pytest

from ftlib.core.stats import (binomial_interval, binomial_se, compare_seeds, format_interval, group_summary,
                              expected_max, mcnemar_exact, paired_bootstrap, seeds_needed, welch_difference)


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


def test_group_summary_uses_the_sample_std_and_the_t_interval():
    # 81.5, 78.0, 82.5: mean 80.667, sample variance 5.5833 (std 2.3629); t_0.975(2) = 4.3027,
    # half width 4.3027 * 2.3629 / sqrt(3) = 5.870
    s = group_summary([81.5, 78.0, 82.5])
    assert s["n"] == 3 and s["mean"] == pytest.approx(80.6667, abs=1e-4)
    assert s["std"] == pytest.approx(2.3629, abs=1e-4)
    assert (s["low"], s["high"]) == (pytest.approx(74.797, abs=1e-3), pytest.approx(86.536, abs=1e-3))
    assert (s["min"], s["max"]) == (78.0, 82.5)
    assert math.isnan(group_summary([70.0])["std"])


def test_binomial_se_of_one_accuracy():
    # 80 % on 400 examples: sqrt(0.8 * 0.2 / 400) = 0.02 -> 2 points
    assert binomial_se(80.0, 400) == pytest.approx(2.0)


def test_paired_bootstrap_of_two_classifiers_on_the_same_examples():
    gold = [1] * 100
    a = [1] * 90 + [0] * 10          # 90 %
    b = [1] * 80 + [0] * 20          # 80 %, wrong on a superset of a's errors
    result = paired_bootstrap(gold, a, b, resamples=2000, seed=1)
    assert result["difference"] == pytest.approx(10.0)
    # a is never behind b on any resample (b's errors include a's): the interval stays above 0
    assert 0 < result["low"] <= 10 <= result["high"] and result["p_not_better"] == 0.0
    assert paired_bootstrap(gold, a, b, resamples=2000, seed=1) == result  # seeded
    same = paired_bootstrap(gold, a, a, resamples=500)
    assert same["difference"] == 0 and same["low"] == same["high"] == 0 and same["p_not_better"] == 1.0


def test_seeds_needed_at_80_percent_power():
    # (1.95996 + 0.84162)^2 = 7.849; (1^2 + 1^2) / 1^2 * 7.849 = 15.7 -> 16 seeds per arm
    assert seeds_needed(1.0, 1.0, 1.0) == 16
    assert seeds_needed(10.0, 1.0, 1.0) == 2  # never fewer than 2: a std needs two
    assert math.isinf(seeds_needed(0.0, 1.0, 1.0)) and math.isnan(seeds_needed(1.0, float("nan"), 1.0))


def test_expected_max_of_n_runs():
    # values 1, 2, 3: E[max of 1] = mean = 2; E[max of 2] = (1*1 + 2*3 + 3*5) / 9 = 22/9;
    # E[max of 3] = (1*1 + 2*7 + 3*19) / 27 = 72/27
    assert expected_max([3.0, 1.0, 2.0]) == pytest.approx([2.0, 22 / 9, 72 / 27])
    assert expected_max([5.0]) == [5.0]


def test_the_reports_statistics_section_from_a_runs_table_by_hand():
    """ftlib.core.stats_report on a small runs table: a = 80, 82, 84 and b = 70, 71, 72 over three
    seeds, 100 test examples. By hand: a's sample std 2.0, t_0.975(2) = 4.303, half-width
    4.303 · 2 / √3 = 4.97 -> [77.0, 87.0]; binomial SE √(0.82 · 0.18 / 100) = 3.84 points; the
    seed-0 runs disagree on 10 examples, all won by a: McNemar 2 · 0.5^10 = 0.00195."""
    import pandas as pd

    from ftlib.core.stats import two_level_bootstrap
    from ftlib.core.stats_report import statistics_lines

    runs = pd.DataFrame({"branch": ["x"] * 6, "run": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2] * 2,
                         "test_accuracy": [80.0, 82.0, 84.0, 70.0, 71.0, 72.0]})
    gold = ["1"] * 100
    predictions = {("x", run, seed): pd.DataFrame({"gold": gold, "predicted": ["1"] * right + ["0"] * (100 - right)})
                   for run, rights in (("a", (80, 82, 84)), ("b", (70, 71, 72))) for seed, right in enumerate(rights)}
    lines = statistics_lines(runs, predictions, [("a vs b", ("x", "a"), ("x", "b")), ("c vs b", ("x", "c"), ("x", "b"))])
    # the two-level interval: the function (tests/test_two_level_interval.py) on each seed's correctness
    boot = {run: format_interval(*two_level_bootstrap([[1] * right + [0] * (100 - right) for right in rights]))
            for run, rights in (("a", (80, 82, 84)), ("b", (70, 71, 72)))}
    assert f"| x | a | 3 | 82.0 | 2.00 | [77.0, 87.0] | {boot['a']} | 80.0–84.0 | 3.84 (n=100) |" in lines
    assert f"| x | b | 3 | 71.0 | 1.00 | [68.5, 73.5] | {boot['b']} | 70.0–72.0 | 4.54 (n=100) |" in lines
    assert any("95 % t-interval (seeds only)" in line and "95 % two-level bootstrap (seeds and test examples)"
               in line for line in lines)
    welch = next(line for line in lines if line.startswith("| a vs b | +11.0 |"))
    assert welch.endswith("| 2 |")  # 2.80² · (4 + 1) / 11² = 0.32 -> the floor of 2 seeds per arm
    assert not any(line.startswith("| c vs b") for line in lines)  # group c never ran: skipped
    seed0 = next(line for line in lines if line.startswith("| a vs b | 0 |"))
    assert seed0.split("|")[3].strip() == "+10.0" and seed0.split("|")[5].strip() == "0.002"
    only_missing = statistics_lines(runs, predictions, [("c vs b", ("x", "c"), ("x", "b"))])
    assert only_missing[-1] == "No comparison: one group of each did not run (wanted: c vs b)."
    groups_only = statistics_lines(runs, predictions, [])  # a study with no baseline to compare with
    assert groups_only == lines[:len(groups_only)] and groups_only[-1].startswith("| x | b | 3 |")


def test_the_printed_t_interval_never_leaves_0_to_100():
    """95 and 100 over two seeds: 97.5 ± t_0.975(1) · 3.536 / √2 = 97.5 ± 31.8 -> [65.7, 129.3],
    printed clipped and marked; seeds that agree, or one seed, have no t-interval to print."""
    from ftlib.core.stats_report import t_interval_cell

    assert t_interval_cell(group_summary([95.0, 100.0])) == "[65.7, 100.0]†"
    assert t_interval_cell(group_summary([2.0, 0.0])) == "[0.0, 13.7]†"
    assert t_interval_cell(group_summary([81.5, 78.0, 82.5])) == "[74.8, 86.5]"
    assert t_interval_cell(group_summary([95.8, 95.8, 95.8])) == "n/a"
    assert t_interval_cell(group_summary([0.1] * 3)) == "n/a"  # its float std is 1.7e-17, not 0
    assert t_interval_cell(group_summary([70.0])) == "n/a"


def test_a_group_of_runs_from_different_code_says_so():
    import pandas as pd

    from ftlib.core.stats_report import group_lines

    runs = pd.DataFrame({"branch": ["x"] * 4, "run": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1],
                         "test_accuracy": [80.0, 82.0, 70.0, 71.0],
                         "code_digest": ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc", "cccccccccccc"]})
    predictions = {("x", run, seed): pd.DataFrame({"gold": ["1"] * 10, "predicted": ["1"] * 8 + ["0"] * 2})
                   for run in "ab" for seed in (0, 1)}
    table, _ = group_lines(runs, predictions)
    assert any(line.startswith("| x | ⚠ 2 code versions: a | 2 |") for line in table)
    assert any(line.startswith("| x | b | 2 |") for line in table)  # one digest: no mark
