"""The verdict beside every published number (ftlib.core.verdict): each verdict against p-values,
intervals and seed counts computed here by hand from the t formulas (scipy.stats.t and norm
quantiles only), and the degenerate inputs (one seed, no spread, equal seeds)."""
import math

import pytest
from scipy.stats import norm, t

from ftlib.core.stats import seeds_for_equivalence
from ftlib.core.verdict import FOR_SCALE, judge, verdict, verdict_cell

SETTINGS = {"margin": 2.0, "alpha": 0.05}
# ../shared/README.md, section 1: report B's test accuracies per seed, and report A's pretrained
B_PRETRAINED, B_SCRATCH = [81.5, 78.0, 82.5], [62.5, 64.5, 63.5]
A_PRETRAINED = [79.9, 80.0, 83.5]


def var(x):
    """The sample variance (ddof=1)."""
    m = sum(x) / len(x)
    return sum((v - m) ** 2 for v in x) / (len(x) - 1)


def by_hand(a, b):
    """Welch's d, standard error and degrees of freedom (Welch-Satterthwaite), from the formulas."""
    va, vb = var(a) / len(a), var(b) / len(b)
    d = sum(a) / len(a) - sum(b) / len(b)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return d, se, df


def tost_p(d, se, df, margin=2.0):
    return max(t.sf((d + margin) / se, df), t.cdf((d - margin) / se, df))


def test_report_b_pretrained_differs_from_scratch_with_the_readmes_t():
    d, se, df = by_hand(B_PRETRAINED, B_SCRATCH)
    assert round(d / se, 1) == 11.6  # the shared README's Welch t
    found = verdict(B_PRETRAINED, B_SCRATCH)
    assert found["verdict"] == "differs" and found["test"] == "Welch"
    assert found["difference"] == pytest.approx(80.6667 - 63.5, abs=1e-3)
    assert found["p"] == pytest.approx(2 * t.sf(d / se, df), rel=1e-9)
    half = t.ppf(0.975, df) * se
    assert (found["low"], found["high"]) == pytest.approx((d - half, d + half), rel=1e-9)
    assert found["p_tost"] == pytest.approx(tost_p(d, se, df), rel=1e-9)
    assert verdict_cell(found).startswith("**differs**: d = +17.2 [")


def test_close_seeds_are_reproduced_by_tost():
    this, published = [80.5, 80.6, 80.4, 80.5], [80.0, 80.1, 79.9, 80.0]
    d, se, df = by_hand(this, published)
    found = verdict(this, published)
    assert found["verdict"] == "reproduced"
    assert found["p_tost"] == pytest.approx(tost_p(d, se, df), rel=1e-9) and found["p_tost"] < 0.05
    # the difference is significant too (p < 0.05) but inside the margin: still a reproduction
    assert found["p"] == pytest.approx(2 * t.sf(abs(d) / se, df), rel=1e-9) and found["p"] < 0.05
    assert verdict_cell(found).startswith("**reproduced**: d = +0.5 [") and "within ±2" in verdict_cell(found)


def test_report_a_against_report_b_is_consistent_with_the_seeds_a_tost_needs():
    d, se, df = by_hand(A_PRETRAINED, B_PRETRAINED)
    found = verdict(A_PRETRAINED, B_PRETRAINED)
    assert found["verdict"] == "consistent"
    assert found["p"] == pytest.approx(2 * t.sf(abs(d) / se, df), rel=1e-9) and found["p"] >= 0.05
    assert found["p_tost"] >= 0.05
    z = norm.ppf(0.95) + norm.ppf(0.9)  # alpha 0.05 one-sided, power 0.8: z_{1 - beta/2}
    assert found["seeds_needed"] == math.ceil(z * z * (var(A_PRETRAINED) + var(B_PRETRAINED)) / (2.0 - abs(d)) ** 2)
    assert "TOST needs ~" in verdict_cell(found) and "seeds a side" in verdict_cell(found)


