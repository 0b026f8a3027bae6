"""Reproduced or not: this run's seeds against one published result, by scipy's t tests.

The published side is either per-seed values (the task sheet's references: Welch's two-sample t,
unequal variances) or one number without spread or n (the preset studies: taken as exact, a
one-sample t of this run's seeds against it). With d = mean(this run) - published mean, margin δ
and level α (config `verdict`):

- **reproduced**: equivalent within ±δ by two one-sided tests (TOST): H0 d ≤ -δ rejected
  (t test of this run + δ against the published side, alternative "greater") and H0 d ≥ +δ
  rejected (this run - δ, alternative "less"), both at α. Checked first: a difference that is
  significant but inside the margin is still a reproduction.
- **differs**: not shown equivalent, and the two-sided test rejects d = 0 (p < α).
- **consistent**: neither: no significant difference, not shown equivalent either. The cell gives
  the seeds per side a TOST would need at the observed spread (ftlib.core.stats.
  seeds_for_equivalence: n = (z_{1-α} + z_{1-β/2})² (s_a² + s_b²) / (δ - |d|)², power 1 - β = 0.8,
  s the sample stds, s_b = 0 for an exact published value; at least 2; not reachable when |d| ≥ δ).

Every tested verdict carries d with its (1 - α) t-interval. Degenerate input has no test:
**untestable: one seed** when a side has one value (no spread to test with), **untestable: no
spread** when neither side varies (every seed equal: the t statistic is 0/0 or infinite).
"""
from __future__ import annotations

from ftlib.core.stats import format_interval, seeds_for_equivalence

FOR_SCALE = "for scale: no verdict"
POWER = 0.8


def _mean(values) -> float:
    import numpy as np

    return float(np.mean(values))


def _std(values) -> float:
    """Sample std (ddof=1): what the t tests use."""
    import numpy as np

    return float(np.std(values, ddof=1))


def _tests(this: list[float], published: list[float] | None, value: float, margin: float, alpha: float) -> dict:
    """The two-sided test (p, interval of d) and the TOST p (the larger one-sided p); Welch's
    with per-seed published values, else one-sample against ``value``."""
    import warnings

    from scipy.stats import ttest_1samp, ttest_ind

    def test(sample, alternative="two-sided"):
        with warnings.catch_warnings():  # one side without spread is fine for Welch (df from the other)
            warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
            if published is None:
                return ttest_1samp(sample, value, alternative=alternative)
            return ttest_ind(sample, published, equal_var=False, alternative=alternative)

    two = test(this)
    ci = two.confidence_interval(confidence_level=1 - alpha)
    shift = value if published is None else 0.0  # the one-sample interval is of mean(this), not d
    above = test([x + margin for x in this], "greater").pvalue  # H0: d <= -margin
    below = test([x - margin for x in this], "less").pvalue     # H0: d >= +margin
    return {"p": float(two.pvalue), "low": float(ci.low) - shift, "high": float(ci.high) - shift,
            "p_tost": float(max(above, below))}


def verdict(this: list[float], published, margin: float = 2.0, alpha: float = 0.05) -> dict:
    """This run's per-seed accuracies against ``published``: a list of per-seed values (Welch) or
    one number taken as exact (one-sample t). Returns the verdict (reproduced, consistent,
    differs, untestable), d, and where tested the interval, p, TOST p and the seeds needed."""
    exact = not isinstance(published, (list, tuple))
    reference = [float(published)] if exact else [float(v) for v in published]
    d = _mean(this) - _mean(reference)
    found = {"difference": d, "test": "one-sample t" if exact else "Welch", "margin": margin, "alpha": alpha}
    if len(this) < 2 or (not exact and len(reference) < 2):
        return {**found, "verdict": "untestable", "why": "one seed"}
    if max(this) == min(this) and max(reference) == min(reference):
        return {**found, "verdict": "untestable", "why": "no spread"}
    found.update(_tests(this, None if exact else reference, reference[0], margin, alpha))
    if found["p_tost"] < alpha:
        return {**found, "verdict": "reproduced"}
    if found["p"] < alpha:
        return {**found, "verdict": "differs"}
    need = seeds_for_equivalence(d, _std(this), 0.0 if exact else _std(reference), margin, alpha, POWER)
    return {**found, "verdict": "consistent", "seeds_needed": need}


def _p(p: float) -> str:
    return f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}"


def verdict_cell(found: dict) -> str:
    """A verdict as a report cell: the word first, then d and what decided it."""
    d = f"{found['difference']:+.1f}"
    if found["verdict"] == "untestable":
        return f"untestable: {found['why']} (d = {d})"
    where = f"d = {d} {format_interval(found['low'], found['high'])}"
    if found["verdict"] == "reproduced":
        return f"**reproduced**: {where}, within ±{found['margin']:g} (TOST p = {_p(found['p_tost'])})"
    if found["verdict"] == "differs":
        return f"**differs**: {where} ({found['test']} p = {_p(found['p'])})"
    need = found["seeds_needed"]
    more = ("equivalence not reachable (|d| ≥ margin)" if need == float("inf")
            else f"TOST needs ~{need:.0f} seeds" + (" a side" if found["test"] == "Welch" else ""))
    return f"consistent: {where} ({found['test']} p = {_p(found['p'])}); {more}"


def judge(this: list[float], published, settings: dict, judged: bool = True) -> str:
    """The verdict cell of one (row, published result), or FOR_SCALE where the result is not a
    comparison (another task's, shown for scale). ``settings``: config `verdict`."""
    if not judged:
        return FOR_SCALE
    return verdict_cell(verdict(this, published, settings["margin"], settings["alpha"]))


def verdict_text(settings: dict) -> str:
    """The paragraph a report prints above its verdicts."""
    margin, alpha = settings["margin"], settings["alpha"]
    level = f"{100 * (1 - alpha):g} %"
    return (f"Verdict of this run's seeds against each published result (config `verdict`: margin "
            f"δ = {margin:g} points, α = {alpha:g}); d = this run − published, with its {level} t-interval. "
            f"**reproduced**: shown equivalent within ±{margin:g} by two one-sided t tests (TOST, both p < α). "
            "**differs**: not equivalent and the two-sided test finds a difference (p < α). consistent: "
            "neither, and how many seeds a TOST would need at the observed spread (power 0.8). Where the "
            "source gives per-seed values the tests are Welch's (two samples, unequal variances); where it "
            "gives one number, that number is taken as exact and the tests are one-sample t tests of this "
            "run's seeds. untestable: one seed on a side, or no spread on either. "
            f"{FOR_SCALE}: a published result of another task or study, shown for scale.")
