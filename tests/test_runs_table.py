"""One tidy table of every run (reports/<mode>/runs.csv) and the per-example predictions beside
each classification run: their columns, and their numbers against the runs' own files."""
import csv
import json
import subprocess

import pandas as pd
import pytest

from conftest import REPO
from ftlib.core.predictions import write_predictions
from ftlib.core.run_record import git_commit, recipe_hash, run_record

METRICS = {"epochs": [{"epoch": 1, "valid_accuracy": 60.0}, {"epoch": 2, "valid_accuracy": 70.5}],
           "best_epoch": 2, "best_valid_accuracy": 70.5, "test_accuracy": 68.0, "wall_seconds": 3.5,
           "peak_rss_mb": 512.0, "threads": 1, "device": "cpu", "device_name": "x", "precision": "fp32"}


def test_a_run_record_has_every_recipe_value_its_results_and_its_provenance():
    row = run_record("fairseq", "pretrained", 0, {"lr": 1e-5, "adam_betas": [0.9, 0.98]}, METRICS)
    assert row["hp.lr"] == 1e-5 and row["hp.adam_betas"] == "[0.9, 0.98]"
    assert json.loads(row["valid_accuracy_per_epoch"]) == [60.0, 70.5]
    assert (row["best_epoch"], row["test_accuracy"], row["threads"]) == (2, 68.0, 1)
    assert row["recipe_hash"] == recipe_hash({"adam_betas": [0.9, 0.98], "lr": 1e-5})  # key order irrelevant
    assert row["recipe_hash"] != recipe_hash({"adam_betas": [0.9, 0.98], "lr": 2e-5})
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert row["git_commit"].removesuffix("-dirty") == (head or "unversioned")
    assert row["torch"].startswith("2.13.0") and row["cpu_model"]  # the local wheel says 2.13.0+cpu


def test_outside_git_the_commit_is_unversioned(tmp_path):
    assert git_commit(tmp_path) == "unversioned"


def test_predictions_table_and_its_accuracy(tmp_path):
    path = tmp_path / "predictions.tsv"
    accuracy = write_predictions(path, ["1", "0", "1"], ["1", "1", "1"], [[0.2, 0.8], [0.4, 0.6], [0.1, 0.9]], ["0", "1"])
    assert accuracy == pytest.approx(200 / 3)
    rows = list(csv.DictReader(path.open(), delimiter="\t"))
    assert list(rows[0]) == ["index", "gold", "predicted", "p_0", "p_1"]
    assert rows[1] == {"index": "1", "gold": "0", "predicted": "1", "p_0": "0.400000", "p_1": "0.600000"}


def test_runs_csv_holds_every_run_of_the_demo_with_its_own_numbers(demo_run):
    table = pd.read_csv(demo_run / "reports/demo/runs.csv")
    assert sorted(table.groupby("branch").size().items()) == [("bloom", 1), ("fairseq", 2), ("hf", 2), ("peft", 2)]
    assert table.duplicated(["branch", "run", "seed"]).sum() == 0
    # init and method say what the deprecated `run` said by branch
    inits = table[table.branch.isin(["fairseq", "hf"])]
    assert (inits.init == inits.run).all() and inits.method.isna().all()
    methods = table[table.branch.isin(["peft", "bloom"])]
    assert (methods.method == methods.run).all() and methods.init.isna().all()
    assert list(table.columns[table.columns.get_loc("run"):][:3]) == ["run", "init", "method"]
    for row in table.itertuples():
        folder = demo_run / ("runs/demo/bloom" if row.branch == "bloom" else f"runs/demo/{row.branch}/{row.run}/seed{row.seed}"
                             .replace("/peft/", "/peft/demo-roberta/"))  # the PEFT runs' model folder
        metrics = json.loads((folder / "metrics.json").read_text())
        if row.branch == "bloom":
            assert row.token_f1_after == pytest.approx(metrics["after"]["token_f1"])
            continue
        assert row.test_accuracy == metrics["test_accuracy"] and row.best_epoch == metrics["best_epoch"]
        assert json.loads(row.valid_accuracy_per_epoch) == [e["valid_accuracy"] for e in metrics["epochs"]]
        predictions = pd.read_csv(folder / "predictions.tsv", sep="\t", dtype={"gold": str, "predicted": str})
        accuracy = 100 * (predictions.gold == predictions.predicted).mean()
        assert abs(accuracy - metrics["test_accuracy"]) < 0.051  # the logged accuracy has 1 decimal
        assert ((predictions.p_0 + predictions.p_1) - 1).abs().max() < 1e-5
    # one setting, one hash: the two fairseq inits share the recipe
    assert table[table.branch == "fairseq"].recipe_hash.nunique() == 1


