"""Why pretraining helps, measured on the reduced demo: the frozen-feature probe of the
checkpoint beats a random-init encoder's, and the probe along the masked-LM pretraining shows
the checkpoint learning which opinion words go together."""
import json

import pytest

from ftlib.data.checks import read_lines

# The reduced demo's masked LM (600 updates, its transition at 200-400) on 100 test reviews:
# the full demo's bar is 10 points on 400 test reviews; a binomial SE of ~5 points per accuracy
# here, so the same 10-point bar, with the measured difference around 25-30 points.
PROBE_BAR = 10.0


def test_the_pretrained_probe_beats_the_random_encoder(demo_run):
    probe = json.loads((demo_run / "reports/demo/probe.json").read_text())
    rows = probe["probes"]
    gold = read_lines(demo_run / "data/demo/prepared/test.label")
    assert probe["n_test"] == len(gold) == 100 and probe["n_train"] == 48
    for row in rows.values():  # each accuracy is its own predictions against the test labels
        assert row["accuracy"] == pytest.approx(100.0 * sum(p == g for p, g in zip(row["predicted"], gold)) / len(gold))
        assert row["ci95"][0] < row["accuracy"] < row["ci95"][1]
    difference = rows["pretrained_mean"]["accuracy"] - rows["random_mean"]["accuracy"]
    assert difference == pytest.approx(probe["difference_mean"]["points"])
    assert difference >= PROBE_BAR, f"pretrained probe only {difference:+.1f} points over the random encoder"
    assert probe["difference_mean"]["mcnemar_p"] < 0.05


def test_the_probe_curve_shows_the_masked_lm_learning_the_polarity(demo_run):
    curve = json.loads((demo_run / "reports/demo/mlm_probe_curve.json").read_text())
    assert [p["updates"] for p in curve["points"]] == [100, 200, 300, 400, 500, 600]  # save_every 100
    first, last = curve["points"][0], curve["points"][-1]
    # before the transition the masked LM puts no more weight on the context's polarity than on
    # the other (0.5); after it, nearly all
    assert abs(first["fill_mask_agreement"] - 0.5) < 0.15
    assert last["fill_mask_agreement"] > 0.85
    assert last["probe_mean"] - curve["random_probe_mean"] >= PROBE_BAR
    png = (demo_run / "reports/demo/mlm_probe_curve.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_fairseq_report_states_the_difference_and_the_probe(demo_run):
    report = (demo_run / "reports/demo/fairseq_report.md").read_text()
    assert "| pretrained vs scratch |" in report and "Welch 95 % interval" in report
    probe = json.loads((demo_run / "reports/demo/probe.json").read_text())["probes"]
    assert f"| pretrained | {probe['pretrained_mean']['accuracy']:.1f} [" in report
    assert f"| random | {probe['random_mean']['accuracy']:.1f} [" in report
    assert "| 600 |" in report and "![probe along pretraining](mlm_probe_curve.png)" in report