def test_equal_seeds_on_both_sides_are_consistent_not_reproduced():
    """Report B against itself: d = 0, p = 1, but three seeds of that spread show no equivalence."""
    found = verdict(B_PRETRAINED, list(B_PRETRAINED))
    s2 = (25 / 36 + 64 / 9 + 121 / 36) / 2  # deviations from 80.67: +5/6, -8/3, +11/6
    se, df = math.sqrt(2 * s2 / 3), 4.0  # equal variances: Welch's df is 2n - 2
    assert found["verdict"] == "consistent" and found["difference"] == 0.0 and found["p"] == pytest.approx(1.0)
    assert (found["low"], found["high"]) == pytest.approx((-t.ppf(0.975, df) * se, t.ppf(0.975, df) * se))
    assert found["p_tost"] == pytest.approx(t.sf(2.0 / se, df), rel=1e-9)
    assert found["seeds_needed"] == math.ceil((norm.ppf(0.95) + norm.ppf(0.9)) ** 2 * 2 * s2 / 4.0) == 24



def test_a_published_value_is_taken_as_exact_one_sample():
    this = [89.0, 90.5, 90.0]
    mean = sum(this) / 3
    s = math.sqrt(sum((v - mean) ** 2 for v in this) / 2)
    se, d = s / math.sqrt(3), mean - 90.0
    found = verdict(this, 90.0)
    assert found["test"] == "one-sample t" and found["verdict"] == "reproduced"
    assert found["p_tost"] == pytest.approx(max(t.sf((d + 2) / se, 2), t.cdf((d - 2) / se, 2)), rel=1e-9)
    assert found["p"] == pytest.approx(2 * t.sf(abs(d) / se, 2), rel=1e-9)
    half = t.ppf(0.975, 2) * se
    assert (found["low"], found["high"]) == pytest.approx((d - half, d + half), rel=1e-9)  # of d, not of the mean
    assert verdict([80.0, 81.0, 79.0], 90.0)["verdict"] == "differs"
    wide = verdict([85.0, 91.0, 88.0], 90.0)  # |d| = 2 = the margin: no number of seeds shows equivalence
    assert wide["verdict"] == "consistent" and wide["seeds_needed"] == float("inf")
    assert "not reachable" in verdict_cell(wide) and "a side" not in verdict_cell(wide)


def test_one_seed_a_side_is_untestable_with_its_difference():
    for this, published in (([80.0], B_PRETRAINED), (B_PRETRAINED, [81.0]), ([80.0], [81.0]), ([80.0], 90.0)):
        found = verdict(this, published)
        assert found["verdict"] == "untestable" and found["why"] == "one seed" and "p" not in found
    assert verdict_cell(verdict([80.0], [81.5])) == "untestable: one seed (d = -1.5)"


def test_no_spread_is_untestable_but_one_side_without_spread_is_tested():
    assert verdict_cell(verdict([80.0, 80.0], [80.0, 80.0])) == "untestable: no spread (d = +0.0)"
    assert verdict([90.0, 90.0, 90.0], 90.0)["why"] == "no spread"
    assert verdict([80.0, 80.0], [78.0, 78.0, 78.0])["why"] == "no spread"
    # one side constant: Welch's df is the other side's n - 1, its se the other side's alone
    found = verdict([80.0, 80.0, 80.0], [79.0, 81.0, 80.0])
    se = math.sqrt(1.0 / 3)
    assert found["verdict"] == "reproduced" and found["p_tost"] == pytest.approx(t.sf(2.0 / se, 2), rel=1e-6)


def test_the_margin_and_level_come_from_the_settings():
    assert verdict(A_PRETRAINED, B_PRETRAINED, margin=20.0)["verdict"] == "reproduced"
    assert verdict(A_PRETRAINED, B_PRETRAINED, margin=0.5)["seeds_needed"] > 1000
    assert verdict(B_PRETRAINED, B_SCRATCH, alpha=0.001)["verdict"] == "consistent"  # p = 0.0022
    assert judge(B_PRETRAINED, B_SCRATCH, SETTINGS, judged=False) == FOR_SCALE
    assert judge(B_PRETRAINED, B_SCRATCH, SETTINGS).startswith("**differs**")


def test_seeds_for_equivalence_by_hand():
    z = norm.ppf(0.95) + norm.ppf(0.9)
    assert seeds_for_equivalence(0.5, 1.0, 2.0, 2.0) == math.ceil(z * z * 5.0 / 1.5 ** 2) == 20
    assert seeds_for_equivalence(0.0, 0.1, 0.0, 2.0) == 2  # at least 2
    assert seeds_for_equivalence(-2.5, 1.0, 1.0, 2.0) == float("inf")
    assert math.isnan(seeds_for_equivalence(0.0, float("nan"), 1.0, 2.0))