def test_the_statistics_report_recomputed_from_runs_csv_and_predictions(demo_run):
    from scipy.stats import binomtest

    report = (demo_run / "reports/demo/statistics.md").read_text()
    table = pd.read_csv(demo_run / "reports/demo/runs.csv")
    fairseq = table[table.branch == "fairseq"].set_index("run")
    difference = fairseq.test_accuracy["pretrained"] - fairseq.test_accuracy["scratch"]
    folder = demo_run / "runs/demo/fairseq"
    a, b = (pd.read_csv(folder / init / "seed0/predictions.tsv", sep="\t", dtype=str) for init in ("pretrained", "scratch"))
    right_a, right_b = a.gold == a.predicted, b.gold == b.predicted
    only_a, only_b = int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())
    p = 1.0 if only_a + only_b == 0 else binomtest(only_a, only_a + only_b, 0.5).pvalue
    row = next(line for line in report.splitlines() if line.startswith("| fairseq: pretrained vs scratch | 0 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert float(cells[2]) == pytest.approx(difference, abs=0.05)
    assert float(cells[4]) == pytest.approx(p, rel=0.01)
    low, high = map(float, cells[3].strip("[]").split(","))
    assert low <= difference <= high
    for branch, run in [("fairseq", "pretrained"), ("hf", "scratch"), ("peft", "bitfit")]:
        mean = table[(table.branch == branch) & (table.run == run)].test_accuracy.mean()
        assert f"| {branch} | {run} | 1 | {mean:.1f} |" in report


def test_each_branch_table_is_its_rows_of_runs_csv(demo_run):
    """What a branch's report reads (reports/demo/runs/<branch>.csv) is that branch's rows of runs.csv."""
    whole = pd.read_csv(demo_run / "reports/demo/runs.csv")
    for branch in ("fairseq", "hf", "peft"):
        part = pd.read_csv(demo_run / f"reports/demo/runs/{branch}.csv")
        expected = whole[whole.branch == branch].reset_index(drop=True)[part.columns]
        pd.testing.assert_frame_equal(part, expected, check_dtype=False)
        assert all((demo_run / run_dir / "predictions.tsv").is_file() for run_dir in part.run_dir)


def test_every_branch_report_carries_its_comparisons_statistics(demo_run):
    """The branch reports' Welch and paired rows are statistics.md's rows for the same comparison,
    and their groups show the sample std."""
    statistics = (demo_run / "reports/demo/statistics.md").read_text().splitlines()

    def cells(lines, start):
        return next(line for line in lines if line.startswith(start)).split("|")[2:]

    def welch(lines, title):  # the row whose second cell is a signed difference, not a seed
        return next(line for line in lines if line.startswith(f"| {title} | ")
                    and line.split("|")[2].strip()[:1] in "+-").split("|")[2:]

    reports = {name: (demo_run / f"reports/demo/{name}.md").read_text().splitlines()
               for name in ("fairseq_report", "comparison_report")}
    assert cells(reports["fairseq_report"], "| pretrained vs scratch | 0 |") == \
        cells(statistics, "| fairseq: pretrained vs scratch | 0 |")
    assert welch(reports["fairseq_report"], "pretrained vs scratch") == \
        welch(statistics, "fairseq: pretrained vs scratch")
    for init in ("pretrained", "scratch"):
        assert cells(reports["comparison_report"], f"| {init}: fairseq vs HF | 0 |") == \
            cells(statistics, f"| {init}: fairseq vs HF | 0 |")
    peft = (demo_run / "reports/demo/peft_report.md").read_text()
    assert "| peft | bitfit | 1 |" in peft and "std (ddof=1)" in peft and "population" not in peft
